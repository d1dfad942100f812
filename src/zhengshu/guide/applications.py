"""Applications for service items: drafts, pre-review and submission, and the list of them. One
function per use case; the API, the pages and the demo call the same ones. Who may act for whom
is zhengshu.guide.application_access; the statuses and their table, application_status.

Editing a reviewed application makes it a draft again (its findings no longer describe it), and
submission re-runs the pre-review and is refused while any 错误 remains."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhengshu.clock import now
from zhengshu.errors import Conflict, IllegalTransition, InvalidInput, NotFound, PermissionDenied
from zhengshu.guide.application_access import (
    applicant_of,
    applies,
    assists,
    flush,
    may_read,
    record_action,
)
from zhengshu.guide.application_fields import ApplicantKind
from zhengshu.guide.application_form import Application, AttachedMaterial, parse_application
from zhengshu.guide.application_models import ServiceApplication
from zhengshu.guide.application_status import ApplicationAction, ApplicationStatus, next_status
from zhengshu.guide.catalog import item_record
from zhengshu.guide.prereview import pre_review
from zhengshu.guide.prereview_findings import Finding, blocking
from zhengshu.guide.records import ItemRecord
from zhengshu.org.models import User

__all__ = [
    "PAGE_SIZE",
    "ApplicationPage",
    "findings_of",
    "get_application",
    "item_of",
    "list_applications",
    "run_pre_review",
    "save_draft",
    "submit",
]


def get_application(session: Session, actor: User, application_id: int) -> ServiceApplication:
    if not (applies(actor) or assists(actor)):
        raise PermissionDenied("当前账号无权查看申请")
    application = session.get(ServiceApplication, application_id)
    if application is None or not may_read(actor, application):
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
        owner = applicant_of(session, actor, applicant_id)
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
    flush(session, "申请已在别处同时更新，请刷新后再保存")
    record_action(
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
    record_action(
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
    record_action(
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
    flush(session, "申请已在别处同时更新，请刷新后再操作")


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
        None if applicant_id is None and assists(actor) else applicant_of(session, actor, applicant_id).id
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
