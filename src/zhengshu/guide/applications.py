"""Applications for service items: the applicant's profile, pre-fill, drafts, pre-review and
submission. One function per use case; the API, the pages and the demo call the same ones.

Who may do what: an applicant (办事人, application.apply) works on their own profile and
applications only; a 政务服务专员 (application.assist) may act for any applicant (帮办) and read
their applications; everybody else is refused. Another applicant's application looks exactly like
one that does not exist.

An application moves 草稿 → 已预审 → 已提交 by the one table below. Editing a reviewed application
makes it a draft again (its findings no longer describe it), and submission re-runs the
pre-review and is refused while any 错误 remains."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from zhengshu import audit
from zhengshu.clock import now
from zhengshu.errors import Conflict, IllegalTransition, InvalidInput, NotFound, PermissionDenied
from zhengshu.guide.application_form import (
    ApplicantKind,
    Application,
    AttachedMaterial,
    applicant_fields,
    default_kind,
    form_fields,
    masked_values,
    parse_application,
    parse_kind,
    parse_values,
)
from zhengshu.guide.application_models import ApplicantProfile, ServiceApplication
from zhengshu.guide.catalog import item_record
from zhengshu.guide.materials_match import MATCH_THRESHOLD, similarity
from zhengshu.guide.prereview import Finding, blocking, pre_review
from zhengshu.guide.records import ItemRecord
from zhengshu.org.models import User
from zhengshu.org.roles import Permission, Role, has_permission

__all__ = [
    "ApplicationAction",
    "ApplicationStatus",
    "Prefill",
    "applicant_of",
    "application_json",
    "find_applicant",
    "findings_of",
    "get_application",
    "get_profile",
    "item_of",
    "list_applications",
    "may_apply",
    "next_status",
    "prefill",
    "prefill_json",
    "profile_json",
    "run_pre_review",
    "save_draft",
    "save_profile",
    "sees_pii",
    "submit",
]


class ApplicationStatus(StrEnum):
    DRAFT = "draft"
    REVIEWED = "reviewed"
    SUBMITTED = "submitted"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    ApplicationStatus.DRAFT: "草稿",
    ApplicationStatus.REVIEWED: "已预审",
    ApplicationStatus.SUBMITTED: "已提交",
}


class ApplicationAction(StrEnum):
    SAVE = "save"
    REVIEW = "review"
    SUBMIT = "submit"

    @property
    def label(self) -> str:
        return {"save": "保存", "review": "智能预审", "submit": "提交"}[self.value]


TRANSITIONS: dict[tuple[ApplicationStatus, ApplicationAction], ApplicationStatus] = {
    (ApplicationStatus.DRAFT, ApplicationAction.SAVE): ApplicationStatus.DRAFT,
    (ApplicationStatus.REVIEWED, ApplicationAction.SAVE): ApplicationStatus.DRAFT,
    (ApplicationStatus.DRAFT, ApplicationAction.REVIEW): ApplicationStatus.REVIEWED,
    (ApplicationStatus.REVIEWED, ApplicationAction.REVIEW): ApplicationStatus.REVIEWED,
    (ApplicationStatus.REVIEWED, ApplicationAction.SUBMIT): ApplicationStatus.SUBMITTED,
}


def next_status(current: ApplicationStatus, action: ApplicationAction) -> ApplicationStatus:
    target = TRANSITIONS.get((current, action))
    if target is None:
        if current is ApplicationStatus.SUBMITTED:
            raise IllegalTransition("申请已提交，不能再修改或预审")
        if action is ApplicationAction.SUBMIT:
            raise IllegalTransition("请先进行智能预审，再提交申请")
        raise IllegalTransition(f"{current.label}状态的申请不能{action.label}")
    return target


# --- who may act for whom ------------------------------------------------------------------------


def _assists(user: User) -> bool:
    return has_permission(user.role, Permission.APPLICATION_ASSIST)


def _applies(user: User) -> bool:
    return has_permission(user.role, Permission.APPLY)


def _applicant(session: Session, actor: User, applicant_id: int | None) -> User:
    """The account the actor works for: their own, or (帮办) the applicant's they name."""
    if applicant_id is None or applicant_id == actor.id:
        if _applies(actor):
            return actor
        if _assists(actor):
            raise InvalidInput("请选择要帮办的办事人", errors={"applicant": "必填"})
        raise PermissionDenied("当前账号无权办理申请（需办事人账号）")
    if not _assists(actor):
        if _applies(actor):
            raise PermissionDenied("只能查看和办理本人的申请")
        raise PermissionDenied("当前账号无权办理申请（需办事人账号）")
    target = session.get(User, applicant_id)
    if target is None or not target.is_active or target.role != Role.APPLICANT.value:
        raise NotFound("未找到该办事人")
    return target


