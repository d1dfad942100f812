"""Pages of kept applications: one application with its last pre-review next to the fields, to
save, pre-review again and submit; and the list of the applicant's applications (for a
政务服务专员, an applicant's or everyone's)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from zhengshu.clock import now
from zhengshu.db import reading, transaction
from zhengshu.errors import IllegalTransition, InvalidInput, PermissionDenied
from zhengshu.guide import application_access, applications
from zhengshu.guide.application_fields import ApplicantKind
from zhengshu.guide.application_form import AttachedMaterial
from zhengshu.guide.application_models import ServiceApplication
from zhengshu.guide.application_status import ApplicationStatus
from zhengshu.guide.prereview_findings import Severity
from zhengshu.guide.records import ItemRecord
from zhengshu.org.models import User
from zhengshu.text.pii import mask_name
from zhengshu.web.deps import Factory
from zhengshu.web.pages_application_view import (
    Applicant,
    ApplicationId,
    field_errors,
    form_view,
    posted_action,
    posted_application,
    posted_version,
)
from zhengshu.web.pages_base import CheckedForm, PageRoute, SignedInUser, flash, redirect, render

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _stored_context(item: ItemRecord, stored: ServiceApplication, viewer: User) -> dict[str, Any]:
    attached = [AttachedMaterial(**m) for m in stored.materials]
    findings = applications.findings_of(stored)
    view = form_view(item, ApplicantKind(stored.kind), stored.values, attached, findings=findings)
    status = ApplicationStatus(stored.status)
    return view | {
        "action": f"/guide/applications/{stored.id}",
        "application": stored,
        "status": status,
        "applicant": None,
        "kind_links": None,
        "may_save": status is not ApplicationStatus.SUBMITTED,
        "may_submit": status is ApplicationStatus.REVIEWED and not (view["counts"] or {}).get("errors"),
        "for_applicant": stored.user if stored.user_id != viewer.id else None,
        "assisting_without_applicant": False,
    }


@router.get("/guide/applications/{application_id}")
def application_page(
    request: Request, user: SignedInUser, factory: Factory, application_id: ApplicationId
) -> Response:
    with reading(factory) as session:
        stored = applications.get_application(session, user, application_id)
        item = applications.item_of(session, stored)
        context = _stored_context(item, stored, user)
    return render(request, "guide_apply.html", context, user=user)


@router.post("/guide/applications/{application_id}")
def application_post(
    request: Request, user: SignedInUser, factory: Factory, form: CheckedForm, application_id: ApplicationId
) -> Response:
    """保存草稿 keeps the form; 智能预审 keeps it and pre-reviews it; 提交 does both and then
    submits, which is refused (the review kept) while 错误 remain."""
    action = posted_action(form, ("prereview", "save", "submit"))
    version = posted_version(form)
    with reading(factory) as session:
        stored = applications.get_application(session, user, application_id)
        item = applications.item_of(session, stored)
    raw = posted_application(form, item, ApplicantKind(stored.kind))
    target = f"/guide/applications/{application_id}"
    try:
        with transaction(factory) as session:
            saved = applications.save_draft(
                session, user, raw, application_id=application_id, expected_version=version
            )
            if action in ("prereview", "submit"):
                applications.run_pre_review(
                    session, user, application_id, now().date(), expected_version=saved.version
                )
    except InvalidInput as error:
        with reading(factory) as session:
            stored = applications.get_application(session, user, application_id)
            context = _stored_context(item, stored, user)
        context.update(
            form_view(item, ApplicantKind(stored.kind), raw["values"], [], errors=field_errors(error))
        )
        context["message"] = error.message
        return render(request, "guide_apply.html", context, user=user, status_code=422)
    if action == "submit":
        try:
            with transaction(factory) as session:
                applications.submit(session, user, application_id, now().date())
        except IllegalTransition as refused:
            flash(request, refused.message, "error")
            return redirect(target)
        flash(request, "申请已提交，请留意办理进度")
    elif action == "prereview":
        flash(request, "智能预审已完成，结果见下方", "info")
    else:
        flash(request, "草稿已保存")
    return redirect(target)


@router.get("/guide/applications")
def applications_page(
    request: Request,
    user: SignedInUser,
    factory: Factory,
    applicant: Applicant = None,
    status: Annotated[str | None, Query(max_length=16)] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    if not application_access.may_apply(user):
        raise PermissionDenied("当前账号无权查看申请（需办事人账号）")
    with reading(factory) as session:
        found = applications.list_applications(
            session, user, applicant_id=applicant, status=status or None, page=page
        )
        rows = [_row(a, user) for a in found.items]
    pages = max(1, -(-found.total // found.size))
    context = {
        "rows": rows,
        "found": found,
        "pages": pages,
        "status": status or "",
        "statuses": list(ApplicationStatus),
        "assists": application_access.assists(user),
    }
    return render(request, "guide_applications.html", context, user=user)


def _row(stored: ServiceApplication, viewer: User) -> dict[str, Any]:
    status = ApplicationStatus(stored.status)
    counts = None
    if stored.findings is not None:
        errors = sum(1 for f in stored.findings if f.get("severity") == Severity.ERROR.value)
        counts = {"errors": errors, "notices": len(stored.findings) - errors}
    name = stored.user.display_name
    return {
        "id": stored.id,
        "item_name": stored.item_name,
        "item_code": stored.item_code,
        "status": status,
        "counts": counts,
        "updated_at": stored.updated_at,
        "applicant": name if application_access.sees_pii(viewer, stored.user_id) else mask_name(name),
        "applicant_id": stored.user_id,
    }
