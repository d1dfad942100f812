"""Tables of the service items (政务服务事项): an item with its 办事指南 fields, its required materials
in the guide's order, and its FAQs. zhengshu.guide.records.ItemRecord is the same item outside the
database; zhengshu.guide.catalog turns rows into records."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from zhengshu.db import Base, Moment

# Column sizes; zhengshu.guide.item_checks checks them (with Chinese messages) before anything is
# written, since SQLite would not.
CODE_CHARS = 64
NAME_CHARS = 300
DEPARTMENT_CHARS = 100
ITEM_TYPE_CHARS = 32
LEVEL_CHARS = 16
AREA_CHARS = 64
LIMIT_TEXT_CHARS = 64
URL_CHARS = 1000
PLATFORM_CHARS = 200
PHONE_CHARS = 500
SOURCE_CHARS = 255
MATERIAL_NAME_CHARS = 500
MATERIAL_FORM_CHARS = 16
MATERIAL_MEDIUM_CHARS = 16


class ServiceItem(Base):
    __tablename__ = "service_items"
    __table_args__ = (
        Index("ix_service_items_name", "name"),
        Index("ix_service_items_department", "department"),
        Index("ix_service_items_catalog_name", "catalog_name"),
        Index("ix_service_items_item_type", "item_type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The implementation code (实施编码): the item's identity, unique per implementing body.
    code: Mapped[str] = mapped_column(String(CODE_CHARS), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_CHARS))
    department: Mapped[str] = mapped_column(String(DEPARTMENT_CHARS))  # 实施主体
    catalog_name: Mapped[str] = mapped_column(String(NAME_CHARS), default="")
    variant: Mapped[str] = mapped_column(String(NAME_CHARS), default="")
    item_type: Mapped[str] = mapped_column(String(ITEM_TYPE_CHARS), default="")
    level: Mapped[str] = mapped_column(String(LEVEL_CHARS), default="")
    area: Mapped[str] = mapped_column(String(AREA_CHARS), default="")
    conditions: Mapped[str] = mapped_column(Text, default="")
    legal_limit_days: Mapped[int | None] = mapped_column(Integer)
    promised_limit_days: Mapped[int | None] = mapped_column(Integer)
    legal_limit_text: Mapped[str] = mapped_column(String(LIMIT_TEXT_CHARS), default="")
    promised_limit_text: Mapped[str] = mapped_column(String(LIMIT_TEXT_CHARS), default="")
    fee: Mapped[str] = mapped_column(Text, default="")
    place: Mapped[str] = mapped_column(Text, default="")
    hours: Mapped[str] = mapped_column(Text, default="")
    online_url: Mapped[str] = mapped_column(String(URL_CHARS), default="")
    online_platform: Mapped[str] = mapped_column(String(PLATFORM_CHARS), default="")
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    consult_phone: Mapped[str] = mapped_column(String(PHONE_CHARS), default="")
    complain_phone: Mapped[str] = mapped_column(String(PHONE_CHARS), default="")
    courier: Mapped[bool | None] = mapped_column(Boolean)
    visits: Mapped[int | None] = mapped_column(Integer)
    themes: Mapped[list[str]] = mapped_column(JSON, default=list)
    audiences: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The item's own life events when its file names them, else those zhengshu.guide.life_events
    # finds from its themes, name and audiences at import.
    life_events: Mapped[list[str]] = mapped_column(JSON, default=list)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Where the item came from: the imported file's name, "人工修改", the demo's note.
    source: Mapped[str] = mapped_column(String(SOURCE_CHARS), default="")
    # Of the record's content (zhengshu.guide.importing.content_hash): a re-import of the same item
    # changes nothing.
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(Moment)
    updated_at: Mapped[datetime] = mapped_column(Moment)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    materials: Mapped[list[ServiceMaterial]] = relationship(
        order_by="ServiceMaterial.position", viewonly=True
    )
    faqs: Mapped[list[ServiceFaq]] = relationship(order_by="ServiceFaq.position", viewonly=True)


class ServiceMaterial(Base):
    __tablename__ = "service_materials"
    __table_args__ = (UniqueConstraint("item_id", "position", name="uq_service_materials_item_position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("service_items.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(MATERIAL_NAME_CHARS))
    form: Mapped[str] = mapped_column(String(MATERIAL_FORM_CHARS), default="")  # 原件, 复印件, …
    copies: Mapped[int | None] = mapped_column(Integer)
    medium: Mapped[str] = mapped_column(String(MATERIAL_MEDIUM_CHARS), default="")  # 纸质, 电子, …
    optional: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")


class ServiceFaq(Base):
    __tablename__ = "service_faqs"
    __table_args__ = (UniqueConstraint("item_id", "position", name="uq_service_faqs_item_position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("service_items.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
