"""民意地图: appeals by street and community over a period, against the previous period and per
10,000 residents where the population is configured; the period's categories and days; the newest
appeals with coordinates; and the weak-signal warnings raised in the period."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import desc, select
from sqlalchemy.orm import Session

from zhengshu.appeals.board_filters import BoardFilters
from zhengshu.appeals.board_totals import totals
from zhengshu.appeals.days import months_between
from zhengshu.appeals.models import Appeal
from zhengshu.appeals.signal_models import SignalWarning
from zhengshu.org.models import Community, Street

# The points layer shows at most this many appeals: the newest of the period with coordinates.
POINTS_LIMIT = 3000
UNCATEGORISED = "未分类"


class MapMeasure(StrEnum):
    COUNT = "count"
    PER_10K = "per10k"
    CHANGE = "change"

    @property
    def label(self) -> str:
        return {"count": "诉求量", "per10k": "每万常住人口诉求量", "change": "较上期变化"}[self.value]


@dataclass(frozen=True)
class AreaValue:
    code: str
    name: str
    count: int
    previous: int
    population: int | None

    @property
    def change(self) -> float | None:
        """(this period − previous) ÷ previous; None when the previous period had none."""
        return (self.count - self.previous) / self.previous if self.previous else None

    @property
    def per_10k(self) -> float | None:
        return self.count * 10_000 / self.population if self.population else None

    def value(self, measure: MapMeasure) -> float | None:
        if measure is MapMeasure.COUNT:
            return float(self.count)
        if measure is MapMeasure.PER_10K:
            return self.per_10k
        return self.change

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "count": self.count,
            "previous": self.previous,
            "change": self.change,
            "population": self.population,
            "per_10k": self.per_10k,
        }


def population_of(street: Street, configured: Mapping[str, int]) -> int | None:
    """The configured population, keyed by the street's code or name (with or without 街道)."""
    for key in (street.code, street.name, street.name.removesuffix("街道")):
        if key in configured:
            return configured[key]
    return None


def _received(session: Session, filters: BoardFilters, key: str) -> dict[Any, int]:
    return {row[key]: int(row["received"]) for row in totals(session, filters, by=[key])}


UNPLACED_STREET = "未定位到街道"
UNPLACED_COMMUNITY = "未定位到社区"


def streets(session: Session, filters: BoardFilters, population: Mapping[str, int]) -> list[AreaValue]:
    """Every street (also those without appeals), in code order, then the appeals without a street
    (code "") when there are any. The street filter itself is ignored: the map always shows the
    whole district."""
    whole = filters.without_area()
    now_counts = _received(session, whole, "street_id")
    before = _received(session, whole.previous(), "street_id")
    rows = session.scalars(select(Street).order_by(Street.code))
    values = [
        AreaValue(s.code, s.name, now_counts.get(s.id, 0), before.get(s.id, 0), population_of(s, population))
        for s in rows
    ]
    if now_counts.get(None) or before.get(None):
        values.append(AreaValue("", UNPLACED_STREET, now_counts.get(None, 0), before.get(None, 0), None))
    return values


def communities(session: Session, filters: BoardFilters) -> list[AreaValue]:
    """The communities of the filtered street, most appeals first."""
    if filters.street is None:
        return []
    area = replace(filters, community=None)
    now_counts = _received(session, area, "community_id")
    before = _received(session, area.previous(), "community_id")
    rows = session.scalars(select(Community).where(Community.street_id == filters.street.id))
    values = [AreaValue(c.code, c.name, now_counts.get(c.id, 0), before.get(c.id, 0), None) for c in rows]
    unplaced = now_counts.get(None, 0)
    if unplaced or before.get(None, 0):
        values.append(AreaValue("", UNPLACED_COMMUNITY, unplaced, before.get(None, 0), None))
    return sorted(values, key=lambda v: (-v.count, v.code))


def categories(session: Session, filters: BoardFilters) -> list[tuple[str, int]]:
    rows = totals(session, filters, by=["category"])
    counted = [(row["category"] or UNCATEGORISED, int(row["received"])) for row in rows if row["received"]]
    return sorted(counted, key=lambda item: -item[1])


# A longer period is drawn month by month: a year of daily points is noise on a dashboard.
DAILY_TREND_DAYS = 92


@dataclass(frozen=True)
class Trend:
    unit: str  # day or month
    points: list[tuple[date, int]]


def trend(session: Session, filters: BoardFilters) -> Trend:
    """Appeals received each day (or month) of the period, with those without appeals as 0."""
    unit = "day" if filters.days <= DAILY_TREND_DAYS else "month"
    counted = {row[unit]: int(row["received"]) for row in totals(session, filters, by=[unit])}
    if unit == "day":
        buckets = [filters.first + timedelta(days=i) for i in range(filters.days)]
    else:
        buckets = months_between(filters.first, filters.last)
    return Trend(unit, [(bucket, counted.get(bucket, 0)) for bucket in buckets])


@dataclass(frozen=True)
class Point:
    number: str
    longitude: float
    latitude: float
    category: str | None


def points(session: Session, filters: BoardFilters, limit: int = POINTS_LIMIT) -> list[Point]:
    """The newest appeals of the period that carry coordinates (newest first)."""
    query = (
        select(Appeal.number, Appeal.longitude, Appeal.latitude, Appeal.category)
        .where(*filters.appeal_where(), Appeal.longitude.is_not(None), Appeal.latitude.is_not(None))
        .order_by(desc(Appeal.created_at))
        .limit(limit)
    )
    return [
        Point(n, lon, lat, c)
        for n, lon, lat, c in session.execute(query)
        if lon is not None and lat is not None
    ]


@dataclass(frozen=True)
class WarningMark:
    id: int
    day: date
    street_code: str | None
    community: str | None
    label: str
    status: str


def warnings(session: Session, filters: BoardFilters, limit: int = 50) -> list[WarningMark]:
    """Weak-signal warnings raised on a day of the period, with their street (newest first)."""
    query = (
        select(SignalWarning, Street.code, Community.name)
        .outerjoin(Street, Street.id == SignalWarning.street_id)
        .outerjoin(Community, Community.id == SignalWarning.community_id)
        .where(SignalWarning.day >= filters.first, SignalWarning.day <= filters.last)
        .order_by(SignalWarning.day.desc(), SignalWarning.id.desc())
        .limit(limit)
    )
    return [
        WarningMark(w.id, w.day, street_code, community, w.label, w.status)
        for w, street_code, community in session.execute(query)
    ]
