"""The items as people browse them: a listing filtered by department, life event, theme, audience
and item type, with the count of each filter value.

Text search is not done here: a caller that searched (the assistant's index) passes the codes it
found, best first, and the listing keeps only those, in that order."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhengshu.errors import InvalidInput
from zhengshu.guide.catalog import Signature, items_signature
from zhengshu.guide.item_summaries import SUMMARY_COLUMNS, ItemSummary, summary_of
from zhengshu.guide.life_events import AUDIENCE_LABELS, LIFE_EVENT_LABELS
from zhengshu.validation import filter_text

__all__ = [
    "FACETS",
    "MAX_CODES",
    "MAX_PAGE_SIZE",
    "PAGE_SIZE",
    "Listing",
    "ListingFilters",
    "listing",
    "parse_filters",
]

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# Codes a search may hand over; more than any page of results shows.
MAX_CODES = 2_000
FACETS = ("department", "life_event", "theme", "audience", "item_type")


@dataclass(frozen=True)
class ListingFilters:
    department: str | None = None
    life_event: str | None = None
    theme: str | None = None
    audience: str | None = None  # life_events.PERSON or ENTERPRISE
    item_type: str | None = None
    # Codes from a text search, best first: only these are listed, in this order.
    codes: tuple[str, ...] | None = None

    def value(self, facet: str) -> str | None:
        chosen: str | None = getattr(self, facet)
        return chosen


def parse_filters(
    department: str | None = None,
    life_event: str | None = None,
    theme: str | None = None,
    audience: str | None = None,
    item_type: str | None = None,
    codes: Sequence[str] | None = None,
) -> ListingFilters:
    """Filters typed in a URL, checked: too long, control characters and unknown audiences are
    InvalidInput in Chinese."""
    audience_text = filter_text(audience, "服务对象", 16)
    if audience_text is not None and audience_text not in AUDIENCE_LABELS:
        by_label = {label: key for key, label in AUDIENCE_LABELS.items()}
        if audience_text not in by_label:
            raise InvalidInput("服务对象应为：" + "、".join(AUDIENCE_LABELS.values()))
        audience_text = by_label[audience_text]
    if codes is not None and len(codes) > MAX_CODES:
        raise InvalidInput(f"最多按 {MAX_CODES} 个事项编码筛选")
    return ListingFilters(
        department=filter_text(department, "实施主体", 100),
        life_event=filter_text(life_event, "人生事件", 50),
        theme=filter_text(theme, "主题", 50),
        audience=audience_text,
        item_type=filter_text(item_type, "事项类型", 32),
        codes=tuple(dict.fromkeys(codes)) if codes is not None else None,
    )


@dataclass(frozen=True)
class Listing:
    items: list[ItemSummary]
    total: int
    page: int
    size: int
    # facet → [(value, count)], each counted over the items the other filters leave, most first.
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


@dataclass(frozen=True)
class _Snapshot:
    stamp: Signature
    summaries: tuple[ItemSummary, ...]  # by name
    by_code: dict[str, ItemSummary]


# Per engine: the summaries of every item, read again only when an import or edit changed the
# table (its row count, newest id or latest update), so browsing reads one row per request.
_snapshots: WeakKeyDictionary[Any, _Snapshot] = WeakKeyDictionary()


def _snapshot(session: Session) -> _Snapshot:
    stamp = items_signature(session)
    bind = session.get_bind()
    cached = _snapshots.get(bind)
    if cached is not None and cached.stamp == stamp:
        return cached
    found = sorted(
        (summary_of(row) for row in session.execute(select(*SUMMARY_COLUMNS))),
        key=lambda s: (s.name, s.department, s.code),
    )
    snapshot = _Snapshot(stamp, tuple(found), {s.code: s for s in found})
    _snapshots[bind] = snapshot
    return snapshot


def _summaries(session: Session, codes: tuple[str, ...] | None) -> Sequence[ItemSummary]:
    snapshot = _snapshot(session)
    if codes is None:
        return snapshot.summaries
    return [snapshot.by_code[code] for code in codes if code in snapshot.by_code]


def _misses(summary: ItemSummary, wanted: Sequence[tuple[str, str]]) -> list[str]:
    """The facets whose chosen value the item lacks."""
    return [facet for facet, value in wanted if value not in summary.facet_values(facet)]


def _ordered(facet: str, counts: Counter[str]) -> list[tuple[str, int]]:
    """Life events in the order people meet them; other values most frequent first."""
    if facet == "life_event":
        rank = {label: position for position, label in enumerate(LIFE_EVENT_LABELS)}
        return sorted(counts.items(), key=lambda pair: (rank.get(pair[0], len(rank)), pair[0]))
    return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))


def listing(session: Session, filters: ListingFilters, page: int = 1, size: int = PAGE_SIZE) -> Listing:
    """One page of the items the filters leave, by name (or in the order of `filters.codes`), with
    the facet counts: each facet's values counted over the items the other filters leave, so a
    person sees what choosing another value would give."""
    page = max(page, 1)
    size = min(max(size, 1), MAX_PAGE_SIZE)
    wanted = [(facet, value) for facet in FACETS if (value := filters.value(facet)) is not None]
    chosen: list[ItemSummary] = []
    counts: dict[str, Counter[str]] = {facet: Counter() for facet in FACETS}
    for summary in _summaries(session, filters.codes):
        misses = _misses(summary, wanted)
        if not misses:
            chosen.append(summary)
            for facet in FACETS:
                counts[facet].update(summary.facet_values(facet))
        elif len(misses) == 1:
            counts[misses[0]].update(summary.facet_values(misses[0]))
    facets = {facet: _ordered(facet, found) for facet, found in counts.items()}
    start = (page - 1) * size
    return Listing(chosen[start : start + size], len(chosen), page, size, facets)
