"""What it means for an appeal to be overdue: the one definition lists, pages and the job share."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_
from sqlalchemy.orm import InstrumentedAttribute

from zhengshu.appeals.deadlines import NEAR_DUE_HOURS
from zhengshu.appeals.models import Appeal
from zhengshu.appeals.vocabulary import NoticeKind
from zhengshu.appeals.workflow import Status

# Each deadline an open appeal can miss, and the statuses in which it counts. An appeal never
# accepted misses its handling deadline too once that passes.
DEADLINES: dict[NoticeKind, tuple[frozenset[Status], InstrumentedAttribute[Any], str]] = {
    NoticeKind.OVERDUE_ACCEPT: (
        frozenset({Status.DISPATCHED}),
        Appeal.accept_due_at,
        "超过签收时限仍未签收，请立即签收办理",
    ),
    NoticeKind.OVERDUE_HANDLE: (
        frozenset({Status.DISPATCHED, Status.HANDLING}),
        Appeal.due_at,
        "已超过办理时限，请尽快办结并说明超期原因",
    ),
}
HANDLING_STATUSES, HANDLING_DUE, _ = DEADLINES[NoticeKind.OVERDUE_HANDLE]


def missed(kind: NoticeKind, at: datetime) -> ColumnElement[bool]:
    statuses, due, _message = DEADLINES[kind]
    return and_(Appeal.status.in_([s.value for s in statuses]), due < at)


def overdue(at: datetime) -> ColumnElement[bool]:
    """The SQL condition of an appeal past its handling deadline and not yet replied."""
    return missed(NoticeKind.OVERDUE_HANDLE, at)


def near_due(at: datetime) -> ColumnElement[bool]:
    """The SQL condition of an open appeal whose handling deadline falls within the next day."""
    return and_(
        Appeal.status.in_([s.value for s in HANDLING_STATUSES]),
        at <= HANDLING_DUE,
        at + timedelta(hours=NEAR_DUE_HOURS) > HANDLING_DUE,
    )


def is_overdue(appeal: Appeal, at: datetime) -> bool:
    return Status(appeal.status) in HANDLING_STATUSES and appeal.due_at is not None and appeal.due_at < at
