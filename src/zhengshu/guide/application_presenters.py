"""Profiles, pre-fills and applications as the JSON API shows them: personal data masked unless
the viewer is the applicant or may see it (pii.view), and counts of the findings kept."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from zhengshu.guide.application_access import sees_pii
from zhengshu.guide.application_fields import ApplicantKind, applicant_fields, masked_values
from zhengshu.guide.application_models import ApplicantProfile, ServiceApplication
from zhengshu.guide.application_prefill import Prefill
from zhengshu.guide.application_status import ApplicationStatus
from zhengshu.org.models import User

__all__ = ["application_json", "prefill_json", "profile_json"]


def profile_json(profile: ApplicantProfile, viewer: User) -> dict[str, Any]:
    kind = ApplicantKind(profile.kind)
    values = dict(profile.values)
    if not sees_pii(viewer, profile.user_id):
        values = masked_values(applicant_fields(kind), values)
    return {
        "applicant": profile.user_id,
        "kind": kind.value,
        "kind_label": kind.label,
        "values": values,
        "version": profile.version,
        "updated_at": profile.updated_at.isoformat(),
    }


def prefill_json(found: Prefill) -> dict[str, Any]:
    return {
        "item": {"code": found.item.code, "name": found.item.name},
        "kind": found.kind.value,
        "values": found.values,
        "sources": found.sources,
        "materials": [
            m.as_json() | {"source": source}
            for m, source in zip(found.materials, found.material_sources, strict=True)
        ],
    }


def application_json(
    application: ServiceApplication, viewer: User, *, with_details: bool = True
) -> dict[str, Any]:
    status = ApplicationStatus(application.status)
    kind = ApplicantKind(application.kind)
    shown: dict[str, Any] = {
        "id": application.id,
        "applicant": application.user_id,
        "item": {"code": application.item_code, "name": application.item_name},
        "kind": kind.value,
        "status": status.value,
        "status_label": status.label,
        "version": application.version,
        "created_at": application.created_at.isoformat(),
        "updated_at": application.updated_at.isoformat(),
        "reviewed_at": application.reviewed_at.isoformat() if application.reviewed_at else None,
        "submitted_at": application.submitted_at.isoformat() if application.submitted_at else None,
    }
    findings = application.findings
    shown["counts"] = None if findings is None else _counts(findings)
    if with_details:
        values = dict(application.values)
        if not sees_pii(viewer, application.user_id):
            values = masked_values(applicant_fields(kind), values)
        shown["values"] = values
        shown["materials"] = list(application.materials)
        shown["findings"] = findings
    return shown


def _counts(findings: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    errors = sum(1 for f in findings if f.get("severity") == "错误")
    return {"errors": errors, "notices": len(findings) - errors}
