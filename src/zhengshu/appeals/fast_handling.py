"""民意速办: today's intake, the backlog, near-due and overdue appeals by department and street, the
period's handling rates and the supervision list. Live counts read the open appeals (few, indexed by
status); the period's rates read the summary table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from zhengshu.appeals.board_filters import BoardFilters
from zhengshu.appeals.board_rates import Rates
from zhengshu.appeals.board_totals import totals
from zhengshu.appeals.models import Appeal, SupervisionNotice
from zhengshu.appeals.overdue import missed, near_due, overdue
from zhengshu.appeals.vocabulary import CHANNEL_LABELS, NoticeKind
from zhengshu.appeals.workflow import OPEN_STATUSES, STATUS_LABELS, Status
from zhengshu.clock import day_start, local
from zhengshu.org.models import Department, Street

BACKLOG_STATUSES = tuple(s for s in Status if s in OPEN_STATUSES)
SUPERVISION_LIMIT = 100


# Live conditions (they depend on the moment) that the board counts and its drill-downs list.
def live_conditions(at: datetime) -> dict[str, tuple[str, ColumnElement[bool]]]:
    start = day_start(local(at).date())
    return {
        "today": ("今日受理", Appeal.created_at >= start),
        "dispatched_today": ("今日分拨", Appeal.dispatched_at >= start),
        "closed_today": ("今日办结", Appeal.closed_at >= start),
        "awaiting_dispatch": (
            "待分拨（含退回）",
            Appeal.status.in_([Status.SUBMITTED.value, Status.RETURNED.value]),
        ),
        "near_due": ("临期（24 小时内到期）", near_due(at)),
        "overdue": ("超期未办结", overdue(at)),
        "overdue_accept": ("超时未签收", missed(NoticeKind.OVERDUE_ACCEPT, at)),
        **{f"status_{s.value}": (STATUS_LABELS[s], Appeal.status == s.value) for s in BACKLOG_STATUSES},
    }


def _count(session: Session, *where: ColumnElement[bool]) -> int:
    return session.scalar(select(func.count(Appeal.id)).where(*where)) or 0


@dataclass(frozen=True)
class Overview:
    today: dict[str, int]
    today_by_channel: list[tuple[str, int]]
    backlog: list[tuple[str, str, int]]  # (live key, label, count)
    rates: Rates


def overview(session: Session, filters: BoardFilters, at: datetime) -> Overview:
    live = live_conditions(at)
    area = filters.area_where()
    today = {
        key: _count(session, live[key][1], *area) for key in ("today", "dispatched_today", "closed_today")
    }
    today.update(
        {key: _count(session, live[key][1], *area) for key in ("near_due", "overdue", "overdue_accept")}
    )
    by_channel = session.execute(
        select(Appeal.channel, func.count(Appeal.id))
        .where(live["today"][1], *area)
        .group_by(Appeal.channel)
        .order_by(func.count(Appeal.id).desc())
    )
    by_status = dict(
        session.execute(
            select(Appeal.status, func.count(Appeal.id))
            .where(Appeal.status.in_([s.value for s in BACKLOG_STATUSES]), *area)
            .group_by(Appeal.status)
        ).all()
    )
    backlog = [
        (f"status_{s.value}", STATUS_LABELS[s], int(by_status.get(s.value, 0))) for s in BACKLOG_STATUSES
    ]
    summed = totals(session, filters)
    return Overview(
        today=today,
        today_by_channel=[(CHANNEL_LABELS.get(c, c), int(n)) for c, n in by_channel],  # type: ignore[call-overload]
        backlog=backlog,
        rates=Rates.of(summed[0]),
    )


@dataclass(frozen=True)
class DueRow:
    code: str
    name: str
    near_due: int
    overdue: int
    overdue_accept: int

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _due_by(session: Session, key: Any, filters: BoardFilters, at: datetime) -> dict[Any, dict[str, int]]:
    live = live_conditions(at)
    counts: dict[Any, dict[str, int]] = {}
    for name in ("near_due", "overdue", "overdue_accept"):
        query = select(key, func.count(Appeal.id)).where(live[name][1], *filters.area_where()).group_by(key)
        for value, n in session.execute(query):
            counts.setdefault(value, {"near_due": 0, "overdue": 0, "overdue_accept": 0})[name] = int(n)
    return counts


def due_by_department(session: Session, filters: BoardFilters, at: datetime) -> list[DueRow]:
    counts = _due_by(session, Appeal.lead_department_id, filters, at)
    departments = {
        d.id: d for d in session.scalars(select(Department).where(Department.id.in_(list(counts))))
    }
    rows = [
        DueRow(departments[i].code, departments[i].name, **c) for i, c in counts.items() if i in departments
    ]
    return sorted(rows, key=lambda r: (-r.overdue, -r.overdue_accept, -r.near_due, r.code))


def due_by_street(session: Session, filters: BoardFilters, at: datetime) -> list[DueRow]:
    counts = _due_by(session, Appeal.street_id, filters, at)
    rows = []
    for street in session.scalars(select(Street).order_by(Street.code)):
        c = counts.get(street.id, {"near_due": 0, "overdue": 0, "overdue_accept": 0})
        rows.append(DueRow(street.code, street.name, **c))
    return sorted(rows, key=lambda r: (-r.overdue, -r.overdue_accept, -r.near_due, r.code))


def rates_by(session: Session, filters: BoardFilters, key: str) -> dict[Any, Rates]:
    """The period's rates per street (``street_id``) or department (``lead_department_id``)."""
    return {row[key]: Rates.of(row) for row in totals(session, filters, by=[key])}


def supervision(
    session: Session, filters: BoardFilters, limit: int = SUPERVISION_LIMIT
) -> list[SupervisionNotice]:
    """Supervision notices of appeals still open, newest first: what the centre is chasing now."""
    query = (
        select(SupervisionNotice)
        .join(Appeal, Appeal.id == SupervisionNotice.appeal_id)
        .where(Appeal.status.in_([s.value for s in OPEN_STATUSES]), *filters.area_where())
        .order_by(SupervisionNotice.issued_at.desc(), SupervisionNotice.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))
