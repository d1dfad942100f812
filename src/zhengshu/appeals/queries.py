"""Read-side use cases: the queues and lists each role works from, and public tracking."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import Session

from zhengshu.appeals.access import readable_by
from zhengshu.appeals.handling import check_actor
from zhengshu.appeals.models import Appeal, CoHandler, ExtensionRequest, SupervisionNotice
from zhengshu.appeals.overdue import near_due as near_due_condition
from zhengshu.appeals.overdue import overdue as overdue_condition
from zhengshu.appeals.vocabulary import Urgency
from zhengshu.appeals.workflow import Action, Status, allowed_actions
from zhengshu.clock import now
from zhengshu.errors import NotFound, PermissionDenied
from zhengshu.org.models import User
from zhengshu.org.roles import Permission, Role, has_permission

PAGE_SIZE = 50
LIKE_ESCAPE = "\\"
HANDLING_STATUSES = (Status.DISPATCHED.value, Status.HANDLING.value)
URGENCY_RANK = case({Urgency.CRITICAL.value: 2, Urgency.URGENT.value: 1}, value=Appeal.urgency, else_=0)


@dataclass(frozen=True)
class Page:
    items: list[Appeal]
    total: int
    page: int
    size: int


def page_of(session: Session, query: Select[Appeal], page: int, size: int) -> Page:
    page = max(page, 1)
    size = min(max(size, 1), 200)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    items = list(session.scalars(query.limit(size).offset((page - 1) * size)).unique())
    return Page(items, total, page, size)


def escape_like(text: str) -> str:
    """The text as a LIKE pattern that matches it literally: a typed % or _ is no wildcard."""
    for char in (LIKE_ESCAPE, "%", "_"):
        text = text.replace(char, LIKE_ESCAPE + char)
    return text


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
        like = f"%{escape_like(keyword.strip())}%"
        query = query.where(
            or_(Appeal.number == keyword.strip(), Appeal.title.like(like, escape=LIKE_ESCAPE))
        )
    return page_of(session, query.order_by(Appeal.id.desc()), page, size)


def dispatch_queue(session: Session, page: int = 1, size: int = PAGE_SIZE) -> Page:
    query = (
        select(Appeal)
        .where(Appeal.status.in_((Status.SUBMITTED.value, Status.RETURNED.value)))
        .order_by(URGENCY_RANK.desc(), Appeal.created_at)
    )
    return page_of(session, query, page, size)


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
    return page_of(session, query, page, size)


def review_queue(session: Session, page: int = 1, size: int = PAGE_SIZE) -> Page:
    query = select(Appeal).where(Appeal.status == Status.REPLIED.value).order_by(Appeal.replied_at)
    return page_of(session, query, page, size)


def follow_up_queue(session: Session, page: int = 1, size: int = PAGE_SIZE) -> Page:
    query = (
        select(Appeal)
        .where(Appeal.status == Status.CLOSED.value, Appeal.satisfaction.is_(None))
        .order_by(Appeal.closed_at)
    )
    return page_of(session, query, page, size)


def overdue(
    session: Session, viewer: User, at: datetime | None = None, page: int = 1, size: int = PAGE_SIZE
) -> Page:
    moment = at or now()
    query = select(Appeal).where(readable_by(viewer), overdue_condition(moment)).order_by(Appeal.due_at)
    return page_of(session, query, page, size)


def near_due(
    session: Session, viewer: User, at: datetime | None = None, page: int = 1, size: int = PAGE_SIZE
) -> Page:
    moment = at or now()
    query = select(Appeal).where(readable_by(viewer), near_due_condition(moment)).order_by(Appeal.due_at)
    return page_of(session, query, page, size)


def supervision_notices(session: Session, viewer: User, limit: int = 200) -> list[SupervisionNotice]:
    query = (
        select(SupervisionNotice)
        .join(Appeal, Appeal.id == SupervisionNotice.appeal_id)
        .where(readable_by(viewer))
        .order_by(SupervisionNotice.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def supervision_list(session: Session, viewer: User, limit: int = 200) -> list[SupervisionNotice]:
    """The supervision notices as the API and the supervision page list them: for those allowed."""
    if not has_permission(viewer.role, Permission.SUPERVISION_LIST):
        raise PermissionDenied("当前账号无权查看督办单")
    return supervision_notices(session, viewer, limit)


def pending_extensions(session: Session, limit: int = 200) -> list[ExtensionRequest]:
    query = select(ExtensionRequest).where(ExtensionRequest.status == "pending").order_by(ExtensionRequest.id)
    return list(session.scalars(query.limit(limit)))


# The work queues, by the name the API and the pages share: who may open each and what it lists.


def _inbox(session: Session, viewer: User, page: int, size: int) -> Page:
    assert viewer.department_id is not None, "queue() lets only department members in"
    return department_inbox(session, viewer.department_id, page, size)


@dataclass(frozen=True)
class Queue:
    permission: Permission
    run: Callable[[Session, User, int, int], Page]
    # The inbox is a department's: an account outside every department has none.
    needs_department: bool = False


QUEUES: dict[str, Queue] = {
    "dispatch": Queue(Permission.APPEAL_DISPATCH, lambda s, u, p, n: dispatch_queue(s, p, n)),
    "inbox": Queue(Permission.APPEAL_HANDLE, _inbox, needs_department=True),
    "review": Queue(Permission.APPEAL_REVIEW, lambda s, u, p, n: review_queue(s, p, n)),
    "follow-up": Queue(Permission.APPEAL_FOLLOW_UP, lambda s, u, p, n: follow_up_queue(s, p, n)),
    "overdue": Queue(Permission.APPEAL_WATCH_DEADLINES, lambda s, u, p, n: overdue(s, u, page=p, size=n)),
    "near-due": Queue(Permission.APPEAL_WATCH_DEADLINES, lambda s, u, p, n: near_due(s, u, page=p, size=n)),
}


def may_open_queue(viewer: User, name: str) -> bool:
    """Whether opening the queue would list something rather than refuse: for menus and links."""
    spec = QUEUES.get(name)
    return (
        spec is not None
        and has_permission(viewer.role, spec.permission)
        and (not spec.needs_department or viewer.department_id is not None)
    )


def queue(session: Session, viewer: User, name: str, page: int = 1, size: int = PAGE_SIZE) -> Page:
    """One page of the named queue, after checking that the viewer may open it."""
    spec = QUEUES.get(name)
    if spec is None:
        raise NotFound(f"没有名为 {name} 的队列")
    if not has_permission(viewer.role, spec.permission):
        raise PermissionDenied("当前账号无权查看此队列")
    if spec.needs_department and viewer.department_id is None:
        raise NotFound("当前账号不属于任何承办单位")
    return spec.run(session, viewer, page, size)


def extensions_of(session: Session, appeal_id: int) -> list[ExtensionRequest]:
    return list(
        session.scalars(
            select(ExtensionRequest)
            .where(ExtensionRequest.appeal_id == appeal_id)
            .order_by(ExtensionRequest.id)
        )
    )


def available_actions(session: Session, appeal: Appeal, viewer: User) -> list[Action]:
    """The actions the viewer may take on the appeal now, as the API lists them and the appeal's
    page offers them: what the workflow allows the role in this status, less what the services
    would refuse this viewer (e.g. a co-handling department only gives its opinion) and what cannot
    apply to this appeal."""
    pending_extension = any(e.status == "pending" for e in extensions_of(session, appeal.id))
    result = []
    for action in allowed_actions(Status(appeal.status), Role(viewer.role)):
        try:
            check_actor(appeal, action, viewer)
        except PermissionDenied:
            continue
        if action is Action.REQUEST_EXTENSION and pending_extension:
            continue
        if action is Action.DECIDE_EXTENSION and not pending_extension:
            continue
        if action is Action.CO_HANDLER_OPINION and not appeal.co_handlers:
            continue
        if action is Action.FOLLOW_UP and appeal.satisfaction:
            continue
        result.append(action)
    return result


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
