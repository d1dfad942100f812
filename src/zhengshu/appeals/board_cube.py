"""The dashboards' summary tables (zhengshu.appeals.board_models), kept up to date incrementally.

A refresh finds the appeals changed since the last one (``appeals.updated_at`` and ``id``, both
indexed, and closure audits by ``audited_at``/``decided_at``), and recomputes only the days those
appeals were received on, in every table, then the months of those days. Recomputing is idempotent,
so a refresh re-reads a short overlap before its mark: an update that committed late with an older
timestamp is still counted. The periodic job re-reads a longer one. The first refresh builds
everything.

Refreshes take turns: PostgreSQL's advisory lock, SQLite's single writer."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Date, Select, case, delete, func, insert, literal, or_, select, text
from sqlalchemy.orm import Session, sessionmaker

from zhengshu.appeals.board_measures import COUNTED, HANDLING_SECONDS, MEASURES, STORED, count, local_day
from zhengshu.appeals.board_models import AppealDayStats, BoardMark, StreetDayStats, StreetMonthStats
from zhengshu.appeals.closure_models import ClosureAudit
from zhengshu.appeals.days import month_end, months_between
from zhengshu.appeals.models import Appeal
from zhengshu.clock import day_start, local, now
from zhengshu.db import reading, transaction

MARK = "appeal_day_stats"
# Re-read this much before the mark: transactions that committed after a refresh with an older
# ``updated_at`` (they stamped it before committing) are picked up by the next refresh.
OVERLAP = timedelta(minutes=5)
# The periodic job's re-read: a transaction committing this long after its stamp is still counted.
JOB_OVERLAP = timedelta(hours=1)
# Days recomputed per statement.
DAYS_PER_STATEMENT = 31
_ADVISORY_KEY = 4_401_307_008  # any constant shared by every process of the platform

DIMENSIONS = ("street_id", "lead_department_id", "category", "type")
SUMS = (*STORED, "handling_seconds")


def as_date(value: date | str) -> date:
    """A date column's value (SQLite returns text for computed dates)."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def _day_ranges(days: Iterable[date]) -> list[tuple[date, date]]:
    """Consecutive days folded into (first, last) ranges."""
    ranges: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        if (
            ranges
            and day - ranges[-1][1] == timedelta(days=1)
            and (day - ranges[-1][0]).days < DAYS_PER_STATEMENT
        ):
            ranges[-1] = (ranges[-1][0], day)
        else:
            ranges.append((day, day))
    return ranges


def _from_appeals(where: ColumnElement[bool] | None) -> Select[Any]:
    conditions = [COUNTED] if where is None else [COUNTED, where]
    closed = MEASURES["closed"].condition
    keys = [getattr(Appeal, d) for d in (*DIMENSIONS, "community_id")]
    return (
        select(
            local_day(Appeal.created_at).label("day"),
            *keys,
            *[count(MEASURES[name].condition).label(name) for name in STORED],
            func.coalesce(func.sum(case((closed, HANDLING_SECONDS), else_=0)), 0).label("handling_seconds"),
        )
        .where(*conditions)
        .group_by(local_day(Appeal.created_at), *keys)
    )


def _summed(source: Any, moment: Any, where: ColumnElement[bool]) -> Select[Any]:
    """A coarser summary from a finer one: the same sums, grouped by ``moment`` and the dimensions."""
    keys = [getattr(source, d) for d in DIMENSIONS]
    sums = [func.sum(getattr(source, name)).label(name) for name in SUMS]
    return select(moment, *keys, *sums).where(where).group_by(moment, *keys)


def _recompute_days(session: Session, first: date, last: date) -> None:
    received = Appeal.created_at.between(
        day_start(first), day_start(last + timedelta(days=1)) - timedelta(microseconds=1)
    )
    for table in (AppealDayStats, StreetDayStats):
        session.execute(delete(table).where(table.day.between(first, last)))
    session.execute(
        insert(AppealDayStats).from_select(
            ["day", *DIMENSIONS, "community_id", *SUMS], _from_appeals(received)
        )
    )
    in_range = AppealDayStats.day.between(first, last)
    by_street = _summed(AppealDayStats, AppealDayStats.day, in_range)
    session.execute(insert(StreetDayStats).from_select(["day", *DIMENSIONS, *SUMS], by_street))


def _recompute_month(session: Session, month: date) -> None:
    session.execute(delete(StreetMonthStats).where(StreetMonthStats.month == month))
    days = StreetDayStats.day.between(month, month_end(month))
    summed = _summed(StreetDayStats, literal(month, Date).label("month"), days)
    session.execute(insert(StreetMonthStats).from_select(["month", *DIMENSIONS, *SUMS], summed))


