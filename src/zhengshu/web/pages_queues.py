"""The staff home page, the work queues, the search list and the supervision list."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from zhengshu.appeals import queries
from zhengshu.appeals.models import Appeal, SupervisionNotice
from zhengshu.appeals.presenters import free_text
from zhengshu.appeals.workflow import ACTION_ROLES, Action, Status
from zhengshu.db import transaction
from zhengshu.errors import NotFound
from zhengshu.org import services
from zhengshu.org.models import User
from zhengshu.org.roles import Role
from zhengshu.web.deps import Factory
from zhengshu.web.pages_base import (
    FEATURE_BY_KEY,
    PageRoute,
    StaffUser,
    appeal_rows,
    features_for,
    pagination,
    render,
    require_feature,
)

router = APIRouter(route_class=PageRoute, include_in_schema=False)

QUEUE_HINTS = {
    "dispatch": "新受理和被退回的诉求，按紧急程度和受理时间排列。",
    "inbox": "本单位主办或协办、尚未办结的诉求，按办理时限排列。",
    "review": "承办单位已提交答复、等待审核的诉求。",
    "follow-up": "已办结、尚未回访的诉求。",
}
DEADLINE_HINTS = {
    "overdue": "已过办理时限仍未办结的诉求。",
    "near-due": "即将到期、需尽快办理的诉求。",
    "extensions": "承办单位提交的延期申请。",
}
NOTICE_KINDS = {"manual": "人工督办", "overdue_accept": "超期未签收", "overdue_handle": "超期未办结"}
EXTENSION_STATUSES = {"pending": "待审批", "approved": "已批准", "rejected": "已驳回"}
PageNumber = Annotated[int, Query(ge=1, le=100_000)]


def queue_page(
    session: Session, user: User, key: str, page: int = 1, size: int = queries.PAGE_SIZE
) -> queries.Page:
    if key == "dispatch":
        return queries.dispatch_queue(session, page, size)
    if key == "inbox":
        if user.department_id is None:
            raise NotFound("当前账号不属于任何承办单位")
        return queries.department_inbox(session, user.department_id, page, size)
    if key == "review":
        return queries.review_queue(session, page, size)
    if key == "follow-up":
        return queries.follow_up_queue(session, page, size)
    raise NotFound("页面不存在")


def may_decide_extensions(user: User) -> bool:
    return Role(user.role) in ACTION_ROLES[Action.DECIDE_EXTENSION]


def _card(label: str, path: str, count: int, hint: str, alert: bool = False) -> dict[str, Any]:
    return {"label": label, "path": path, "count": count, "hint": hint, "alert": alert}


@router.get("/")
def home(request: Request, user: StaffUser, factory: Factory) -> Response:
    cards: list[dict[str, Any]] = []
    features = features_for(user)
    with transaction(factory) as session:
        for feature in features:
            if feature.key in QUEUE_HINTS:
                count = queue_page(session, user, feature.key, 1, 1).total
                cards.append(_card(feature.label, feature.path, count, QUEUE_HINTS[feature.key]))
        if FEATURE_BY_KEY["supervision"] in features:
            overdue, near_due = queries.overdue(session, user).total, queries.near_due(session, user).total
            cards.append(_card("已超期", "/supervision#overdue", overdue, DEADLINE_HINTS["overdue"], True))
            cards.append(_card("24小时内到期", "/supervision#near-due", near_due, DEADLINE_HINTS["near-due"]))
            if may_decide_extensions(user):
                pending = len(queries.pending_extensions(session))
                hint = DEADLINE_HINTS["extensions"]
                cards.append(_card("待审批延期", "/supervision#extensions", pending, hint))
    links = [f for f in features if f.key in ("intake", "search")]
    return render(request, "home.html", {"cards": cards, "links": links}, user=user)


@router.get("/queues/{name}")
def queue(request: Request, name: str, user: StaffUser, factory: Factory, page: PageNumber = 1) -> Response:
    if name not in QUEUE_HINTS:
        raise NotFound("页面不存在")
    feature = require_feature(user, name)
    with transaction(factory) as session:
        result = queue_page(session, user, name, page)
        context = {
            "heading": feature.label,
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
    with transaction(factory) as session:
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
        "kind": NOTICE_KINDS.get(notice.kind, notice.kind),
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
    require_feature(user, "supervision")
    with transaction(factory) as session:
        overdue = queries.overdue(session, user)
        near_due = queries.near_due(session, user)
        context = {
            "may_decide": may_decide_extensions(user),
            "extensions": _pending_extension_rows(session, user) if may_decide_extensions(user) else [],
            "overdue": appeal_rows(overdue.items, user),
            "overdue_total": overdue.total,
            "near_due": appeal_rows(near_due.items, user),
            "near_due_total": near_due.total,
            "notices": [_notice_row(n, user) for n in queries.supervision_notices(session, user, limit=100)],
        }
    return render(request, "supervision.html", context, user=user)
