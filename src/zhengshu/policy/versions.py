"""Versions of a document and their status: which document a new text belongs to, a new version
superseding the current one, repeals, and the officer's corrections of metadata."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any, Protocol

from sqlalchemy import ColumnElement, String, cast, func, or_, select
from sqlalchemy.orm import Session

from zhengshu import audit
from zhengshu.clock import now
from zhengshu.errors import InvalidInput, NotFound
from zhengshu.org.models import User
from zhengshu.policy.metadata import filing_year, normalise_document_number, parse_chinese_day
from zhengshu.policy.models import (
    EDITABLE_FIELDS,
    PolicyDocument,
    PolicyStatus,
    PolicyVersion,
    check_transition,
)
from zhengshu.text.normalize import collapse_whitespace, remove_control_characters

__all__ = [
    "EDITABLE_FIELDS",
    "SUBJECT",
    "current_version",
    "find_document",
    "is_older",
    "repealed_by_others",
    "repeal_targets",
    "same_text_version",
    "set_status",
    "update_metadata",
    "validate_fields",
]

# The audit log's subject type of every change to a version (import, edit, status): the Q&A's index
# watches it (zhengshu.policy.library_index).
SUBJECT = "policy_version"

_DATE_FIELDS = ("written_on", "published_on", "effective_on", "valid_until")
_FIELD_LABELS = {
    "title": "标题",
    "document_number": "文号",
    "issuing_body": "发文机关",
    "written_on": "成文日期",
    "published_on": "发布日期",
    "effective_on": "施行日期",
    "valid_until": "有效期至",
    "status": "状态",
    "topics": "主题",
}


def actor_label(actor: User | None) -> str:
    return actor.display_name if actor else "系统"


def current_version(session: Session, document_id: int) -> PolicyVersion | None:
    return session.scalars(
        select(PolicyVersion).where(PolicyVersion.document_id == document_id, PolicyVersion.is_current)
    ).first()


def same_text_version(session: Session, document_id: int, content_hash: str) -> PolicyVersion | None:
    return session.scalars(
        select(PolicyVersion).where(
            PolicyVersion.document_id == document_id, PolicyVersion.content_hash == content_hash
        )
    ).first()


def find_document(
    session: Session, doc_key: str, document_number: str | None, title: str, issuing_body: str | None
) -> PolicyDocument | None:
    """The document a new text is a version of: the same key; else the same 文号; else a current
    version with the same title and issuing body (a revision often gets a new 文号)."""
    document = session.scalars(select(PolicyDocument).where(PolicyDocument.doc_key == doc_key)).first()
    if document or doc_key.startswith("docid:"):
        return document
    if document_number:
        found = session.scalars(
            select(PolicyVersion.document_id).where(PolicyVersion.document_number == document_number)
        ).first()
        if found is not None:
            return session.get(PolicyDocument, found)
    same_title = select(PolicyVersion.document_id).where(
        PolicyVersion.is_current,
        PolicyVersion.title == title,
        PolicyVersion.issuing_body == issuing_body
        if issuing_body is not None
        else PolicyVersion.issuing_body.is_(None),
    )
    found = session.scalars(same_title).first()
    return session.get(PolicyDocument, found) if found is not None else None


def set_status(
    session: Session,
    version: PolicyVersion,
    target: PolicyStatus,
    *,
    actor: User | None,
    reason: str,
    data: dict[str, Any] | None = None,
) -> bool:
    """Change a version's status through the transition table, audited; False when unchanged."""
    current = PolicyStatus(version.status)
    if current == target:
        return False
    check_transition(current, target)
    version.status = target.value
    audit.record(
        session,
        "policy.status_changed",
        SUBJECT,
        version.id,
        actor_id=actor.id if actor else None,
        actor_label=actor_label(actor),
        data={"from": current.value, "to": target.value, "reason": reason, **(data or {})},
    )
    return True


class Dated(Protocol):
    """What tells when a text was issued: a stored version or freshly extracted metadata."""

    @property
    def written_on(self) -> date | None: ...
    @property
    def published_on(self) -> date | None: ...
    @property
    def effective_on(self) -> date | None: ...
    @property
    def year(self) -> int | None: ...


def is_older(first: Dated, second: Dated) -> bool | None:
    """Whether `first` was issued before `second`: by 成文日期, else 发布日期, else 施行日期 (the
    first each has), else by year; None when their dates do not tell."""
    days = [
        next((d for d in (v.written_on, v.published_on, v.effective_on) if d), None) for v in (first, second)
    ]
    if days[0] is not None and days[1] is not None:
        return days[0] < days[1]
    if first.year is not None and second.year is not None:
        return first.year < second.year
    return None


def _not_newer(target: PolicyVersion, repealer: PolicyVersion) -> bool | None:
    """Whether a repeal can reach `target`: a text issued after the repealing one is a re-issue
    the repeal did not know of. None when the dates do not tell."""
    newer = is_older(repealer, target)
    return None if newer is None else not newer


def _names(reference: str, version: PolicyVersion) -> bool:
    """Whether a repeal reference (a 文号, else a title) names this version. A 文号 is matched
    alone: a revision keeps its title under a new 文号."""
    number = normalise_document_number(reference)
    if number is not None:
        return number == version.document_number
    return reference == version.title or f"《{reference}》" in version.title


