"""The items as people browse them: a listing filtered by department, life event, theme, audience
and item type, with the count of each filter value; one item with its variants (same catalogue
item) and the same item of other bodies; and the records the assistant and pre-review read.

Text search is not done here: a caller that searched (the assistant's index) passes the codes it
found, best first, and the listing keeps only those, in that order."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from zhengshu.errors import InvalidInput, NotFound
from zhengshu.guide.life_events import AUDIENCE_LABELS, LIFE_EVENT_LABELS, audience_kinds
from zhengshu.guide.models import ServiceFaq, ServiceItem, ServiceMaterial
from zhengshu.guide.records import Faq, ItemRecord, Material
from zhengshu.validation import filter_text

__all__ = [
    "ItemSummary",
    "ItemView",
    "Listing",
    "ListingFilters",
    "all_records",
    "item_record",
    "item_view",
    "listing",
    "parse_filters",
    "record_of",
]

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# Codes a search may hand over; more than any page of results shows.
MAX_CODES = 2_000
FACETS = ("department", "life_event", "theme", "audience", "item_type")


# --- Records -------------------------------------------------------------------------------------


def _material(row: ServiceMaterial) -> Material:
    return Material(row.name, row.form, row.copies, row.medium, row.optional, row.note)


def record_of(
    item: ServiceItem, materials: Iterable[ServiceMaterial], faqs: Iterable[ServiceFaq]
) -> ItemRecord:
    """The record of a stored item; its database id is in extra["id"]."""
    return ItemRecord(
        code=item.code,
        name=item.name,
        department=item.department,
        catalog_name=item.catalog_name,
        variant=item.variant,
        item_type=item.item_type,
        level=item.level,
        area=item.area,
        conditions=item.conditions,
        materials=tuple(_material(m) for m in materials),
        legal_limit_days=item.legal_limit_days,
        promised_limit_days=item.promised_limit_days,
        legal_limit_text=item.legal_limit_text,
        promised_limit_text=item.promised_limit_text,
        fee=item.fee,
        place=item.place,
        hours=item.hours,
        online_url=item.online_url,
        online_platform=item.online_platform,
        legal_basis=item.legal_basis,
        consult_phone=item.consult_phone,
        complain_phone=item.complain_phone,
        courier=item.courier,
        visits=item.visits,
        themes=tuple(item.themes or ()),
        audiences=tuple(item.audiences or ()),
        life_events=tuple(item.life_events or ()),
        faqs=tuple(Faq(f.question, f.answer) for f in faqs),
        extra={**(item.extra or {}), "id": item.id},
    )


def _item_by_code(session: Session, code: str) -> ServiceItem:
    item = session.scalars(select(ServiceItem).where(ServiceItem.code == code)).first()
    if item is None:
        raise NotFound(f"未找到编码为“{code[:64]}”的服务事项")
    return item


def _parts(
    session: Session, item_ids: Sequence[int] | None
) -> tuple[dict[int, list[ServiceMaterial]], dict[int, list[ServiceFaq]]]:
    """Materials and FAQs of the items (of every item when None), by item id, in the guide's order."""
    material_query = select(ServiceMaterial).order_by(ServiceMaterial.item_id, ServiceMaterial.position)
    faq_query = select(ServiceFaq).order_by(ServiceFaq.item_id, ServiceFaq.position)
    if item_ids is not None:
        material_query = material_query.where(ServiceMaterial.item_id.in_(item_ids))
        faq_query = faq_query.where(ServiceFaq.item_id.in_(item_ids))
    materials: dict[int, list[ServiceMaterial]] = {}
    for material in session.scalars(material_query):
        materials.setdefault(material.item_id, []).append(material)
    faqs: dict[int, list[ServiceFaq]] = {}
    for faq in session.scalars(faq_query):
        faqs.setdefault(faq.item_id, []).append(faq)
    return materials, faqs


def item_record(session: Session, code: str) -> ItemRecord:
    """One item with its materials and FAQs; NotFound when no item has this code."""
    item = _item_by_code(session, code)
    materials, faqs = _parts(session, [item.id])
    return record_of(item, materials.get(item.id, []), faqs.get(item.id, []))


