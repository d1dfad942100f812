"""Class cases (类案) and hotspots of the platform's own appeals: the service pages, briefs and jobs call.

The clustering is ``zhengshu.appeals.hotspots``; the heat index and trend ``zhengshu.appeals.hotspot_heat``.
Appellants are told apart by phone number (or an enterprise's credit code) — used as an opaque key,
never shown. Appeals have no likes: the likes term of the heat index is 0 for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhengshu.appeals.access import readable_by
from zhengshu.appeals.hotspot_heat import ClassCase, is_severe_text, score
from zhengshu.appeals.hotspots import Message, cluster_messages
from zhengshu.appeals.models import Appeal
from zhengshu.appeals.vocabulary import Urgency
from zhengshu.clock import TZ, local, now
from zhengshu.errors import InvalidInput
from zhengshu.org.models import User
from zhengshu.text.pii import without_person

__all__ = [
    "MAX_PERIOD_DAYS",
    "Period",
    "class_cases",
    "growing_cases",
    "growing_cluster_of",
    "period",
    "period_appeals",
]

MAX_PERIOD_DAYS = 366
DEFAULT_DAYS = 30


@dataclass(frozen=True)
class Period:
    start: datetime  # inclusive
    end: datetime  # exclusive

    @property
    def first_day(self) -> date:
        return local(self.start).date()

    @property
    def last_day(self) -> date:
        return (local(self.end) - timedelta(seconds=1)).date()


def period(
    first_day: date | None = None, last_day: date | None = None, *, days: int = DEFAULT_DAYS
) -> Period:
    """The days from ``first_day`` through ``last_day`` (default: the ``days`` days up to today)."""
    last = last_day or now().date()
    first = first_day or last - timedelta(days=days - 1)
    if first > last:
        raise InvalidInput("开始日期不能晚于结束日期")
    if (last - first).days + 1 > MAX_PERIOD_DAYS:
        raise InvalidInput(f"统计区间最长 {MAX_PERIOD_DAYS} 天")
    start = datetime.combine(first, time.min, TZ)
    return Period(start, datetime.combine(last + timedelta(days=1), time.min, TZ))


def period_appeals(session: Session, span: Period, viewer: User | None = None) -> list[Appeal]:
    """The appeals created in the period, those the viewer may read (all when no viewer: jobs)."""
    query = select(Appeal).where(Appeal.created_at >= span.start, Appeal.created_at < span.end)
    if viewer is not None:
        query = query.where(readable_by(viewer))
    return list(session.scalars(query.order_by(Appeal.id)).unique())


def as_message(appeal: Appeal) -> Message:
    urgent = appeal.urgency in (Urgency.URGENT.value, Urgency.CRITICAL.value)
    appellant = appeal.enterprise_credit_code or appeal.appellant_phone or appeal.number
    return Message(
        id=appeal.number,
        # Titles too: a case's title and keywords are shown to viewers without PII_VIEW.
        title=without_person(appeal.title, appeal.appellant_name),
        body=without_person(appeal.content, appeal.appellant_name),
        created_at=local(appeal.created_at),
        appellant=appellant,
        likes=None,
        severe=urgent or is_severe_text(appeal.title + appeal.content),
        area=appeal.community.name if appeal.community else None,
    )


def cases_of(appeals: Sequence[Appeal], period_end: datetime, *, min_size: int = 2) -> list[ClassCase]:
    messages = [as_message(a) for a in appeals]
    clustering = cluster_messages(messages, min_size=min_size)
    return score(clustering.clusters, messages, period_end)


def class_cases(
    session: Session,
    start: datetime,
    end: datetime,
    *,
    viewer: User | None = None,
    min_size: int = 2,
    limit: int | None = None,
) -> list[ClassCase]:
    """The class cases among the appeals created in [start, end), hottest first (rank 1 = hottest).

    Each has a representative title, place, span, count, distinct appellants, trend and heat index
    with its parts (``zhengshu.appeals.hotspot_heat.HEAT_FORMULA``); ``message_ids`` are appeal
    numbers. With a viewer, only the appeals that viewer may read are clustered."""
    appeals = period_appeals(session, Period(start, end), viewer)
    cases = cases_of(appeals, end, min_size=min_size)
    return cases[:limit] if limit is not None else cases


def growing_cluster_of(
    session: Session, appeal: Appeal, *, days: int = DEFAULT_DAYS, at: datetime | None = None
) -> ClassCase | None:
    """Is this appeal part of a growing cluster? The class case it belongs to among the appeals of
    the ``days`` days up to ``at`` (default now), when that case's trend is rising (上升: at least
    doubling against the weekly baseline, with two or more appeals in the last week); else None.

    For the daily brief: a "growing cluster" reason names the case's title, count and growth."""
    end = at or now()
    appeals = period_appeals(session, Period(end - timedelta(days=days), end))
    if appeal.id not in {a.id for a in appeals}:
        appeals.append(appeal)
    for case in cases_of(appeals, end):
        if appeal.number in case.message_ids:
            return case if case.trend == "rising" else None
    return None


def growing_cases(
    session: Session, *, days: int = DEFAULT_DAYS, at: datetime | None = None
) -> dict[str, ClassCase]:
    """Appeal number → the rising class case it belongs to, for every appeal of the ``days`` days up
    to ``at``: one clustering for a whole day's candidates (``growing_cluster_of`` asks for one)."""
    end = at or now()
    appeals = period_appeals(session, Period(end - timedelta(days=days), end))
    return {
        number: case
        for case in cases_of(appeals, end)
        if case.trend == "rising"
        for number in case.message_ids
    }
