"""Hotspots (类案热点) marked on the 民意地图: the class cases of the last days of the period, placed at
their appeals' mean coordinates (or their street's centre).

Clustering is the slow part of the map (seconds for thousands of appeals), so it takes the newest
appeals of a short window only, runs on its own endpoint after the map is drawn, and its result is
kept for a few minutes per window and filter."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlalchemy import desc, select
from sqlalchemy.orm import Session

from zhengshu.appeals.board_filters import BoardFilters
from zhengshu.appeals.class_cases import cases_of
from zhengshu.appeals.models import Appeal

WINDOW_DAYS = 7
# The newest appeals of the window that are clustered: enough for a district's week at the hotline's
# usual volume, few enough to cluster in a few seconds on two cores.
MAX_APPEALS = 3000
SHOWN = 10
CACHE_SECONDS = 600


@dataclass(frozen=True)
class HotspotMark:
    rank: int
    title: str
    place: str | None
    count: int
    heat: float
    street_code: str | None
    longitude: float | None
    latitude: float | None


@dataclass(frozen=True)
class Hotspots:
    first: date
    last: date
    clustered: int
    marks: list[HotspotMark]


_cache: dict[tuple[tuple[str, str], ...], tuple[float, Hotspots]] = {}
_lock = threading.Lock()


def _window(filters: BoardFilters) -> tuple[date, date]:
    return max(filters.first, filters.last - timedelta(days=WINDOW_DAYS - 1)), filters.last


def _place(
    members: list[Appeal], centres: Mapping[str, tuple[float, float]]
) -> tuple[str | None, float | None, float | None]:
    streets = Counter(a.street.code for a in members if a.street is not None)
    street = streets.most_common(1)[0][0] if streets else None
    located = [
        (a.longitude, a.latitude) for a in members if a.longitude is not None and a.latitude is not None
    ]
    if located:
        return street, sum(x for x, _ in located) / len(located), sum(y for _, y in located) / len(located)
    if street and street in centres:
        lon, lat = centres[street]
        return street, lon, lat
    return street, None, None


def compute(session: Session, filters: BoardFilters, centres: Mapping[str, tuple[float, float]]) -> Hotspots:
    first, last = _window(filters)
    window = replace(filters, first=first, last=last)
    appeals = list(
        session.scalars(
            select(Appeal)
            .where(*window.appeal_where())
            .order_by(desc(Appeal.created_at))
            .limit(MAX_APPEALS)
        ).unique()
    )
    end = window.end
    by_number = {a.number: a for a in appeals}
    marks = []
    for case in cases_of(appeals, end)[:SHOWN]:
        members = [by_number[n] for n in case.message_ids if n in by_number]
        street, lon, lat = _place(members, centres)
        marks.append(HotspotMark(case.rank, case.title, case.place, case.count, case.heat, street, lon, lat))
    return Hotspots(first, last, len(appeals), marks)


def hotspots(session: Session, filters: BoardFilters, centres: Mapping[str, tuple[float, float]]) -> Hotspots:
    """``compute``, remembered for CACHE_SECONDS per window and filter."""
    first, last = _window(filters)
    key = tuple(sorted({**filters.query(), "first": first.isoformat(), "last": last.isoformat()}.items()))
    with _lock:
        cached = _cache.get(key)
        if cached and time.monotonic() - cached[0] < CACHE_SECONDS:
            return cached[1]
    result = compute(session, filters, centres)
    with _lock:
        if len(_cache) > 64:
            _cache.clear()
        _cache[key] = (time.monotonic(), result)
    return result
