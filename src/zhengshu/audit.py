"""Append-only event log: every state change records its action code, actor, time, subject and data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from zhengshu.bulk import insert_rows
from zhengshu.clock import now
from zhengshu.db import Base, Moment


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_subject", "subject_type", "subject_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Shown on timelines without a join: "系统" for jobs, the channel for anonymous intake.
    actor_label: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(Moment, index=True)
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int] = mapped_column()
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


def record(
    session: Session,
    action: str,
    subject_type: str,
    subject_id: int,
    *,
    actor_id: int | None,
    actor_label: str,
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    event = AuditEvent(
        action=action,
        actor_id=actor_id,
        actor_label=actor_label,
        at=at or now(),
        subject_type=subject_type,
        subject_id=subject_id,
        data=data or {},
    )
    session.add(event)
    return event


def record_many(
    session: Session,
    action: str,
    subject_type: str,
    subjects: list[tuple[int, dict[str, Any]]],
    *,
    actor_id: int | None,
    actor_labels: list[str],
    at: datetime,
) -> None:
    """One event per (subject id, data), written in one statement: batch intake uses it."""
    rows = [
        {
            "action": action,
            "actor_id": actor_id,
            "actor_label": label,
            "at": at,
            "subject_type": subject_type,
            "subject_id": subject_id,
            "data": data,
        }
        for (subject_id, data), label in zip(subjects, actor_labels, strict=True)
    ]
    insert_rows(session, AuditEvent.__table__, rows)  # type: ignore[arg-type]


def events_for(session: Session, subject_type: str, subject_id: int) -> list[AuditEvent]:
    query = (
        select(AuditEvent)
        .where(AuditEvent.subject_type == subject_type, AuditEvent.subject_id == subject_id)
        .order_by(AuditEvent.id)
    )
    return list(session.scalars(query))
