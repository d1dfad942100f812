"""The table of the closed-on-paper audit (形式办结审查): one row per audited reply of an appeal."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from zhengshu.appeals.models import Appeal
from zhengshu.db import Base, Moment


class ClosureAudit(Base):
    """The audit of one reply text. A new reply (after 重办 or 审核退回) gets a new row; the latest row
    of an appeal is its current audit. The reviewer's decision (redo or clear) is kept on the row."""

    __tablename__ = "closure_audits"
    __table_args__ = (
        UniqueConstraint("appeal_id", "reply_hash", name="uq_closure_audits_appeal_reply"),
        Index("ix_closure_audits_queue", "flagged", "decision"),
        # Audits changed since the dashboards' summary last read them.
        Index("ix_closure_audits_audited_at", "audited_at"),
        Index("ix_closure_audits_decided_at", "decided_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id", ondelete="CASCADE"), index=True)
    # SHA-256 of the reply text: the audit belongs to this reply, not to whatever the appeal says now.
    reply_hash: Mapped[str] = mapped_column(String(64))
    score: Mapped[float] = mapped_column(Float)
    flagged: Mapped[bool] = mapped_column(Boolean)
    # [{"code", "message", "points"}], the reasons shown to the reviewer.
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    boilerplate_share: Mapped[float] = mapped_column(Float)
    # The outside signals the score used, so a changed signal triggers a new audit.
    dissatisfied: Mapped[bool] = mapped_column(Boolean, default=False)
    repeat_appeals: Mapped[int] = mapped_column(Integer, default=0)
    audited_at: Mapped[datetime] = mapped_column(Moment)
    decision: Mapped[str | None] = mapped_column(String(16))  # redo, cleared
    decision_note: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(Moment)
    appeal: Mapped[Appeal] = relationship(lazy="joined")
