"""Read-side use cases: the queues and lists each role works from, and public tracking."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import Session

from zhengshu.appeals.access import readable_by
from zhengshu.appeals.deadlines import NEAR_DUE_HOURS
from zhengshu.appeals.models import Appeal, CoHandler, ExtensionRequest, SupervisionNotice
from zhengshu.appeals.vocabulary import Urgency
from zhengshu.appeals.workflow import Status
from zhengshu.clock import now
from zhengshu.org.models import User

PAGE_SIZE = 50
HANDLING_STATUSES = (Status.DISPATCHED.value, Status.HANDLING.value)
URGENCY_RANK = case({Urgency.CRITICAL.value: 2, Urgency.URGENT.value: 1}, value=Appeal.urgency, else_=0)


@dataclass(frozen=True)
class Page:
    items: list[Appeal]
    total: int
    page: int
    size: int


def _page(session: Session, query: Select[Appeal], page: int, size: int) -> Page:
    page = max(page, 1)
    size = min(max(size, 1), 200)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    items = list(session.scalars(query.limit(size).offset((page - 1) * size)).unique())
    return Page(items, total, page, size)


def search(
    session: Session,
    viewer: User,
    *,
    status: str | None = None,
    street_id: int | None = None,
    department_id: int | None = None,
    keyword: str | None = None,
    page: int = 1,
    size: int = PAGE_SIZE,
) -> Page:
    query = select(Appeal).where(readable_by(viewer))
    if status:
        query = query.where(Appeal.status == status)
    if street_id:
        query = query.where(Appeal.street_id == street_id)
    if department_id:
        query = query.where(Appeal.lead_department_id == department_id)
    if keyword:
        like = f"%{keyword.strip()}%"
        query = query.where(or_(Appeal.number == keyword.strip(), Appeal.title.like(like)))
    return _page(session, query.order_by(Appeal.id.desc()), page, size)


def dispatch_queue(session: Session, page: int = 1, size: int = PAGE_SIZE) -> Page:
    query = (
        select(Appeal)
        .where(Appeal.status.in_((Status.SUBMITTED.value, Status.RETURNED.value)))
        .order_by(URGENCY_RANK.desc(), Appeal.created_at)
    )
    return _page(session, query, page, size)


def department_inbox(session: Session, department_id: int, page: int = 1, size: int = PAGE_SIZE) -> Page:
    co_handled = select(CoHandler.appeal_id).where(
        CoHandler.department_id == department_id, CoHandler.opinion.is_(None)
    )
    query = (
        select(Appeal)
        .where(
            Appeal.status.in_(HANDLING_STATUSES),
            or_(Appeal.lead_department_id == department_id, Appeal.id.in_(co_handled)),
        )
        .order_by(Appeal.due_at)
    )
    return _page(session, query, page, size)


def review_queue(session: Session, page: int = 1, size: int = PAGE_SIZE) -> Page:
    query = select(Appeal).where(Appeal.status == Status.REPLIED.value).order_by(Appeal.replied_at)
    return _page(session, query, page, size)


def follow_up_queue(session: Session, page: int = 1, size: int = PAGE_SIZE) -> Page:
    query = (
        select(Appeal)
        .where(Appeal.status == Status.CLOSED.value, Appeal.satisfaction.is_(None))
        .order_by(Appeal.closed_at)
    )
    return _page(session, query, page, size)


def overdue(session: Session, viewer: User, at: datetime | None = None, page: int = 1) -> Page:
    moment = at or now()
    query = (
        select(Appeal)
        .where(readable_by(viewer), Appeal.status.in_(HANDLING_STATUSES), Appeal.due_at < moment)
        .order_by(Appeal.due_at)
    )
    return _page(session, query, page, PAGE_SIZE)


def near_due(session: Session, viewer: User, at: datetime | None = None, page: int = 1) -> Page:
    moment = at or now()
    query = (
        select(Appeal)
        .where(
            readable_by(viewer),
            Appeal.status.in_(HANDLING_STATUSES),
            Appeal.due_at >= moment,
            Appeal.due_at < moment + timedelta(hours=NEAR_DUE_HOURS),
        )
        .order_by(Appeal.due_at)
    )
    return _page(session, query, page, PAGE_SIZE)


def supervision_notices(session: Session, viewer: User, limit: int = 200) -> list[SupervisionNotice]:
    query = (
        select(SupervisionNotice)
        .join(Appeal, Appeal.id == SupervisionNotice.appeal_id)
        .where(readable_by(viewer))
        .order_by(SupervisionNotice.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def pending_extensions(session: Session, limit: int = 200) -> list[ExtensionRequest]:
    query = select(ExtensionRequest).where(ExtensionRequest.status == "pending").order_by(ExtensionRequest.id)
    return list(session.scalars(query.limit(limit)))


def extensions_of(session: Session, appeal_id: int) -> list[ExtensionRequest]:
    return list(
        session.scalars(
            select(ExtensionRequest)
            .where(ExtensionRequest.appeal_id == appeal_id)
            .order_by(ExtensionRequest.id)
        )
    )


def notices_of(session: Session, appeal_id: int) -> list[SupervisionNotice]:
    return list(
        session.scalars(
            select(SupervisionNotice)
            .where(SupervisionNotice.appeal_id == appeal_id)
            .order_by(SupervisionNotice.id)
        )
    )


def by_number(session: Session, number: str) -> Appeal | None:
    return session.scalar(select(Appeal).where(Appeal.number == number.strip()))


def track(session: Session, number: str, phone_last4: str) -> Appeal | None:
    """Public tracking needs the number and the phone's last four digits; a wrong pair and an
    unknown number look the same."""
    digits = phone_last4.strip()
    if len(digits) != 4 or not digits.isdigit():
        return None
    appeal = by_number(session, number)
    if appeal is None or appeal.appellant_phone_last4 != digits:
        return None
    return appeal
