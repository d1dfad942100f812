"""The applicant's profile (个人资料 or 单位资料): the fields of a person or an enterprise that
pre-fill fills new applications from, kept by the applicant or by an officer for them (帮办)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhengshu.clock import now
from zhengshu.errors import Conflict
from zhengshu.guide.application_access import applicant_of, flush, record_action
from zhengshu.guide.application_fields import applicant_fields
from zhengshu.guide.application_form import parse_kind, parse_values
from zhengshu.guide.application_models import ApplicantProfile
from zhengshu.org.models import User

__all__ = ["get_profile", "save_profile"]


def get_profile(session: Session, actor: User, *, applicant_id: int | None = None) -> ApplicantProfile | None:
    owner = applicant_of(session, actor, applicant_id)
    return session.scalar(select(ApplicantProfile).where(ApplicantProfile.user_id == owner.id))


def save_profile(
    session: Session,
    actor: User,
    kind: object,
    values: Mapping[str, Any],
    *,
    applicant_id: int | None = None,
    expected_version: int | None = None,
) -> ApplicantProfile:
    """Create or replace the applicant's profile (a person's or an enterprise's fields)."""
    owner = applicant_of(session, actor, applicant_id)
    applicant_kind = parse_kind(kind)
    cleaned = parse_values(values, applicant_fields(applicant_kind))
    profile = session.scalar(select(ApplicantProfile).where(ApplicantProfile.user_id == owner.id))
    moment = now()
    if profile is None:
        profile = ApplicantProfile(
            user_id=owner.id, kind=applicant_kind.value, values=cleaned, created_at=moment
        )
        session.add(profile)
        changed = sorted(name for name, value in cleaned.items() if value)
    else:
        if expected_version is not None and profile.version != expected_version:
            raise Conflict("资料已在别处更新，请刷新后再保存")
        before = profile.values if profile.kind == applicant_kind.value else {}
        changed = sorted(name for name, value in cleaned.items() if before.get(name, "") != value)
        profile.kind = applicant_kind.value
        profile.values = cleaned
    profile.updated_at = moment
    flush(session, "资料已在别处同时更新，请刷新后再保存")
    # Which fields changed, never their values: the audit log is no place for ID numbers.
    record_action(
        session,
        "applicant_profile.saved",
        "applicant_profile",
        profile.id,
        actor,
        owner.id,
        kind=profile.kind,
        fields=changed,
    )
    return profile
