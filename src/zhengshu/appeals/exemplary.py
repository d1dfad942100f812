"""Exemplary cases (典型案例): closed appeals marked by a curator as a positive or negative example of
handling, with a note saying why; a library searchable by category, kind and words."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from zhengshu.appeals.access import get_readable, readable_by
from zhengshu.appeals.library_models import ExemplaryCase
from zhengshu.appeals.models import Appeal
from zhengshu.appeals.presenters import free_text
from zhengshu.appeals.queries import LIKE_ESCAPE, PAGE_SIZE, escape_like
from zhengshu.appeals.workflow import Status
from zhengshu.audit import record
from zhengshu.clock import now
from zhengshu.errors import InvalidInput, PermissionDenied
from zhengshu.org.models import User
from zhengshu.org.roles import Permission, has_permission
from zhengshu.text.normalize import normalize_text

MAX_NOTE = 2000
SUBJECT = "appeal_case"


class CaseKind(StrEnum):
    POSITIVE = "positive"
    NEGATIVE = "negative"

    @property
    def label(self) -> str:
        return CASE_KIND_LABELS[self]


CASE_KIND_LABELS = {CaseKind.POSITIVE: "正面典型", CaseKind.NEGATIVE: "反面典型"}


def can_curate(user: User) -> bool:
    return has_permission(user.role, Permission.CASE_CURATE)


def _kind(value: str) -> CaseKind:
    try:
        return CaseKind(value)
    except ValueError:
        raise InvalidInput("请选择正面典型或反面典型", errors={"kind": "请选择"}) from None


def _note(value: str) -> str:
    note = normalize_text(value).strip()
    if not note:
        raise InvalidInput("请写明列为典型案例的理由", errors={"note": "请填写"})
    if len(note) > MAX_NOTE:
        raise InvalidInput(f"说明不能超过 {MAX_NOTE} 个字", errors={"note": "过长"})
    return note


def case_of(session: Session, appeal_id: int) -> ExemplaryCase | None:
    return session.scalar(select(ExemplaryCase).where(ExemplaryCase.appeal_id == appeal_id))


def mark(session: Session, actor: User, appeal_id: int, kind: str, note: str) -> ExemplaryCase:
    """Marks a closed appeal (or changes the kind and note of one already marked)."""
    if not can_curate(actor):
        raise PermissionDenied("当前账号无权标记典型案例")
    appeal = get_readable(session.get(Appeal, appeal_id), actor)
    if appeal.status != Status.CLOSED.value:
        raise InvalidInput("只有已办结的诉求才能列为典型案例")
    chosen, text = _kind(kind), _note(note)
    case = case_of(session, appeal.id)
    action = "appeal_case.updated" if case else "appeal_case.marked"
    if case is None:
        case = ExemplaryCase(appeal_id=appeal.id)
        session.add(case)
    case.kind, case.note, case.marked_by_id, case.marked_at = chosen.value, text, actor.id, now()
    session.flush()
    record(
        session,
        action,
        SUBJECT,
        appeal.id,
        actor_id=actor.id,
        actor_label=actor.display_name,
        data={"number": appeal.number, "kind": chosen.value, "note": text},
    )
    return case


def unmark(session: Session, actor: User, appeal_id: int) -> None:
    if not can_curate(actor):
        raise PermissionDenied("当前账号无权标记典型案例")
    appeal = get_readable(session.get(Appeal, appeal_id), actor)
    case = case_of(session, appeal.id)
    if case is None:
        raise InvalidInput("该诉求不是典型案例")
    record(
        session,
        "appeal_case.unmarked",
        SUBJECT,
        appeal.id,
        actor_id=actor.id,
        actor_label=actor.display_name,
        data={"number": appeal.number, "kind": case.kind},
    )
    session.delete(case)
    session.flush()


@dataclass(frozen=True)
class CasePage:
    rows: list[dict[str, Any]]
    total: int
    page: int
    size: int


def present(case: ExemplaryCase, viewer: User) -> dict[str, Any]:
    appeal = case.appeal
    return {
        "number": appeal.number,
        "title": free_text(appeal.title, appeal, viewer),
        "category": appeal.category,
        "kind": case.kind,
        "kind_label": CaseKind(case.kind).label,
        "note": case.note,
        "reply": free_text(appeal.reply, appeal, viewer),
        "department": appeal.lead_department.name if appeal.lead_department else None,
        "street": appeal.street.name if appeal.street else None,
        "satisfaction": appeal.satisfaction,
        "marked_at": case.marked_at,
        "closed_at": appeal.closed_at,
    }


def search(
    session: Session,
    viewer: User,
    *,
    category: str | None = None,
    kind: str | None = None,
    words: str | None = None,
    page: int = 1,
    size: int = PAGE_SIZE,
) -> CasePage:
    """The cases of appeals the viewer may read; words match the number exactly, or the title,
    the note or the reply literally (LIKE, as the appeal search)."""
    query = (
        select(ExemplaryCase).join(Appeal, Appeal.id == ExemplaryCase.appeal_id).where(readable_by(viewer))
    )
    if category:
        query = query.where(Appeal.category == category)
    if kind:
        query = query.where(ExemplaryCase.kind == _kind(kind).value)
    if words and words.strip():
        text = words.strip()
        like = f"%{escape_like(text)}%"
        query = query.where(
            or_(
                Appeal.number == text,
                Appeal.title.like(like, escape=LIKE_ESCAPE),
                ExemplaryCase.note.like(like, escape=LIKE_ESCAPE),
                Appeal.reply.like(like, escape=LIKE_ESCAPE),
            )
        )
    page, size = max(page, 1), min(max(size, 1), 200)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    ordered = query.order_by(ExemplaryCase.marked_at.desc(), ExemplaryCase.id.desc())
    items = list(session.scalars(ordered.limit(size).offset((page - 1) * size)).unique())
    return CasePage([present(case, viewer) for case in items], total, page, size)
