"""Weak-signal tables: the warnings a day's detection raised, and which days were run."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from zhengshu.db import Base, Moment


class WarningStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    DISMISSED = "dismissed"

    @property
    def label(self) -> str:
        return WARNING_STATUS_LABELS[self]


WARNING_STATUS_LABELS = {
    WarningStatus.OPEN: "待处理",
    WarningStatus.ACKNOWLEDGED: "已确认关注",
    WarningStatus.DISMISSED: "已排除",
}


class WarningKind(StrEnum):
    STREET = "street"
    COMMUNITY = "community"
    TERM = "term"

    @property
    def label(self) -> str:
        return WARNING_KIND_LABELS[self]


WARNING_KIND_LABELS = {
    WarningKind.STREET: "街道×类别",
    WarningKind.COMMUNITY: "社区×类别",
    WarningKind.TERM: "新兴词",
}


class SignalWarning(Base):
    __tablename__ = "signal_warnings"
    __table_args__ = (
        # A day's detection raises one warning per series however often it runs.
        UniqueConstraint("day", "key", name="uq_signal_warnings_day_key"),
        Index("ix_signal_warnings_status_day", "status", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    key: Mapped[str] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(200))
    street_id: Mapped[int | None] = mapped_column(ForeignKey("streets.id"))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"))
    category: Mapped[str | None] = mapped_column(String(32))
    term: Mapped[str | None] = mapped_column(String(64))
    observed: Mapped[int] = mapped_column(Integer)
    expected: Mapped[float] = mapped_column(Float)
    p_value: Mapped[float] = mapped_column(Float)
    test: Mapped[str] = mapped_column(String(16))  # day, two_day, share
    explanation: Mapped[str] = mapped_column(Text)
    appeal_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    # The last weeks of the series: [{"day": iso, "count": n, "expected": x}, …]
    history: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(Moment)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(Moment)
    decision_note: Mapped[str | None] = mapped_column(Text)


class SignalRun(Base):
    """One row per detected day: the periodic job runs a day once, and the page says what was run."""

    __tablename__ = "signal_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    ran_at: Mapped[datetime] = mapped_column(Moment)
    appeals: Mapped[int] = mapped_column(Integer)
    series: Mapped[int] = mapped_column(Integer)
    warnings: Mapped[int] = mapped_column(Integer)
