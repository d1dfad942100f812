"""The staff home page (an applicant is sent to their own), the work queues, the search list and the
supervision list."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from zhengshu.appeals import queries
from zhengshu.appeals.models import Appeal, SupervisionNotice
from zhengshu.appeals.presenters import free_text
from zhengshu.appeals.vocabulary import NoticeKind
from zhengshu.appeals.workflow import ACTION_ROLES, Action, Status
from zhengshu.db import reading
from zhengshu.org import services
from zhengshu.org.models import User
from zhengshu.org.roles import Role
from zhengshu.web.deps import Factory
from zhengshu.web.pages_base import (
    APPLICANT_HOME,
    FEATURE_BY_KEY,
    PageRoute,
    SignedInUser,
    StaffUser,
    appeal_rows,
    features_for,
    is_applicant,
    pagination,
    redirect,
    render,
    require_feature,
)

router = APIRouter(route_class=PageRoute, include_in_schema=False)

# Every queue of zhengshu.appeals.queries.QUEUES, as the pages explain it. Who may open a queue is
# said there, and the page asks it exactly as the JSON API does.
WORK_QUEUES = ("dispatch", "inbox", "review", "follow-up")
DEADLINE_QUEUES = ("overdue", "near-due")
QUEUE_LABELS = {
    **{name: FEATURE_BY_KEY[name].label for name in WORK_QUEUES},
    "overdue": "已超期",
    "near-due": "24小时内到期",
}
QUEUE_HINTS = {
    "dispatch": "新受理和被退回的诉求，按紧急程度和受理时间排列。",
    "inbox": "本单位主办或协办、尚未办结的诉求，按办理时限排列。",
    "review": "承办单位已提交答复、等待审核的诉求。",
    "follow-up": "已办结、尚未回访的诉求。",
    "overdue": "已过办理时限仍未办结的诉求。",
    "near-due": "即将到期、需尽快办理的诉求。",
}
EXTENSIONS_HINT = "承办单位提交的延期申请。"
PageNumber = Annotated[int, Query(ge=1, le=100_000)]


def may_decide_extensions(user: User) -> bool:
    """From the action table the services enforce, so the list and the decision never disagree."""
    return Role(user.role) in ACTION_ROLES[Action.DECIDE_EXTENSION]


def _card(label: str, path: str, count: int, hint: str, alert: bool = False) -> dict[str, Any]:
    return {"label": label, "path": path, "count": count, "hint": hint, "alert": alert}


@router.get("/")
def home(request: Request, user: SignedInUser, factory: Factory) -> Response:
    if is_applicant(user):
        return redirect(APPLICANT_HOME)
    cards: list[dict[str, Any]] = []
    with reading(factory) as session:
        for name in (*WORK_QUEUES, *DEADLINE_QUEUES):
            if queries.may_open_queue(user, name):
                count = queries.queue(session, user, name, 1, 1).total
                alert = name == "overdue"
                cards.append(_card(QUEUE_LABELS[name], f"/queues/{name}", count, QUEUE_HINTS[name], alert))
        if may_decide_extensions(user):
            pending = len(queries.pending_extensions(session))
            cards.append(_card("待审批延期", "/supervision#extensions", pending, EXTENSIONS_HINT))
    links = [f for f in features_for(user) if f.key in ("intake", "search")]
    return render(request, "home.html", {"cards": cards, "links": links}, user=user)


@router.get("/queues/{name}")
def queue(request: Request, name: str, user: StaffUser, factory: Factory, page: PageNumber = 1) -> Response:
    with reading(factory) as session:
        result = queries.queue(session, user, name, page)
        context = {
            "heading": QUEUE_LABELS[name],
            "hint": QUEUE_HINTS[name],
            "rows": appeal_rows(result.items, user),
            "pager": pagination(request, result),
        }
    return render(request, "queue.html", context, user=user)


@router.get("/appeals")
def search(
    request: Request,
    user: StaffUser,
    factory: Factory,
    status: Annotated[str, Query(max_length=16)] = "",
    street: Annotated[str, Query(max_length=16)] = "",
    q: Annotated[str, Query(max_length=100)] = "",
    page: PageNumber = 1,
) -> Response:
    require_feature(user, "search")
    status_value = status if status in {s.value for s in Status} else None
    keyword = q.strip()
    with reading(factory) as session:
        streets = services.streets(session)
        street_id = next((s.id for s in streets if s.code == street), None)
        result = queries.search(
            session, user, status=status_value, street_id=street_id, keyword=keyword or None, page=page
        )
        context = {
            "rows": appeal_rows(result.items, user),
            "pager": pagination(request, result),
            "statuses": [(s.value, s.label) for s in Status],
            "streets": [(s.code, s.name) for s in streets],
            "filters": {"status": status_value or "", "street": street if street_id else "", "q": keyword},
        }
    return render(request, "search.html", context, user=user)


def _notice_row(notice: SupervisionNotice, user: User) -> dict[str, Any]:
    appeal = notice.appeal
    return {
        "number": appeal.number,
        "title": free_text(appeal.title, appeal, user),
        "department": appeal.lead_department.name if appeal.lead_department else "",
        "kind": NoticeKind(notice.kind).label,
        "message": notice.message,
        "issued_at": notice.issued_at,
        "due_at": notice.due_at,
    }


def _pending_extension_rows(session: Session, user: User) -> list[dict[str, Any]]:
    rows = []
    for extension in queries.pending_extensions(session):
        appeal = session.get_one(Appeal, extension.appeal_id)
        requester = session.get(User, extension.requested_by_id)
        rows.append(
            {
                "number": appeal.number,
                "title": free_text(appeal.title, appeal, user),
                "version": appeal.version,
                "department": appeal.lead_department.name if appeal.lead_department else "",
                "due_at": appeal.due_at,
                "days": extension.days,
                "reason": free_text(extension.reason, appeal, user),
                "requested_at": extension.requested_at,
                "requested_by": requester.display_name if requester else "",
            }
        )
    return rows


@router.get("/supervision")
def supervision(request: Request, user: StaffUser, factory: Factory) -> Response:
    may_decide = may_decide_extensions(user)
    with reading(factory) as session:
        notices = queries.supervision_list(session, user, limit=100)
        overdue = queries.queue(session, user, "overdue")
        near_due = queries.queue(session, user, "near-due")
        context = {
            "may_decide": may_decide,
            "extensions": _pending_extension_rows(session, user) if may_decide else [],
            "overdue": appeal_rows(overdue.items, user),
            "overdue_total": overdue.total,
            "near_due": appeal_rows(near_due.items, user),
            "near_due_total": near_due.total,
            "notices": [_notice_row(n, user) for n in notices],
        }
    return render(request, "supervision.html", context, user=user)
