"""Summary tables behind the 民意地图 and 民意速办 dashboards (zhengshu.appeals.board_cube).

The same counts at three grains, each read where it is the smallest that can answer: per day with the
community (a street's communities), per day without it, and per month without it (long periods)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from zhengshu.db import Base, Moment

_ID = BigInteger().with_variant(Integer, "sqlite")


class _Counts:
    """What became of the appeals of one group (zhengshu.appeals.board_measures.STORED)."""

    id: Mapped[int] = mapped_column(_ID, primary_key=True)
    street_id: Mapped[int | None] = mapped_column(ForeignKey("streets.id"))
    lead_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    category: Mapped[str | None] = mapped_column(String(32))
    type: Mapped[str] = mapped_column(String(16))

    received: Mapped[int] = mapped_column(Integer)
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


class AppealDayStats(_Counts, Base):
    """Appeals received on one day, per street, community, lead department, category and type. Rebuilt
    day by day from the appeals: never edited by hand, so it can always be dropped and recomputed."""

    __tablename__ = "appeal_day_stats"
    __table_args__ = (
        Index("ix_appeal_day_stats_day", "day"),
        Index("ix_appeal_day_stats_street_day", "street_id", "day"),
    )

    day: Mapped[date] = mapped_column(Date)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"))


class StreetDayStats(_Counts, Base):
    """appeal_day_stats without the community: about half the rows."""

    __tablename__ = "appeal_street_day_stats"
    __table_args__ = (
        Index("ix_appeal_street_day_stats_day", "day"),
        Index("ix_appeal_street_day_stats_street_day", "street_id", "day"),
        Index("ix_appeal_street_day_stats_department_day", "lead_department_id", "day"),
    )

    day: Mapped[date] = mapped_column(Date)


class StreetMonthStats(_Counts, Base):
    """appeal_street_day_stats summed per calendar month (``month`` is its first day)."""

    __tablename__ = "appeal_street_month_stats"
    __table_args__ = (Index("ix_appeal_street_month_stats_month", "month"),)

    month: Mapped[date] = mapped_column(Date)


class BoardMark(Base):
    """How far the summary tables have read the appeals: the newest ``updated_at`` (and closure-audit
    time) already counted."""

    __tablename__ = "board_marks"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    seen_to: Mapped[datetime] = mapped_column(Moment)
    # The highest appeal id counted: appeals written with an earlier ``updated_at`` (the demo, a
    # generator) are new all the same.
    seen_id: Mapped[int] = mapped_column(Integer)
    refreshed_at: Mapped[datetime] = mapped_column(Moment)
