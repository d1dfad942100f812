"""An appeal's page: everything the viewer may see, and a form for each action the viewer may take.

Every form posts to /appeals/{number}/actions/{action}, which calls the same function of
zhengshu.appeals.handling as the JSON API; the rules live there and only there."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from zhengshu.appeals import handling, queries
from zhengshu.appeals.access import can_read, get_readable
from zhengshu.appeals.handling import ActionInputs
from zhengshu.appeals.models import Appeal
from zhengshu.appeals.presenters import appeal_detail, free_text, timeline
from zhengshu.appeals.vocabulary import (
    CATEGORIES,
    CATEGORY_DEPARTMENTS,
    ExtensionStatus,
    NoticeKind,
    Satisfaction,
)
from zhengshu.appeals.workflow import Action, Status
from zhengshu.audit import events_for
from zhengshu.db import transaction
from zhengshu.errors import DomainError, InvalidInput, NotFound
from zhengshu.org import services
from zhengshu.org.models import Department, User
from zhengshu.web import csrf
from zhengshu.web.deps import Factory, Rules
from zhengshu.web.pages_base import (
    FEATURE_BY_KEY,
    PageRoute,
    PostedForm,
    StaffUser,
    flash,
    is_overdue,
    redirect,
    render,
    safe_next,
)
from zhengshu.web.pages_closure import closure_panel
from zhengshu.web.pages_similar import similar_panel
from zhengshu.web.pages_suggestions import dispatch_suggestions, picked_department
from zhengshu.web.pages_templates import exemplary_panel, reply_suggestions
from zhengshu.web.problems import status_for

router = APIRouter(route_class=PageRoute, include_in_schema=False)

Number = Annotated[str, Path(max_length=16)]


@dataclass
class FailedAction:
    """A form that did not go through: shown again with what was typed and why it failed."""

    action: Action
    values: dict[str, Any]
    message: str
    errors: dict[str, str] = field(default_factory=dict)


def load(session: Session, number: str, user: User) -> Appeal:
    return get_readable(queries.by_number(session, number), user)


def suggested_department(appeal: Appeal, departments: list[Department]) -> str:
    """The usual department for the appeal's category; the street's office for street matters."""
    if appeal.lead_department is not None:
        return appeal.lead_department.code
    code = CATEGORY_DEPARTMENTS.get(appeal.category or "", "")
    if code:
        return code
    offices = [d for d in departments if d.kind == "street" and d.street_id == appeal.street_id]
    return offices[0].code if offices else ""


def _status_label(value: object) -> str:
    try:
        return Status(str(value)).label
    except ValueError:
        return str(value)


def event_summary(data: dict[str, Any], names: dict[str, str], appeal: Appeal, user: User) -> str:
    """One line in Chinese for an event's data; free text masked as the viewer requires."""
    parts = []
    if data.get("from") and data.get("to") and data["from"] != data["to"]:
        parts.append(f"{_status_label(data['from'])} → {_status_label(data['to'])}")
    if data.get("department"):
        parts.append("主办：" + names.get(data["department"], data["department"]))
    if data.get("co_departments"):
        parts.append("协办：" + "、".join(names.get(code, code) for code in data["co_departments"]))
    if "approved" in data:
        parts.append(("批准" if data["approved"] else "驳回") + f"延期 {data.get('days')} 个工作日")
    elif data.get("days"):
        parts.append(f"申请延期 {data['days']} 个工作日")
    if data.get("satisfaction"):
        try:
            parts.append("满意度：" + Satisfaction(data["satisfaction"]).label)
        except ValueError:
            parts.append("满意度：" + str(data["satisfaction"]))
    if data.get("kind"):
        parts.append(NoticeKind(data["kind"]).label)
    for key, label in (("by", "退回单位"), ("reason", "理由"), ("note", "说明")):
        if data.get(key):
            parts.append(f"{label}：{free_text(str(data[key]), appeal, user)}")
    return "；".join(parts)


def detail_context(
    session: Session, appeal: Appeal, user: User, failed: FailedAction | None = None
) -> dict[str, Any]:
    departments = services.departments(session)
    names = {d.code: d.name for d in departments}
    extensions = queries.extensions_of(session, appeal.id)
    events = timeline(events_for(session, "appeal", appeal.id), appeal, user)
    for row in events:
        row["summary"] = event_summary(row.get("data") or {}, names, appeal, user)
    actions = queries.available_actions(session, appeal, user)
    own_co_opinion = [c.opinion for c in appeal.co_handlers if c.department_id == user.department_id]
    return {
        "appeal": appeal_detail(appeal, user),
        "overdue": is_overdue(appeal),
        "timeline": events,
        "extensions": [
            {
                "days": e.days,
                "reason": free_text(e.reason, appeal, user),
                "status": ExtensionStatus(e.status).label,
                "pending": e.status == "pending",
                "requested_at": e.requested_at,
                "decided_at": e.decided_at,
                "note": free_text(e.decision_note, appeal, user),
            }
            for e in extensions
        ],
        "notices": [
            {
                "kind": NoticeKind(n.kind).label,
                "message": n.message,
                "issued_at": n.issued_at,
                "due_at": n.due_at,
            }
            for n in queries.notices_of(session, appeal.id)
        ],
        # 并案 has its own form, in the similar appeals' panel.
        "actions": [a.value for a in actions if a is not Action.MERGE],
        **similar_panel(session, appeal, user, actions),
        "action_labels": {a.value: a.label for a in Action},
        "departments": [(d.code, d.name) for d in departments],
        "suggested_department": suggested_department(appeal, departments),
        "categories": list(CATEGORIES),
        "satisfactions": [(s.value, s.label) for s in Satisfaction],
        "own_co_opinion": (own_co_opinion[0] if own_co_opinion else None) or "",
        "failed": failed,
        "reply_templates": reply_suggestions(session, appeal, actions),
        "exemplary": exemplary_panel(session, appeal, user),
        "closure_audit": closure_panel(session, appeal, user),
        **dispatch_suggestions(session, appeal, actions),
    }


