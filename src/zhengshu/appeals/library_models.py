"""Tables of the reply library and the briefs: reply templates (答复模板), exemplary cases (典型案例)
and the stored daily briefs (每日5条, 企业诉求每日速报)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from zhengshu.appeals.models import Appeal
from zhengshu.db import Base, Moment


class ReplyTemplate(Base):
    """A reply text with fields such as {诉求编号}, filled from the appeal when a handler replies."""

    __tablename__ = "reply_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100), unique=True)
    # None: a general template, offered for every category.
    category: Mapped[str | None] = mapped_column(String(32), index=True)
    # Words that say when the template fits, separated by spaces or commas.
    keywords: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text)
    # Whether {诉求人称呼} may name the appellant by surname (张先生/女士); otherwise "您好".
    use_surname: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(Moment)
    updated_at: Mapped[datetime] = mapped_column(Moment)


class ExemplaryCase(Base):
    """A closed appeal marked as a positive or negative example of handling, with the curator's note."""

    __tablename__ = "exemplary_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id", ondelete="CASCADE"), unique=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)  # positive, negative
    note: Mapped[str] = mapped_column(Text)
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    marked_at: Mapped[datetime] = mapped_column(Moment)
    appeal: Mapped[Appeal] = relationship(lazy="joined")


class DailyBrief(Base):
    """One generated brief of one day, kept as JSON so the page and the .docx show what was generated."""

    __tablename__ = "daily_briefs"
    __table_args__ = (UniqueConstraint("day", "kind", name="uq_daily_briefs_day_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16))  # daily_five, enterprise
    generated_at: Mapped[datetime] = mapped_column(Moment)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    revision: Mapped[int] = mapped_column(Integer, default=1)