def may_apply(user: User | None) -> bool:
    """Whether the user may keep applications: an applicant, or an officer helping one."""
    return user is not None and (_applies(user) or _assists(user))


def find_applicant(session: Session, actor: User, username: str) -> User:
    """An applicant's account by its username, for an officer about to help them (帮办)."""
    if not _assists(actor):
        raise PermissionDenied("只有政务服务专员可以帮办")
    wanted = username.strip()[:64]
    target = session.scalar(select(User).where(User.username == wanted)) if wanted else None
    if target is None or not target.is_active or target.role != Role.APPLICANT.value:
        raise NotFound(f"未找到办事人账号“{wanted}”")
    return target


def applicant_of(session: Session, actor: User, applicant_id: int | None) -> User:
    """The account the actor works for (their own, or the applicant an officer names)."""
    return _applicant(session, actor, applicant_id)


def _may_read(actor: User, application: ServiceApplication) -> bool:
    return application.user_id == actor.id or _assists(actor)


def sees_pii(actor: User, owner_id: int) -> bool:
    return owner_id == actor.id or has_permission(actor.role, Permission.PII_VIEW)


def _label(actor: User) -> str:
    return actor.display_name


def _audit(
    session: Session, action: str, subject: str, subject_id: int, actor: User, owner: int, **data: Any
) -> None:
    if owner != actor.id:
        data["for_user_id"] = owner  # 帮办: the officer acted for the applicant
    audit.record(
        session, action, subject, subject_id, actor_id=actor.id, actor_label=_label(actor), data=data
    )


# --- profiles ------------------------------------------------------------------------------------


