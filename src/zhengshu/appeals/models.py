"""Appeal tables."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from zhengshu.db import Base, Moment
from zhengshu.org.models import Community, Department, Street


class Appeal(Base):
    __tablename__ = "appeals"
    __table_args__ = (
        Index("ix_appeals_status_created", "status", "created_at"),
        Index("ix_appeals_lead_status", "lead_department_id", "status"),
        Index("ix_appeals_status_due", "status", "due_at"),
        Index("ix_appeals_street_created", "street_id", "created_at"),
        # Similar cases: the same appellant's appeals, and what changed since the index's last refresh.
        Index("ix_appeals_appellant_phone", "appellant_phone"),
        Index("ix_appeals_updated_at", "updated_at"),
        # Dashboards: today's intake, drill-down lists newest first, the points layer; dispatched
        # and closed today.
        Index("ix_appeals_created_at", "created_at"),
        Index("ix_appeals_dispatched_at", "dispatched_at"),
        Index("ix_appeals_closed_at", "closed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)
    # The id an import or another system gave the appeal; re-importing it changes nothing.
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    type: Mapped[str] = mapped_column(String(16))
    urgency: Mapped[str] = mapped_column(String(16))
    category: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))

    appellant_name: Mapped[str] = mapped_column(String(64))
    appellant_phone: Mapped[str] = mapped_column(String(20))
    appellant_phone_last4: Mapped[str] = mapped_column(String(4))
    appellant_id_number: Mapped[str | None] = mapped_column(String(18))
    is_enterprise: Mapped[bool] = mapped_column(Boolean, default=False)
    enterprise_name: Mapped[str | None] = mapped_column(String(128))
    enterprise_credit_code: Mapped[str | None] = mapped_column(String(18))

    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(String(200))
    street_id: Mapped[int | None] = mapped_column(ForeignKey("streets.id"))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)

    lead_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    created_at: Mapped[datetime] = mapped_column(Moment)
    updated_at: Mapped[datetime] = mapped_column(Moment)
    dispatched_at: Mapped[datetime | None] = mapped_column(Moment)
    accepted_at: Mapped[datetime | None] = mapped_column(Moment)
    replied_at: Mapped[datetime | None] = mapped_column(Moment)
    closed_at: Mapped[datetime | None] = mapped_column(Moment)
    accept_due_at: Mapped[datetime | None] = mapped_column(Moment)
    due_at: Mapped[datetime | None] = mapped_column(Moment)
    # True when a deadline was counted over a year whose holiday arrangement is not loaded yet.
    due_estimated: Mapped[bool] = mapped_column(Boolean, default=False)
    reply: Mapped[str | None] = mapped_column(Text)
    satisfaction: Mapped[str | None] = mapped_column(String(24))
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # 并案: the main appeal this one was merged into (its handling answers for this one too).
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("appeals.id"), index=True)
    # Optimistic lock: an update carries the version it read; a stale one is a conflict.
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    # The words of title and content, space-separated (zhengshu.appeals.search_terms), stored at intake
    # for the similar-appeals index; NULL for appeals filed before it was stored (filled in once).
    search_terms: Mapped[str | None] = mapped_column(Text, deferred=True)

    street: Mapped[Street | None] = relationship(lazy="joined")
    community: Mapped[Community | None] = relationship(lazy="joined")
    lead_department: Mapped[Department | None] = relationship(lazy="joined")
    co_handlers: Mapped[list[CoHandler]] = relationship(
        back_populates="appeal", cascade="all, delete-orphan", order_by="CoHandler.id"
    )

    __mapper_args__ = {"version_id_col": version}


class CoHandler(Base):
    """A department that helps the lead department handle an appeal (协办)."""

    __tablename__ = "appeal_co_handlers"
    __table_args__ = (UniqueConstraint("appeal_id", "department_id", name="uq_co_handlers_appeal_dept"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id", ondelete="CASCADE"))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    opinion: Mapped[str | None] = mapped_column(Text)
    replied_at: Mapped[datetime | None] = mapped_column(Moment)
    appeal: Mapped[Appeal] = relationship(back_populates="co_handlers")
    department: Mapped[Department] = relationship(lazy="joined")


class ExtensionRequest(Base):
    __tablename__ = "appeal_extensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id", ondelete="CASCADE"), index=True)
    days: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # pending, approved, rejected
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(Moment)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(Moment)
    decision_note: Mapped[str | None] = mapped_column(Text)


class SupervisionNotice(Base):
    """督办单: issued by a supervisor, or by the overdue job for each missed deadline."""

    __tablename__ = "supervision_notices"
    __table_args__ = (
        # The overdue job issues one notice per appeal and deadline, however often it runs.
        UniqueConstraint("appeal_id", "kind", "due_at", name="uq_supervision_once_per_due"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # manual, overdue_accept, overdue_handle
    due_at: Mapped[datetime | None] = mapped_column(Moment)
    message: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[datetime] = mapped_column(Moment, index=True)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    appeal: Mapped[Appeal] = relationship(lazy="joined")


class NumberCounter(Base):
    """Per-day sequence behind appeal numbers: incremented atomically, so numbers never repeat."""

    __tablename__ = "appeal_number_counters"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)