def all_records(session: Session) -> list[ItemRecord]:
    """Every item with its materials and FAQs, in three queries, by name."""
    items = list(session.scalars(select(ServiceItem).order_by(ServiceItem.name, ServiceItem.code)))
    materials, faqs = _parts(session, None)
    return [record_of(item, materials.get(item.id, []), faqs.get(item.id, [])) for item in items]


# --- Listing -------------------------------------------------------------------------------------


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
class ItemSummary:
    """An item as a list shows it."""

    id: int
    code: str
    name: str
    department: str
    catalog_name: str
    variant: str
    item_type: str
    level: str
    promised_limit_days: int | None
    online: bool
    themes: tuple[str, ...]
    life_events: tuple[str, ...]
    audiences: tuple[str, ...]  # life_events.PERSON / ENTERPRISE
    sample: bool

    def facet_values(self, facet: str) -> tuple[str, ...]:
        if facet == "department":
            return (self.department,) if self.department else ()
        if facet == "item_type":
            return (self.item_type,) if self.item_type else ()
        if facet == "theme":
            return self.themes
        if facet == "life_event":
            return self.life_events
        return self.audiences


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


_SUMMARY_COLUMNS = (
    ServiceItem.id,
    ServiceItem.code,
    ServiceItem.name,
    ServiceItem.department,
    ServiceItem.catalog_name,
    ServiceItem.variant,
    ServiceItem.item_type,
    ServiceItem.level,
    ServiceItem.promised_limit_days,
    ServiceItem.online_url,
    ServiceItem.themes,
    ServiceItem.life_events,
    ServiceItem.audiences,
    ServiceItem.extra,
)


def _summary(row: Row[Any]) -> ItemSummary:
    return ItemSummary(
        id=row.id,
        code=row.code,
        name=row.name,
        department=row.department,
        catalog_name=row.catalog_name,
        variant=row.variant,
        item_type=row.item_type,
        level=row.level,
        promised_limit_days=row.promised_limit_days,
        online=bool(row.online_url),
        themes=tuple(row.themes or ()),
        life_events=tuple(row.life_events or ()),
        audiences=audience_kinds(row.audiences or ()),
        sample=bool((row.extra or {}).get("sample")),
    )


@dataclass(frozen=True)
class _Snapshot:
    stamp: tuple[Any, ...]
    summaries: tuple[ItemSummary, ...]  # by name
    by_code: dict[str, ItemSummary]


# Per engine: the summaries of every item, read again only when an import or edit changed the
# table (its row count, newest id or latest update), so browsing reads one row per request.
_snapshots: WeakKeyDictionary[Any, _Snapshot] = WeakKeyDictionary()


def _snapshot(session: Session) -> _Snapshot:
    stamp = tuple(
        session.execute(
            select(func.count(ServiceItem.id), func.max(ServiceItem.id), func.max(ServiceItem.updated_at))
        ).one()
    )
    bind = session.get_bind()
    cached = _snapshots.get(bind)
    if cached is not None and cached.stamp == stamp:
        return cached
    found = sorted(
        (_summary(row) for row in session.execute(select(*_SUMMARY_COLUMNS))),
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


# --- One item ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemView:
    record: ItemRecord
    # Other variants (情形) of its catalogue item under the same body, by name.
    variants: list[ItemSummary]
    # The same-named item of other implementing bodies.
    same_name: list[ItemSummary]
    source: str
    updated_at: datetime


def item_view(session: Session, code: str) -> ItemView:
    item = _item_by_code(session, code)
    materials, faqs = _parts(session, [item.id])
    record = record_of(item, materials.get(item.id, []), faqs.get(item.id, []))
    variants: list[ItemSummary] = []
    if item.catalog_name:
        query = select(*_SUMMARY_COLUMNS).where(
            ServiceItem.catalog_name == item.catalog_name,
            ServiceItem.department == item.department,
            ServiceItem.id != item.id,
        )
        variants = sorted((_summary(r) for r in session.execute(query)), key=lambda s: (s.name, s.code))
    query = select(*_SUMMARY_COLUMNS).where(
        ServiceItem.name == item.name, ServiceItem.department != item.department
    )
    same_name = sorted((_summary(r) for r in session.execute(query)), key=lambda s: (s.department, s.code))
    return ItemView(record, variants, same_name, item.source, item.updated_at)
