"""Tables of the appeal classifier: trained model versions and what a model suggested for an appeal."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from zhengshu.db import Base, Moment


class ClassifierModel(Base):
    """One trained version, with the figures of its cross-validation; at most one is active.

    The model itself is stored here (a few MB) so that every web and worker process uses the
    same one; it holds hashed n-gram keys and weights, no text of the appeals it learned from."""

    __tablename__ = "classifier_models"
    # is_active is True or NULL: NULLs never collide in a unique constraint, so one version is active.
    __table_args__ = (UniqueConstraint("is_active", name="uq_classifier_models_is_active"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    source: Mapped[str] = mapped_column(String(200))
    examples: Mapped[int] = mapped_column(Integer)
    labels: Mapped[dict[str, int]] = mapped_column(JSON)
    evaluation: Mapped[dict[str, Any]] = mapped_column(JSON)
    macro_f1: Mapped[float | None] = mapped_column(Float)
    threshold: Mapped[float | None] = mapped_column(Float)
    size_bytes: Mapped[int] = mapped_column(Integer)
    # SHA-256 of the payload: processes cache loaded models by it (ids may be reused after deletion).
    digest: Mapped[str] = mapped_column(String(64))
    payload: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    is_active: Mapped[bool | None] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(Moment)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    activated_at: Mapped[datetime | None] = mapped_column(Moment)


class AppealClassification(Base):
    """What the model suggested at intake: kept apart from the appeal, whose category is decided
    by the dispatcher (or the automatic dispatch), so suggestion and decision can be compared."""

    __tablename__ = "appeal_classifications"

    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id", ondelete="CASCADE"), primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("classifier_models.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(100))
    confidence: Mapped[float] = mapped_column(Float)
    # [{"label", "confidence", "department"}], likeliest first; the words are worked out on display.
    suggestions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    auto_dispatched: Mapped[bool] = mapped_column(Boolean, default=False)
    classified_at: Mapped[datetime] = mapped_column(Moment)
