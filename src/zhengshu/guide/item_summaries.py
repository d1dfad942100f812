"""An item as lists show it (ItemSummary): the columns read for it and how a row becomes one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row

from zhengshu.guide.life_events import audience_kinds
from zhengshu.guide.models import ServiceItem

__all__ = ["SUMMARY_COLUMNS", "ItemSummary", "summary_of"]


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


SUMMARY_COLUMNS = (
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


def summary_of(row: Row[Any]) -> ItemSummary:
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