def get_profile(session: Session, actor: User, *, applicant_id: int | None = None) -> ApplicantProfile | None:
    owner = _applicant(session, actor, applicant_id)
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
    owner = _applicant(session, actor, applicant_id)
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
    _flush(session, "资料已在别处同时更新，请刷新后再保存")
    # Which fields changed, never their values: the audit log is no place for ID numbers.
    _audit(
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


def _flush(session: Session, message: str) -> None:
    try:
        session.flush()
    except StaleDataError:
        raise Conflict(message) from None


# --- pre-fill ------------------------------------------------------------------------------------


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
    owner = _applicant(session, actor, applicant_id)
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


# --- applications --------------------------------------------------------------------------------


def get_application(session: Session, actor: User, application_id: int) -> ServiceApplication:
    if not (_applies(actor) or _assists(actor)):
        raise PermissionDenied("当前账号无权查看申请")
    application = session.get(ServiceApplication, application_id)
    if application is None or not _may_read(actor, application):
        raise NotFound("申请不存在或无权查看")
    return application


def _domain(application: ServiceApplication) -> Application:
    return Application(
        ApplicantKind(application.kind),
        dict(application.values),
        tuple(AttachedMaterial(**m) for m in application.materials),
    )


def save_draft(
    session: Session,
    actor: User,
    raw: Mapping[str, Any],
    *,
    item_code: str | None = None,
    application_id: int | None = None,
    applicant_id: int | None = None,
    expected_version: int | None = None,
) -> ServiceApplication:
    """A new application (for ``item_code``) or a change to one (``application_id``), saved as a
    draft. ``raw`` is {"kind", "values", "materials"} as the form or the API sends it."""
    moment = now()
    if application_id is None:
        if not item_code:
            raise InvalidInput("请指定事项编码", errors={"item": "必填"})
        owner = _applicant(session, actor, applicant_id)
        item = item_record(session, item_code)
        parsed = parse_application(item, raw)
        application = ServiceApplication(
            user_id=owner.id,
            created_by_id=actor.id,
            item_code=item.code,
            item_name=item.name[:300],
            status=ApplicationStatus.DRAFT.value,
            created_at=moment,
        )
        session.add(application)
        event = "application.created"
    else:
        application = get_application(session, actor, application_id)
        if expected_version is not None and application.version != expected_version:
            raise Conflict("申请已在别处更新，请刷新后再保存")
        application.status = next_status(ApplicationStatus(application.status), ApplicationAction.SAVE).value
        parsed = parse_application(item_of(session, application), raw)
        event = "application.saved"
    application.kind = parsed.kind.value
    application.values = dict(parsed.values)
    application.materials = [m.as_json() for m in parsed.materials]
    application.findings = None
    application.reviewed_at = None
    application.updated_at = moment
    _flush(session, "申请已在别处同时更新，请刷新后再保存")
    _audit(
        session,
        event,
        "application",
        application.id,
        actor,
        application.user_id,
        item_code=application.item_code,
        status=application.status,
    )
    return application


def item_of(session: Session, application: ServiceApplication) -> ItemRecord:
    try:
        return item_record(session, application.item_code)
    except NotFound:
        raise NotFound(f"事项「{application.item_name}」已不在服务事项库中，无法继续办理") from None


def findings_of(application: ServiceApplication) -> list[Finding] | None:
    if application.findings is None:
        return None
    return [Finding.from_json(f) for f in application.findings]


def _review(
    session: Session,
    actor: User,
    application_id: int,
    action: ApplicationAction,
    today: date,
    expected_version: int | None,
) -> tuple[ServiceApplication, list[Finding], ApplicationStatus, ApplicationStatus]:
    application = get_application(session, actor, application_id)
    if expected_version is not None and application.version != expected_version:
        raise Conflict("申请已在别处更新，请刷新后再操作")
    current = ApplicationStatus(application.status)
    target = next_status(current, action)
    findings = pre_review(item_of(session, application), _domain(application), today)
    return application, findings, current, target


def run_pre_review(
    session: Session, actor: User, application_id: int, today: date, *, expected_version: int | None = None
) -> tuple[ServiceApplication, list[Finding]]:
    """Pre-review the application as it stands and keep what was found."""
    application, findings, current, target = _review(
        session, actor, application_id, ApplicationAction.REVIEW, today, expected_version
    )
    _store(session, application, findings, target)
    errors = len(blocking(findings))
    _audit(
        session,
        "application.reviewed",
        "application",
        application.id,
        actor,
        application.user_id,
        **{"from": current.value, "to": target.value, "errors": errors, "notices": len(findings) - errors},
    )
    return application, findings


def submit(
    session: Session, actor: User, application_id: int, today: date, *, expected_version: int | None = None
) -> ServiceApplication:
    """Submit a pre-reviewed application. The pre-review runs again (the item or the date may have
    changed since); while any 错误 remains nothing is written and the refusal names them."""
    application, findings, current, target = _review(
        session, actor, application_id, ApplicationAction.SUBMIT, today, expected_version
    )
    errors = blocking(findings)
    if errors:
        listed = "；".join(f.message for f in errors[:3])
        more = f"等{len(errors)}项" if len(errors) > 3 else ""
        raise IllegalTransition(f"还有错误未改正，不能提交：{listed}{more}。请修改后重新预审")
    application.submitted_at = now()
    _store(session, application, findings, target)
    _audit(
        session,
        "application.submitted",
        "application",
        application.id,
        actor,
        application.user_id,
        **{"from": current.value, "to": target.value, "item_code": application.item_code},
    )
    return application


def _store(
    session: Session, application: ServiceApplication, findings: list[Finding], target: ApplicationStatus
) -> None:
    moment = now()
    application.status = target.value
    application.findings = [f.as_json() for f in findings]
    application.reviewed_at = moment
    application.updated_at = moment
    _flush(session, "申请已在别处同时更新，请刷新后再操作")


PAGE_SIZE = 20


@dataclass(frozen=True)
class ApplicationPage:
    items: list[ServiceApplication]
    total: int
    page: int
    size: int = PAGE_SIZE


def list_applications(
    session: Session,
    actor: User,
    *,
    applicant_id: int | None = None,
    status: str | None = None,
    page: int = 1,
) -> ApplicationPage:
    """The actor's own applications; for an officer, an applicant's or (no applicant) everyone's."""
    owner_id = (
        None if applicant_id is None and _assists(actor) else _applicant(session, actor, applicant_id).id
    )
    query = select(ServiceApplication)
    if owner_id is not None:
        query = query.where(ServiceApplication.user_id == owner_id)
    if status:
        try:
            query = query.where(ServiceApplication.status == ApplicationStatus(status).value)
        except ValueError:
            raise InvalidInput(
                "状态取值无效，可选：draft、reviewed、submitted", errors={"status": "取值无效"}
            ) from None
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(ServiceApplication.updated_at.desc(), ServiceApplication.id.desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    return ApplicationPage(list(rows), total, page)


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
