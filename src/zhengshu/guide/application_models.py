"""Tables of applications for service items: an applicant's profile (a person or an enterprise,
owned by the applicant's account) and the applications made with it, each with its form values,
attached materials, status and the findings of its last pre-review."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from zhengshu.db import Base, Moment
from zhengshu.org.models import User

KIND_CHARS = 16
STATUS_CHARS = 16
ITEM_CODE_CHARS = 64
ITEM_NAME_CHARS = 300
DISPLAY_NAME_CHARS = 200


class ApplicantProfile(Base):
    """What an applicant fills in once: the fields of zhengshu.guide.application_fields for a person
    or an enterprise. One per account."""

    __tablename__ = "applicant_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    kind: Mapped[str] = mapped_column(String(KIND_CHARS))  # person / enterprise
    values: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(Moment)
    updated_at: Mapped[datetime] = mapped_column(Moment)
    # Optimistic lock: a save carries the version it read; a stale one is a conflict.
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    user: Mapped[User] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}


class ServiceApplication(Base):
    __tablename__ = "applications"
    __table_args__ = (
        Index("ix_applications_user_updated", "user_id", "updated_at"),
        Index("ix_applications_status_updated", "status", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The applicant (the account the application is made for) and who made it: the applicant, or
    # an officer helping them (帮办).
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The item by its code, and its name when the application was made: the item may be
    # re-imported, renamed or withdrawn later, and the application must still read right.
    item_code: Mapped[str] = mapped_column(String(ITEM_CODE_CHARS), index=True)
    item_name: Mapped[str] = mapped_column(String(ITEM_NAME_CHARS))
    kind: Mapped[str] = mapped_column(String(KIND_CHARS))
    values: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    materials: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(STATUS_CHARS))
    # zhengshu.guide.prereview.Finding.as_json() of the last pre-review; None before the first.
    findings: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    reviewed_at: Mapped[datetime | None] = mapped_column(Moment)
    submitted_at: Mapped[datetime | None] = mapped_column(Moment)
    created_at: Mapped[datetime] = mapped_column(Moment)
    updated_at: Mapped[datetime] = mapped_column(Moment)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")

    __mapper_args__ = {"version_id_col": version}
