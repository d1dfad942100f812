"""Reply templates (答复模板): texts per category with fields filled from the appeal, kept by users
with TEMPLATE_MANAGE and suggested to the handler who writes a reply.

A field is a name in braces, e.g. {诉求编号}. The fields are fixed (FIELDS below); a template with an
unknown field or an unbalanced brace is refused when saved, so rendering never meets one.

Suggestions: every template of the appeal's category and every general template (no category) is a
candidate; the score is the category weight (same category 1.0, general 0.4) plus the share of the
template's title and keyword terms that occur in the appeal's title and content. Templates of other
categories are offered only when that share is at least OTHER_CATEGORY_MIN_OVERLAP. Each suggestion
carries its reasons, shown next to it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhengshu.appeals.drafts import ANONYMOUS
from zhengshu.appeals.library_models import ReplyTemplate
from zhengshu.appeals.models import Appeal
from zhengshu.appeals.presenters import free_text
from zhengshu.appeals.vocabulary import CATEGORIES
from zhengshu.audit import record
from zhengshu.clock import local, now
from zhengshu.errors import InvalidInput, NotFound, PermissionDenied
from zhengshu.org.models import User
from zhengshu.org.roles import Permission, has_permission
from zhengshu.text.normalize import collapse_whitespace, normalize_text
from zhengshu.text.segment import terms

MAX_TITLE = 100
MAX_KEYWORDS = 200
MAX_BODY = 5000
SAME_CATEGORY_WEIGHT = 1.0
GENERAL_WEIGHT = 0.4
OTHER_CATEGORY_MIN_OVERLAP = 0.5
SUGGESTIONS = 3
NEUTRAL_SALUTATION = "您好"
_COMPOUND_SURNAMES = (
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 令狐 司徒 夏侯 长孙 宇文 轩辕 端木 南宫 独孤"
)
COMPOUND_SURNAMES = frozenset(_COMPOUND_SURNAMES.split(" "))


def _date(moment: datetime | None) -> str:
    if moment is None:
        return ""
    day = local(moment)
    return f"{day.year}年{day.month}月{day.day}日"


def surname(name: str) -> str | None:
    """The surname of a named appellant; None for the anonymous and one-character names."""
    name = name.strip()
    if len(name) < 2 or name == ANONYMOUS or not all("\u4e00" <= c <= "\u9fff" for c in name):
        return None
    if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES:
        return name[:2]
    return name[0]


def salutation(appeal: Appeal, use_surname: bool) -> str:
    """尊敬的张先生/女士，您好 when the template allows naming by surname and the appellant has a
    name; 您好 otherwise. Only the surname ever appears: a reply is published after closure."""
    family = surname(appeal.appellant_name) if use_surname else None
    return f"尊敬的{family}先生/女士，您好" if family else NEUTRAL_SALUTATION


def _place(appeal: Appeal) -> str:
    if appeal.address:
        return free_text(appeal.address, appeal, None) or ""
    parts = [p.name for p in (appeal.street, appeal.community) if p is not None]
    return "".join(parts) or "您反映的地点"


# Each field and how it is filled; the values are masked as for a viewer without PII_VIEW.
FIELDS: dict[str, Callable[[Appeal, bool], str]] = {
    "诉求人称呼": salutation,
    "诉求编号": lambda a, _: a.number,
    "受理日期": lambda a, _: _date(a.created_at),
    "诉求标题": lambda a, _: free_text(a.title, a, None) or "",
    "地点": lambda a, _: _place(a),
    "承办单位": lambda a, _: a.lead_department.name if a.lead_department else "相关单位",
    "办理时限": lambda a, _: _date(a.due_at) or "规定时限",
}
_FIELD = re.compile(r"\{([^{}]*)\}")


def field_names(body: str) -> list[str]:
    """The fields the body uses, in order; raises InvalidInput on an unbalanced brace."""
    depth = 0
    for position, char in enumerate(body, start=1):
        if char == "{":
            if depth:
                raise InvalidInput(
                    f"第 {position} 个字符处的“{{”前一个字段尚未用“}}”结束", errors={"body": "花括号不配对"}
                )
            depth = 1
        elif char == "}":
            if not depth:
                raise InvalidInput(
                    f"第 {position} 个字符处的“}}”没有对应的“{{”", errors={"body": "花括号不配对"}
                )
            depth = 0
    if depth:
        raise InvalidInput("模板末尾有未结束的“{”，请补上“}”", errors={"body": "花括号不配对"})
    return _FIELD.findall(body)


def check_body(body: str) -> None:
    unknown = [name for name in field_names(body) if name not in FIELDS]
    if unknown:
        names = "、".join(f"{{{n}}}" for n in dict.fromkeys(unknown))
        known = "、".join(f"{{{n}}}" for n in FIELDS)
        raise InvalidInput(f"模板中有未知字段 {names}；可用字段：{known}", errors={"body": "有未知字段"})


def render(body: str, appeal: Appeal, use_surname: bool = False) -> str:
    return _FIELD.sub(lambda match: FIELDS[match.group(1)](appeal, use_surname), body)


@dataclass(frozen=True)
class TemplateInput:
    title: str
    body: str
    category: str | None = None
    keywords: str = ""
    use_surname: bool = False

    def cleaned(self) -> TemplateInput:
        title = collapse_whitespace(self.title)
        body = normalize_text(self.body).strip()
        keywords = " ".join(re.split(r"[\s,，、;；]+", collapse_whitespace(self.keywords))).strip()
        category = (self.category or "").strip() or None
        errors = {}
        if not title:
            errors["title"] = "请填写模板名称"
        elif len(title) > MAX_TITLE:
            errors["title"] = f"模板名称不能超过 {MAX_TITLE} 个字"
        if not body:
            errors["body"] = "请填写模板内容"
        elif len(body) > MAX_BODY:
            errors["body"] = f"模板内容不能超过 {MAX_BODY} 个字"
        if len(keywords) > MAX_KEYWORDS:
            errors["keywords"] = f"关键词合计不能超过 {MAX_KEYWORDS} 个字"
        if category is not None and category not in CATEGORIES:
            errors["category"] = f"未知分类：{category}"
        if errors:
            raise InvalidInput("；".join(errors.values()), errors=errors)
        check_body(body)
        return TemplateInput(title, body, category, keywords, self.use_surname)


def require_manager(actor: User) -> None:
    if not has_permission(actor.role, Permission.TEMPLATE_MANAGE):
        raise PermissionDenied("当前账号无权维护答复模板")


def _unique_title(session: Session, title: str, own_id: int | None = None) -> None:
    other = session.scalar(select(ReplyTemplate.id).where(ReplyTemplate.title == title))
    if other is not None and other != own_id:
        raise InvalidInput(f"已有名为“{title}”的模板", errors={"title": "名称重复"})


def _audit(session: Session, action: str, template: ReplyTemplate, actor: User | None) -> None:
    record(
        session,
        f"reply_template.{action}",
        "reply_template",
        template.id,
        actor_id=actor.id if actor else None,
        actor_label=actor.display_name if actor else "系统",
        data={"title": template.title, "category": template.category},
    )


def create_template(session: Session, actor: User | None, given: TemplateInput) -> ReplyTemplate:
    """actor None: the system (demo content); every person needs TEMPLATE_MANAGE."""
    if actor is not None:
        require_manager(actor)
    data = given.cleaned()
    _unique_title(session, data.title)
    moment = now()
    template = ReplyTemplate(
        title=data.title,
        category=data.category,
        keywords=data.keywords,
        body=data.body,
        use_surname=data.use_surname,
        created_by_id=actor.id if actor else None,
        created_at=moment,
        updated_at=moment,
    )
    session.add(template)
    session.flush()
    _audit(session, "created", template, actor)
    return template


def get_template(session: Session, template_id: int) -> ReplyTemplate:
    template = session.get(ReplyTemplate, template_id)
    if template is None:
        raise NotFound("答复模板不存在")
    return template


def update_template(session: Session, actor: User, template_id: int, given: TemplateInput) -> ReplyTemplate:
    require_manager(actor)
    data = given.cleaned()
    template = get_template(session, template_id)
    _unique_title(session, data.title, template.id)
    template.title, template.category, template.keywords = data.title, data.category, data.keywords
    template.body, template.use_surname, template.updated_at = data.body, data.use_surname, now()
    session.flush()
    _audit(session, "updated", template, actor)
    return template


def delete_template(session: Session, actor: User, template_id: int) -> None:
    require_manager(actor)
    template = get_template(session, template_id)
    _audit(session, "deleted", template, actor)
    session.delete(template)
    session.flush()


def list_templates(session: Session, category: str | None = None) -> list[ReplyTemplate]:
    query = select(ReplyTemplate).order_by(ReplyTemplate.category, ReplyTemplate.title)
    if category:
        query = query.where(ReplyTemplate.category == category)
    return list(session.scalars(query))


@dataclass(frozen=True)
class Suggestion:
    template: ReplyTemplate
    score: float
    reasons: list[str]
    text: str


def _words(text: str) -> set[str]:
    # One-character terms (点, 不) match almost any appeal and explain nothing.
    return {term for term in terms(text) if len(term) > 1}


def suggest(session: Session, appeal: Appeal, limit: int = SUGGESTIONS) -> list[Suggestion]:
    """The templates that best fit the appeal, rendered with its fields, best first."""
    appeal_terms = _words(f"{appeal.title} {appeal.content}")
    found = []
    for template in session.scalars(select(ReplyTemplate)):
        wanted = _words(f"{template.title} {template.keywords}")
        hits = sorted(wanted & appeal_terms)
        overlap = len(hits) / len(wanted) if wanted else 0.0
        reasons = []
        if template.category is None:
            weight = GENERAL_WEIGHT
            reasons.append("通用模板")
        elif template.category == appeal.category:
            weight = SAME_CATEGORY_WEIGHT
            reasons.append(f"分类相同（{template.category}）")
        elif overlap >= OTHER_CATEGORY_MIN_OVERLAP:
            weight = 0.0
            reasons.append(f"其他分类（{template.category}），但内容相近")
        else:
            continue
        if hits:
            reasons.append("命中关键词：" + "、".join(hits[:6]))
        score = round(weight + overlap, 3)
        found.append(
            Suggestion(template, score, reasons, render(template.body, appeal, template.use_surname))
        )
    found.sort(key=lambda s: (-s.score, s.template.title))
    return found[:limit]
