"""Sums of the dashboards' measures for a set of filters, read from the smallest summary table that can
answer: whole months of a long period from the monthly table, the remaining days from the daily one,
and the table with communities only when a community is asked for."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhengshu.appeals.board_cube import SUMS, as_date
from zhengshu.appeals.board_filters import BoardFilters
from zhengshu.appeals.board_models import AppealDayStats, StreetDayStats, StreetMonthStats
from zhengshu.appeals.days import month_end, month_of

Row = dict[str, Any]


def _read(
    session: Session, table: Any, first: date, last: date, filters: BoardFilters, by: Sequence[str]
) -> list[Row]:
    moment = table.month if table is StreetMonthStats else table.day
    # A day table answers "month" by its days, folded into months below.
    keys = [moment.label(name) if name in ("day", "month") else getattr(table, name) for name in by]
    sums = [func.coalesce(func.sum(getattr(table, name)), 0).label(name) for name in SUMS]
    query = select(*keys, *sums).where(moment >= first, moment <= last, *filters.summary_where(table))
    if keys:
        query = query.group_by(*keys)
    rows = [dict(row._mapping) for row in session.execute(query)]
    for row in rows:
        for name in ("day", "month"):
            if name in row:
                row[name] = as_date(row[name])
        if "month" in row:
            row["month"] = month_of(row["month"])
    return [row for row in rows if keys or row["received"] is not None]


def _merge(rows: list[Row], by: Sequence[str]) -> list[Row]:
    merged: dict[tuple[Any, ...], Row] = {}
    for row in rows:
        key = tuple(row[name] for name in by)
        if key in merged:
            for name in SUMS:
                merged[key][name] += row[name]
        else:
            merged[key] = dict(row)
    return list(merged.values())


def _whole_months(first: date, last: date) -> tuple[date, date] | None:
    """The first and last whole calendar month inside [first, last], if any."""
    start = first if first.day == 1 else month_end(first) + timedelta(days=1)
    end = last if last == month_end(last) else month_of(last) - timedelta(days=1)
    if start > end:
        return None
    return start, month_of(end)


def totals(session: Session, filters: BoardFilters, by: Sequence[str] = ()) -> list[Row]:
    """Each stored measure (and handling_seconds) summed over the appeals received in the filters'
    period, one row per combination of ``by`` (``day``, ``month``, ``community_id`` or a dimension
    of zhengshu.appeals.board_cube.DIMENSIONS); one row, possibly of zeros, when ``by`` is empty."""
    first, last = filters.first, filters.last
    if filters.community is not None or "community_id" in by:
        rows = _read(session, AppealDayStats, first, last, filters, by)
    elif "day" in by or (months := _whole_months(first, last)) is None:
        rows = _read(session, StreetDayStats, first, last, filters, by)
    else:
        start, end = months
        rows = _read(session, StreetMonthStats, start, end, filters, by)
        if first < start:
            rows += _read(session, StreetDayStats, first, start - timedelta(days=1), filters, by)
        if month_end(end) < last:
            rows += _read(session, StreetDayStats, month_end(end) + timedelta(days=1), last, filters, by)
    rows = _merge(rows, by)
    if not by and not rows:
        rows = [dict.fromkeys(SUMS, 0)]
    return rows