def _recompute(session: Session, days: Iterable[date]) -> int:
    ranges = _day_ranges(days)
    for first, last in ranges:
        _recompute_days(session, first, last)
    # Every month a range touches: one of 31 days can span a whole February.
    for month in sorted({m for first, last in ranges for m in months_between(first, last)}):
        _recompute_month(session, month)
    return sum((last - first).days + 1 for first, last in ranges)


def _build(session: Session) -> None:
    for table in (AppealDayStats, StreetDayStats, StreetMonthStats):
        session.execute(delete(table))
    columns = ["day", *DIMENSIONS, "community_id", *SUMS]
    session.execute(insert(AppealDayStats).from_select(columns, _from_appeals(None)))
    by_street = _summed(AppealDayStats, AppealDayStats.day, AppealDayStats.day.is_not(None))
    session.execute(insert(StreetDayStats).from_select(["day", *DIMENSIONS, *SUMS], by_street))
    first, last = session.execute(select(func.min(StreetDayStats.day), func.max(StreetDayStats.day))).one()
    if first is not None:
        for month in months_between(as_date(first), as_date(last)):
            _recompute_month(session, month)


def _changed_days(session: Session, since: datetime, after_id: int) -> set[date]:
    by_appeal = (
        select(local_day(Appeal.created_at))
        .where(or_(Appeal.updated_at > since, Appeal.id > after_id))
        .distinct()
    )
    by_audit = (
        select(local_day(Appeal.created_at))
        .join(ClosureAudit, ClosureAudit.appeal_id == Appeal.id)
        .where(or_(ClosureAudit.audited_at > since, ClosureAudit.decided_at > since))
        .distinct()
    )
    return {as_date(d) for d in session.scalars(by_appeal.union(by_audit))}


@dataclass(frozen=True)
class _Seen:
    moment: datetime | None  # the newest change of an appeal or closure audit
    appeal_id: int  # the highest appeal id

    def beyond(self, mark: BoardMark) -> bool:
        newer = self.moment is not None and self.moment > local(mark.seen_to)
        return newer or self.appeal_id > mark.seen_id


def _seen(session: Session) -> _Seen:
    appeal = session.scalar(select(func.max(Appeal.updated_at)))
    audit = session.scalar(select(func.max(ClosureAudit.audited_at)))
    decided = session.scalar(select(func.max(ClosureAudit.decided_at)))
    moments = [local(m) for m in (appeal, audit, decided) if m is not None]
    return _Seen(max(moments) if moments else None, session.scalar(select(func.max(Appeal.id))) or 0)


@dataclass(frozen=True)
class Refresh:
    days: int
    rebuilt: bool


def _lock(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_KEY})


def refresh(session: Session, *, overlap: timedelta | None = None) -> Refresh:
    """Bring the summaries up to date with the appeals; cheap when nothing changed. With ``overlap``
    (the periodic job's), re-read that far back even when no newer change is visible."""
    _lock(session)
    seen = _seen(session)
    mark = session.get(BoardMark, MARK)
    moment = now()
    if mark is None:
        _build(session)
        session.add(
            BoardMark(name=MARK, seen_to=seen.moment or moment, seen_id=seen.appeal_id, refreshed_at=moment)
        )
        session.flush()
        return Refresh(days=0, rebuilt=True)
    if overlap is None and not seen.beyond(mark):
        return Refresh(days=0, rebuilt=False)
    since = local(mark.seen_to) - (overlap or OVERLAP)
    days = _recompute(session, _changed_days(session, since, mark.seen_id))
    mark.seen_to = max(local(mark.seen_to), seen.moment or moment)
    mark.seen_id = max(mark.seen_id, seen.appeal_id)
    mark.refreshed_at = moment
    session.flush()
    return Refresh(days=days, rebuilt=False)


def rebuild(session: Session) -> Refresh:
    """Drop the summaries and build them again from every appeal."""
    _lock(session)
    session.execute(delete(BoardMark).where(BoardMark.name == MARK))
    return refresh(session)


def refreshed_at(session: Session) -> datetime | None:
    mark = session.get(BoardMark, MARK)
    return local(mark.refreshed_at) if mark else None


def needs_refresh(session: Session) -> bool:
    """Whether anything changed since the last refresh (a few indexed reads)."""
    mark = session.get(BoardMark, MARK)
    return mark is None or _seen(session).beyond(mark)


def ensure_fresh(factory: sessionmaker[Session]) -> None:
    """Refresh before reading, writing only when something changed (reads never queue on SQLite's
    single writer otherwise)."""
    with reading(factory) as session:
        if not needs_refresh(session):
            return
    with transaction(factory) as session:
        refresh(session)
