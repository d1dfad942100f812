"""The stored items as records and pages read them: an item's record (with its materials and FAQs)
or every item's, for the assistant and the pre-review; one item with its variants (same catalogue
item) and the same item of other bodies; and the signature that tells whether the table changed.

Browsing with filters and facet counts is zhengshu.guide.catalog_listing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhengshu.errors import NotFound
from zhengshu.guide.item_summaries import SUMMARY_COLUMNS, ItemSummary, summary_of
from zhengshu.guide.models import ServiceFaq, ServiceItem, ServiceMaterial
from zhengshu.guide.records import Faq, ItemRecord, Material

__all__ = [
    "ItemView",
    "Signature",
    "all_records",
    "item_record",
    "item_view",
    "items_signature",
    "record_of",
]

Signature = tuple[Any, ...]


def items_signature(session: Session) -> Signature:
    """A cheap signature of the items table (row count, newest id, latest change): it differs after
    any import, edit or removal, so a cache of the items is read again only then."""
    return tuple(
        session.execute(
            select(func.count(ServiceItem.id), func.max(ServiceItem.id), func.max(ServiceItem.updated_at))
        ).one()
    )


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
        query = select(*SUMMARY_COLUMNS).where(
            ServiceItem.catalog_name == item.catalog_name,
            ServiceItem.department == item.department,
            ServiceItem.id != item.id,
        )
        variants = sorted((summary_of(r) for r in session.execute(query)), key=lambda s: (s.name, s.code))
    query = select(*SUMMARY_COLUMNS).where(
        ServiceItem.name == item.name, ServiceItem.department != item.department
    )
    same_name = sorted((summary_of(r) for r in session.execute(query)), key=lambda s: (s.department, s.code))
    return ItemView(record, variants, same_name, item.source, item.updated_at)
