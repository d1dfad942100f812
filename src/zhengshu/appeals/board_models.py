"""Summary tables behind the 民意地图 and 民意速办 dashboards (zhengshu.appeals.board_cube)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from zhengshu.db import Base, Moment


class AppealDayStats(Base):
    """Appeals received on one day with the same street, community, lead department, category and
    type, and what became of them (zhengshu.appeals.board_measures). Rebuilt day by day from the
    appeals: never edited by hand, so it can always be dropped and recomputed."""

    __tablename__ = "appeal_day_stats"
    __table_args__ = (
        Index("ix_appeal_day_stats_day", "day"),
        Index("ix_appeal_day_stats_street_day", "street_id", "day"),
        Index("ix_appeal_day_stats_department_day", "lead_department_id", "day"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    street_id: Mapped[int | None] = mapped_column(ForeignKey("streets.id"))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"))
    lead_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    category: Mapped[str | None] = mapped_column(String(32))
    type: Mapped[str] = mapped_column(String(16))

    received: Mapped[int] = mapped_column(Integer)
    dispatched: Mapped[int] = mapped_column(Integer)
    accepted: Mapped[int] = mapped_column(Integer)
    accepted_on_time: Mapped[int] = mapped_column(Integer)
    closed: Mapped[int] = mapped_column(Integer)
    closed_on_time: Mapped[int] = mapped_column(Integer)
    handling_seconds: Mapped[int] = mapped_column(BigInteger)
    followed_up: Mapped[int] = mapped_column(Integer)
    satisfied: Mapped[int] = mapped_column(Integer)
    dissatisfied: Mapped[int] = mapped_column(Integer)
    reopened: Mapped[int] = mapped_column(Integer)
    closed_on_paper: Mapped[int] = mapped_column(Integer)


class BoardMark(Base):
    """How far the summary tables have read the appeals: the newest ``updated_at`` (and closure-audit
    time) already counted. One row per summary table."""

    __tablename__ = "board_marks"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    seen_to: Mapped[datetime] = mapped_column(Moment)
    refreshed_at: Mapped[datetime] = mapped_column(Moment)
