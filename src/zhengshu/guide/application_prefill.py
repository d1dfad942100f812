"""Smart pre-fill (智能预填): a new application's form filled from the applicant's profile and their
earlier applications, each value and material saying where it came from."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhengshu.guide.application_access import applicant_of
from zhengshu.guide.application_fields import ApplicantKind, default_kind, form_fields
from zhengshu.guide.application_form import AttachedMaterial, parse_kind
from zhengshu.guide.application_models import ApplicantProfile, ServiceApplication
from zhengshu.guide.catalog import item_record
from zhengshu.guide.material_names import MATCH_THRESHOLD, similarity
from zhengshu.guide.records import ItemRecord
from zhengshu.org.models import User

__all__ = ["EARLIER_APPLICATIONS", "Prefill", "prefill"]


@dataclass
class Prefill:
    """A new application's form as far as the profile and earlier applications fill it: each
    value with where it came from (个人资料, or 2026-10-03 申请「…」)."""

    item: ItemRecord
    kind: ApplicantKind
    values: dict[str, str]
    sources: dict[str, str] = field(default_factory=dict)
    materials: list[AttachedMaterial] = field(default_factory=list)
    material_sources: list[str] = field(default_factory=list)


EARLIER_APPLICATIONS = 20


def _earlier(session: Session, owner_id: int, kind: ApplicantKind) -> list[ServiceApplication]:
    query = (
        select(ServiceApplication)
        .where(ServiceApplication.user_id == owner_id, ServiceApplication.kind == kind.value)
        .order_by(ServiceApplication.updated_at.desc(), ServiceApplication.id.desc())
        .limit(EARLIER_APPLICATIONS)
    )
    return list(session.scalars(query))


def _source_of(application: ServiceApplication) -> str:
    return f"{application.updated_at:%Y-%m-%d} 申请「{application.item_name}」"


def prefill(
    session: Session, actor: User, item_code: str, *, applicant_id: int | None = None, kind: str | None = None
) -> Prefill:
    owner = applicant_of(session, actor, applicant_id)
    item = item_record(session, item_code)
    profile = session.scalar(select(ApplicantProfile).where(ApplicantProfile.user_id == owner.id))
    if kind:
        applicant_kind = parse_kind(kind)
    else:
        applicant_kind = ApplicantKind(profile.kind) if profile else default_kind(item)
    fields = form_fields(item, applicant_kind)
    result = Prefill(item, applicant_kind, {f.name: "" for f in fields})
    if profile is not None and profile.kind == applicant_kind.value:
        label = "个人资料" if applicant_kind is ApplicantKind.PERSON else "单位资料"
        for name in result.values:
            if value := profile.values.get(name, ""):
                result.values[name], result.sources[name] = value, label
    earlier = _earlier(session, owner.id, applicant_kind)
    for application in earlier:
        for name, value in result.values.items():
            if not value and (earlier_value := application.values.get(name, "")):
                result.values[name], result.sources[name] = earlier_value, _source_of(application)
    _prefill_materials(result, earlier)
    return result


def _prefill_materials(result: Prefill, earlier: Sequence[ServiceApplication]) -> None:
    """A required material an earlier application had (an ID card with its validity, say), as it
    was declared there, under the name this item uses."""
    for wanted in result.item.materials:
        for application in earlier:
            found = _best_material(wanted.name, application.materials)
            if found is not None:
                result.materials.append(
                    AttachedMaterial(
                        name=wanted.name,
                        form=found.get("form", ""),
                        medium=found.get("medium", ""),
                        valid_until=found.get("valid_until", ""),
                        issued_on=found.get("issued_on", ""),
                    )
                )
                result.material_sources.append(_source_of(application))
                break


def _best_material(name: str, materials: Sequence[Mapping[str, str]]) -> Mapping[str, str] | None:
    scored = [(similarity(name, m.get("name", "")), m) for m in materials]
    scored = [(score, m) for score, m in scored if score >= MATCH_THRESHOLD]
    return max(scored, key=lambda pair: pair[0])[1] if scored else None
