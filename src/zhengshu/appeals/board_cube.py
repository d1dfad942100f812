"""The dashboards' summary tables (zhengshu.appeals.board_models), kept up to date incrementally.

A refresh finds the appeals changed since the last one (``appeals.updated_at``, indexed, and closure
audits by ``audited_at``/``decided_at``), and recomputes only the days those appeals were received on,
then the months of those days. Recomputing is idempotent, so a refresh re-reads a short overlap before
its mark: an update that committed late with an older timestamp is still counted. The first refresh
builds everything."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Date, Select, case, delete, func, insert, literal, or_, select, text
from sqlalchemy.orm import Session, sessionmaker

from zhengshu.appeals.board_measures import COUNTED, HANDLING_SECONDS, MEASURES, STORED, count, local_day
from zhengshu.appeals.board_models import AppealDayStats, BoardMark, StreetDayStats, StreetMonthStats
from zhengshu.appeals.closure_models import ClosureAudit
from zhengshu.appeals.models import Appeal
from zhengshu.clock import TZ, local, now
from zhengshu.db import reading, transaction

MARK = "appeal_day_stats"
# Re-read this much before the mark: transactions that committed after a refresh with an older
# ``updated_at`` (they stamped it before committing) are picked up by the next refresh.
OVERLAP = timedelta(minutes=5)
# Days recomputed per statement.
DAYS_PER_STATEMENT = 31
_ADVISORY_KEY = 4_401_307_008  # any constant shared by every process of the platform
_process_lock = threading.Lock()

DIMENSIONS = ("street_id", "lead_department_id", "category", "type")
SUMS = (*STORED, "handling_seconds")


def _day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=TZ)


def month_of(day: date) -> date:
    return day.replace(day=1)


def month_end(month: date) -> date:
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


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
        _day_start(first), _day_start(last + timedelta(days=1)) - timedelta(microseconds=1)
    )
    for table in (AppealDayStats, StreetDayStats):
        session.execute(delete(table).where(table.day.between(first, last)))
    session.execute(
        insert(AppealDayStats).from_select(
            ["day", *DIMENSIONS, "community_id", *SUMS], _from_appeals(received)
        )
    )
    in_range = AppealDayStats.day.between(first, last)
    session.execute(
        insert(StreetDayStats).from_select(
            ["day", *DIMENSIONS, *SUMS], _summed(AppealDayStats, AppealDayStats.day, in_range)
        )
    )


def _recompute_month(session: Session, month: date) -> None:
    session.execute(delete(StreetMonthStats).where(StreetMonthStats.month == month))
    days = StreetDayStats.day.between(month, month_end(month))
    summed = _summed(StreetDayStats, literal(month, Date).label("month"), days)
    session.execute(insert(StreetMonthStats).from_select(["month", *DIMENSIONS, *SUMS], summed))


def _recompute(session: Session, days: Iterable[date]) -> int:
    ranges = _day_ranges(days)
    for first, last in ranges:
        _recompute_days(session, first, last)
    for month in sorted({month_of(d) for first, last in ranges for d in (first, last)}):
        _recompute_month(session, month)
    return sum((last - first).days + 1 for first, last in ranges)


def _build(session: Session) -> None:
    for table in (AppealDayStats, StreetDayStats, StreetMonthStats):
        session.execute(delete(table))
    session.execute(
        insert(AppealDayStats).from_select(["day", *DIMENSIONS, "community_id", *SUMS], _from_appeals(None))
    )
    every_day = AppealDayStats.day.is_not(None)
    session.execute(
        insert(StreetDayStats).from_select(
            ["day", *DIMENSIONS, *SUMS], _summed(AppealDayStats, AppealDayStats.day, every_day)
        )
    )
    first, last = session.execute(select(func.min(StreetDayStats.day), func.max(StreetDayStats.day))).one()
    if first is None:
        return
    month = month_of(_as_date(first))
    while month <= _as_date(last):
        _recompute_month(session, month)
        month = month_end(month) + timedelta(days=1)


def _changed_days(session: Session, since: datetime) -> set[date]:
    by_appeal = select(local_day(Appeal.created_at)).where(Appeal.updated_at > since).distinct()
    by_audit = (
        select(local_day(Appeal.created_at))
        .join(ClosureAudit, ClosureAudit.appeal_id == Appeal.id)
        .where(or_(ClosureAudit.audited_at > since, ClosureAudit.decided_at > since))
        .distinct()
    )
    return {_as_date(d) for d in session.scalars(by_appeal.union(by_audit))}


def _as_date(value: date | str) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _newest(session: Session) -> datetime | None:
    appeal = session.scalar(select(func.max(Appeal.updated_at)))
    audit = session.scalar(select(func.max(ClosureAudit.audited_at)))
    decided = session.scalar(select(func.max(ClosureAudit.decided_at)))
    moments = [local(m) for m in (appeal, audit, decided) if m is not None]
    return max(moments) if moments else None


@dataclass(frozen=True)
class Refresh:
    days: int
    rebuilt: bool


def _lock(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_KEY})


def refresh(session: Session, *, force: bool = False) -> Refresh:
    """Bring the summary up to date with the appeals; cheap when nothing changed. ``force`` re-reads
    the overlap even when no newer change is visible (the periodic job does, for late commits)."""
    with _process_lock:
        _lock(session)
        newest = _newest(session)
        mark = session.get(BoardMark, MARK, with_for_update=True)
        moment = now()
        if mark is None:
            _build(session)
            session.add(BoardMark(name=MARK, seen_to=newest or moment, refreshed_at=moment))
            session.flush()
            return Refresh(days=0, rebuilt=True)
        seen_to = local(mark.seen_to)
        if newest is None or (newest <= seen_to and not force):
            return Refresh(days=0, rebuilt=False)
        days = _recompute(session, _changed_days(session, seen_to - OVERLAP))
        mark.seen_to = max(seen_to, newest)
        mark.refreshed_at = moment
        session.flush()
        return Refresh(days=days, rebuilt=False)


def rebuild(session: Session) -> Refresh:
    """Drop the summary and build it again from every appeal."""
    with _process_lock:
        _lock(session)
        session.execute(delete(BoardMark).where(BoardMark.name == MARK))
    return refresh(session)


def refreshed_at(session: Session) -> datetime | None:
    mark = session.get(BoardMark, MARK)
    return local(mark.refreshed_at) if mark else None


def needs_refresh(session: Session) -> bool:
    """Whether anything changed since the last refresh (a few indexed reads)."""
    mark = session.get(BoardMark, MARK)
    if mark is None:
        return True
    newest = _newest(session)
    return newest is not None and newest > local(mark.seen_to)


def ensure_fresh(factory: sessionmaker[Session]) -> None:
    """Refresh before reading, writing only when something changed (reads never queue on SQLite's
    single writer otherwise)."""
    with reading(factory) as session:
        if not needs_refresh(session):
            return
    with transaction(factory) as session:
        refresh(session)