# Reading a posted form into the arguments of the handling functions.


def _text(form: FormData, name: str) -> str:
    return str(form.get(name) or "")


def _optional(form: FormData, name: str) -> str | None:
    return _text(form, name).strip() or None


def _version(form: FormData) -> int:
    try:
        return int(_text(form, "version"))
    except ValueError:
        raise InvalidInput("表单缺少版本信息，请刷新页面后再操作") from None


def _department(form: FormData) -> str:
    code = _text(form, "department").strip()
    if not code:
        raise InvalidInput("请选择主办单位", errors={"department": "请选择主办单位"})
    return code


def _days(form: FormData) -> int:
    try:
        return int(_text(form, "days"))
    except ValueError:
        raise InvalidInput("延期天数须为整数（工作日）", errors={"days": "请填写整数"}) from None


def _approve(form: FormData) -> bool:
    decision = _text(form, "decision")
    if decision not in ("approve", "reject"):
        raise InvalidInput("请选择批准或驳回", errors={"decision": "请选择"})
    return decision == "approve"


def _satisfaction(form: FormData) -> Satisfaction:
    try:
        return Satisfaction(_text(form, "satisfaction"))
    except ValueError:
        raise InvalidInput("请选择回访结果", errors={"satisfaction": "请选择"}) from None


# What each action's form carries; the action itself is run by handling.perform, as for the API.
READERS: dict[Action, Callable[[FormData], ActionInputs]] = {
    Action.DISPATCH: lambda f: ActionInputs(
        department=_department(f),
        co_departments=[str(c) for c in f.getlist("co_departments")],
        category=_optional(f, "category"),
        note=_optional(f, "note"),
    ),
    Action.ACCEPT: lambda f: ActionInputs(),
    Action.RETURN: lambda f: ActionInputs(reason=_text(f, "reason")),
    Action.CO_HANDLER_OPINION: lambda f: ActionInputs(opinion=_text(f, "opinion")),
    Action.REQUEST_EXTENSION: lambda f: ActionInputs(days=_days(f), reason=_text(f, "reason")),
    Action.DECIDE_EXTENSION: lambda f: ActionInputs(approve=_approve(f), note=_optional(f, "note")),
    Action.SUPERVISE: lambda f: ActionInputs(message=_text(f, "message")),
    Action.REPLY: lambda f: ActionInputs(text=_text(f, "text")),
    Action.APPROVE: lambda f: ActionInputs(note=_optional(f, "note")),
    Action.SEND_BACK: lambda f: ActionInputs(reason=_text(f, "reason")),
    Action.FOLLOW_UP: lambda f: ActionInputs(satisfaction=_satisfaction(f), note=_optional(f, "note")),
    Action.REOPEN: lambda f: ActionInputs(reason=_text(f, "reason")),
    Action.MERGE: lambda f: ActionInputs(main=_text(f, "main"), reason=_text(f, "reason")),
    Action.CLOSE_WITH_MAIN: lambda f: ActionInputs(),  # refused by the service: never by hand
}


def _typed(form: FormData) -> dict[str, Any]:
    """What was typed into a form, to show it again; the checkboxes as a list."""
    values: dict[str, Any] = {key: value for key, value in form.items() if key != csrf.FIELD}
    values["co_departments"] = [str(code) for code in form.getlist("co_departments")]
    return values


def _success_message(action: Action, form: FormData) -> str:
    if action is Action.DECIDE_EXTENSION:
        return "已批准延期申请" if _text(form, "decision") == "approve" else "已驳回延期申请"
    return f"“{action.label}”已完成"


@router.get("/appeals/{number}")
def detail(
    request: Request, number: Number, user: StaffUser, factory: Factory, suggestion: int | None = None
) -> Response:
    with transaction(factory) as session:
        context = detail_context(session, load(session, number, user), user)
    # ?suggestion=N: the dispatcher chose a classification suggestion; its department fills the form.
    picked = picked_department(context, suggestion)
    context["suggested_department"] = picked or context["suggested_department"]
    return render(request, "detail.html", context, user=user)


@router.post("/appeals/{number}/actions/{action}")
def act(
    request: Request,
    number: Number,
    action: str,
    user: StaffUser,
    factory: Factory,
    rules: Rules,
    posted: PostedForm,
) -> Response:
    try:
        chosen = Action(action)
    except ValueError:
        raise NotFound("页面不存在") from None
    try:
        csrf.check(request, posted)
        version = _version(posted)
        with transaction(factory) as session:
            appeal = load(session, number, user)
            given = replace(READERS[chosen](posted), version=version)
            handling.perform(session, appeal.id, user, rules, chosen, given)
            still_readable = can_read(user, appeal)
    except DomainError as error:
        # Shown again on the appeal's page, with what was typed; an appeal the viewer may not
        # read raises NotFound again here and becomes the 404 page.
        failed = FailedAction(chosen, _typed(posted), error.message, dict(error.errors))
        with transaction(factory) as session:
            context = detail_context(session, load(session, number, user), user, failed)
        status = 422 if isinstance(error, NotFound) else status_for(error)
        return render(request, "detail.html", context, user=user, status_code=status)
    flash(request, _success_message(chosen, posted))
    if not still_readable:
        # E.g. a department that returned the appeal no longer sees it.
        inbox = FEATURE_BY_KEY["inbox"]
        return redirect(inbox.path if inbox.allowed(user) else "/")
    return redirect(safe_next(posted.get("back"), f"/appeals/{number}"))