def repeal_targets(session: Session, repealer: PolicyVersion) -> list[PolicyVersion]:
    """Current versions of other documents that `repealer` names by 文号 or title, issued no later
    than it (or of unknown date: they were imported before it)."""
    references = repealer.repeals
    if not references:
        return []
    numbers = [number for ref in references if (number := normalise_document_number(ref))]
    titles = [ref for ref in references if normalise_document_number(ref) is None]
    conditions: list[ColumnElement[bool]] = []
    if numbers:
        conditions.append(PolicyVersion.document_number.in_(numbers))
    for title in titles:
        conditions.append(PolicyVersion.title == title)
        # "关于印发《X》的通知" is the document X.
        conditions.append(PolicyVersion.title.contains(f"《{title}》"))
    query = select(PolicyVersion).where(
        PolicyVersion.is_current, PolicyVersion.document_id != repealer.document_id, or_(*conditions)
    )
    return [
        target
        for target in session.scalars(query)
        if any(_names(ref, target) for ref in references) and _not_newer(target, repealer) is not False
    ]


def repealed_by_others(session: Session, version: PolicyVersion) -> PolicyVersion | None:
    """A current version of another document, imported before this one, that repeals it. When
    their dates do not tell which came first, only a repeal naming this 文号 counts."""
    # Only documents that repeal something are read; their repeal lists are short.
    query = select(PolicyVersion).where(
        PolicyVersion.is_current,
        PolicyVersion.document_id != version.document_id,
        cast(PolicyVersion.repeals, String) != "[]",
    )
    for other in session.scalars(query):
        named = [ref for ref in other.repeals if _names(ref, version)]
        if not named:
            continue
        reachable = _not_newer(version, other)
        if reachable or (
            reachable is None and any(normalise_document_number(ref) is not None for ref in named)
        ):
            return other
    return None


def validate_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Officer-entered metadata checked and converted; InvalidInput names each bad field."""
    unknown = sorted(set(fields) - set(EDITABLE_FIELDS))
    if unknown:
        raise InvalidInput(f"不能修改的字段：{'、'.join(unknown)}")
    values: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for name, value in fields.items():
        try:
            values[name] = _field_value(name, value)
        except ValueError as error:
            problems[name] = str(error)
    if problems:
        listed = "；".join(f"{_FIELD_LABELS[name]}：{message}" for name, message in problems.items())
        raise InvalidInput(f"元数据有误：{listed}", errors=problems)
    return values


def _field_value(name: str, value: Any) -> Any:
    if name in _DATE_FIELDS:
        return _date_value(value)
    if name == "status":
        try:
            return PolicyStatus.from_label(str(value).strip())
        except ValueError:
            raise ValueError("应为 现行有效、已修改、已废止 或 已失效") from None
    if name == "topics":
        if isinstance(value, str):
            value = re.split(r"[,，、;；\s]+", value)
        if not isinstance(value, list | tuple):
            raise ValueError("应为主题列表")
        topics = [collapse_whitespace(remove_control_characters(str(topic))) for topic in value]
        topics = list(dict.fromkeys(topic for topic in topics if topic))
        if len(topics) > 10 or any(len(topic) > 20 for topic in topics):
            raise ValueError("最多 10 个主题，每个不超过 20 字")
        return topics
    text = collapse_whitespace(remove_control_characters(str(value or "")))
    if name == "title":
        if not text or len(text) > 300:
            raise ValueError("不能为空，且不超过 300 字")
        return text
    if name == "document_number":
        if not text:
            return None
        number = normalise_document_number(text)
        if number is None or len(number) > 64:
            raise ValueError("格式应如 深龙府办规〔2024〕3号")
        return number
    if len(text) > 100:  # issuing_body
        raise ValueError("不超过 100 字")
    return text or None


def _date_value(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    day = parse_chinese_day(str(value))
    if day is None:
        raise ValueError("日期格式应如 2024-03-15 或 2024年3月15日")
    return day


def update_metadata(
    session: Session, version_id: int, fields: Mapping[str, Any], actor: User | None
) -> PolicyVersion:
    """An officer's correction of a version's metadata: validated, audited with old and new values,
    and remembered as edited (sources say 人工修改) so a re-import does not hide it."""
    version = session.get(PolicyVersion, version_id)
    if version is None:
        raise NotFound("政策文件版本不存在")
    values = validate_fields(fields)
    if "valid_until" in values or "effective_on" in values:
        effective = values.get("effective_on", version.effective_on)
        until = values.get("valid_until", version.valid_until)
        if effective and until and until < effective:
            raise InvalidInput("有效期至不能早于施行日期", errors={"valid_until": "早于施行日期"})
    status = values.pop("status", None)
    if status is not None and status.value != version.status:
        if status == PolicyStatus.IN_FORCE and not version.is_current:
            # The Q&A would otherwise cite two versions of one document as in force.
            raise InvalidInput(
                "历史版本不能设为现行有效，请导入或编辑当前版本", errors={"status": "历史版本"}
            )
        check_transition(PolicyStatus(version.status), status)
    changes: dict[str, list[Any]] = {}
    for name, value in values.items():
        old = getattr(version, name)
        if old != value:
            changes[name] = [_shown(old), _shown(value)]
            setattr(version, name, value)
    # Status changes have one path, audited as policy.status_changed.
    status_changed = status is not None and set_status(
        session, version, status, actor=actor, reason="人工修改"
    )
    if not changes and not status_changed:
        return version
    version.metadata_edited = True
    edited = [*changes, *(["status"] if status_changed else [])]
    version.metadata_sources = {**version.metadata_sources, **{name: "人工修改" for name in edited}}
    version.year = filing_year(
        version.written_on, version.published_on, version.effective_on, version.document_number
    )
    if changes:
        audit.record(
            session,
            "policy.metadata_edited",
            SUBJECT,
            version.id,
            actor_id=actor.id if actor else None,
            actor_label=actor_label(actor),
            data={"changes": changes},
            at=now(),
        )
    return version


def _shown(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def next_version_no(session: Session, document_id: int) -> int:
    latest = session.scalar(
        select(func.max(PolicyVersion.version_no)).where(PolicyVersion.document_id == document_id)
    )
    return (latest or 0) + 1
