"""Pages of smart pre-fill and pre-review: an item's application form, filled in from the
applicant's profile and earlier applications (each value saying where it came from), with a
「智能预审」 button that shows what is wrong next to the fields and materials; the applicant's own
profile and applications; and for 政务服务专员 the same on an applicant's behalf (帮办).

Anyone may fill in an item's form and run the pre-review without logging in (nothing is kept);
saving and submitting need an applicant's account, or an officer's acting for one."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from zhengshu.clock import now
from zhengshu.db import reading, transaction
from zhengshu.errors import IllegalTransition, InvalidInput, PermissionDenied
from zhengshu.guide import applications
from zhengshu.guide.application_form import (
    ID_TYPES,
    MATERIAL_FORMS,
    MATERIAL_MEDIA,
    ApplicantKind,
    AttachedMaterial,
    FieldKind,
    applicant_fields,
    default_kind,
    form_fields,
    parse_application,
    parse_kind,
)
from zhengshu.guide.application_models import ServiceApplication
from zhengshu.guide.applications import ApplicationStatus
from zhengshu.guide.catalog import item_record
from zhengshu.guide.materials_match import is_conditional, match_materials
from zhengshu.guide.prereview import Finding, Severity, pre_review
from zhengshu.guide.records import ItemRecord
from zhengshu.org.models import User
from zhengshu.org.roles import Permission, has_permission
from zhengshu.text.pii import mask_name
from zhengshu.web.deps import Factory
from zhengshu.web.pages_base import CheckedForm, PageRoute, StaffUser, flash, page_user, redirect, render
from zhengshu.web.ratelimit import limit_questions

router = APIRouter(route_class=PageRoute, include_in_schema=False)
MAX_ID = 2**31 - 1
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
ItemCode = Annotated[str, Path(max_length=64, pattern=CODE_PATTERN)]
ApplicationId = Annotated[int, Path(ge=1, le=MAX_ID)]
Applicant = Annotated[int | None, Query(ge=1, le=MAX_ID)]
# Rows for materials the guide does not list (an applicant may bring something else).
EXTRA_ROWS = 2
MAX_EXTRA_ROWS = 10


def _applicant_nav(user: User | None) -> dict[str, Any]:
    """Citizens and enterprises get the public header and their own menu, not the staff menu."""
    if user is None:
        return {"public": True}
    if has_permission(user.role, Permission.APPLY) and not has_permission(
        user.role, Permission.APPLICATION_ASSIST
    ):
        return {
            "public": True,
            "nav": [
                {"label": "办事指南", "path": "/guide", "active": False},
                {"label": "我的申请", "path": "/guide/applications", "active": False},
                {"label": "我的资料", "path": "/guide/profile", "active": False},
            ],
        }
    return {}


# --- reading the page's form ---------------------------------------------------------------------


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _posted(form: FormData, item: ItemRecord, kind: ApplicantKind) -> dict[str, Any]:
    """The page's form as {"kind", "values", "materials"}: a ticked row per required material, and
    the rows of materials the guide does not list."""
    values = {f.name: _text(form, f.name) for f in form_fields(item, kind)}
    materials = []
    for index, required in enumerate(item.materials):
        if _text(form, f"m{index}_has"):
            materials.append({"name": required.name, **_material_parts(form, f"m{index}")})
    for index in range(MAX_EXTRA_ROWS):
        name = _text(form, f"x{index}_name").strip()
        if name:
            materials.append({"name": name, **_material_parts(form, f"x{index}")})
    return {"kind": kind.value, "values": values, "materials": materials}


def _material_parts(form: FormData, prefix: str) -> dict[str, str]:
    return {key: _text(form, f"{prefix}_{key}") for key in ("form", "medium", "valid_until", "issued_on")}


def _field_errors(error: InvalidInput) -> dict[str, str]:
    """ "values.name" → "name", "materials.0.form" stays: what the page can show next to a field."""
    return {key.removeprefix("values."): message for key, message in error.errors.items()}


# --- what the page shows -------------------------------------------------------------------------


def _grouped(findings: Sequence[Finding] | None) -> tuple[dict[str, list[Finding]], dict[str, list[Finding]]]:
    by_field: dict[str, list[Finding]] = {}
    by_material: dict[str, list[Finding]] = {}
    for finding in findings or ():
        if finding.field:
            by_field.setdefault(finding.field, []).append(finding)
        elif finding.material:
            by_material.setdefault(finding.material, []).append(finding)
    return by_field, by_material


def _form_view(
    item: ItemRecord,
    kind: ApplicantKind,
    values: Mapping[str, str],
    attached: Sequence[AttachedMaterial],
    *,
    findings: Sequence[Finding] | None = None,
    sources: Mapping[str, str] | None = None,
    material_sources: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    by_field, by_material = _grouped(findings)
    sources = sources or {}
    errors = errors or {}
    all_fields = form_fields(item, kind)
    fields = [
        {
            "field": f,
            "value": values.get(f.name, ""),
            "source": sources.get(f.name, ""),
            "findings": by_field.get(f.name, []),
            "error": errors.get(f.name, ""),
            "is_date": f.kind is FieldKind.DATE,
        }
        for f in all_fields
    ]
    pairs, _, extra = match_materials(item.materials, attached)
    paired = {id(pair.required): pair.attached for pair in pairs}
    rows = []
    for index, required in enumerate(item.materials):
        have = paired.get(id(required))
        rows.append(
            {
                "index": index,
                "material": required,
                "conditional": is_conditional(required),
                "attached": have or AttachedMaterial(required.name),
                "has": have is not None,
                "source": (material_sources or {}).get(required.name, ""),
                "findings": by_material.get(required.name, []),
            }
        )
    extras = [
        {"index": index, "attached": have, "findings": by_material.get(have.name, [])}
        for index, have in enumerate(extra[:MAX_EXTRA_ROWS])
    ]
    for index in range(len(extras), min(MAX_EXTRA_ROWS, len(extras) + EXTRA_ROWS)):
        extras.append({"index": index, "attached": AttachedMaterial(""), "findings": []})
    return {
        "item": item,
        "kind": kind,
        "kinds": list(ApplicantKind),
        "applicant_fields": [row for row, f in zip(fields, all_fields, strict=True) if f.condition is None],
        "questions": [row for row, f in zip(fields, all_fields, strict=True) if f.condition is not None],
        "materials": rows,
        "extras": extras,
        "findings": list(findings) if findings is not None else None,
        "general": by_field.get("kind", []),
        "counts": _counts(findings),
        "material_forms": MATERIAL_FORMS,
        "material_media": MATERIAL_MEDIA,
        "id_types": ID_TYPES,
    }


def _counts(findings: Sequence[Finding] | None) -> dict[str, int] | None:
    if findings is None:
        return None
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    return {"errors": errors, "notices": len(findings) - errors}


def _item(factory: Factory, code: str) -> ItemRecord:
    with reading(factory) as session:
        return item_record(session, code)


def _kind_links(code: str, applicant: int | None) -> dict[str, str]:
    links = {}
    for kind in ApplicantKind:
        params: dict[str, str] = {"kind": kind.value}
        if applicant:
            params["applicant"] = str(applicant)
        links[kind.value] = f"/guide/items/{code}/apply?{urlencode(params)}"
    return links


# --- an item's form ------------------------------------------------------------------------------


@router.get("/guide/items/{code}/apply")
def apply_page(
    request: Request,
    factory: Factory,
    code: ItemCode,
    kind: Annotated[str | None, Query(max_length=16)] = None,
    applicant: Applicant = None,
) -> Response:
    user = page_user(request)
    item = _item(factory, code)
    context: dict[str, Any] = {"for_applicant": None, "may_save": False}
    if applications.may_apply(user) and user is not None and (applicant or _applies_alone(user)):
        with reading(factory) as session:
            found = applications.prefill(session, user, code, applicant_id=applicant, kind=kind)
            owner = applications.applicant_of(session, user, applicant)
        view = _form_view(
            item,
            found.kind,
            found.values,
            found.materials,
            sources=found.sources,
            material_sources=dict(
                zip((m.name for m in found.materials), found.material_sources, strict=True)
            ),
        )
        context.update(may_save=True, for_applicant=owner if owner.id != user.id else None)
    else:
        chosen = parse_kind(kind) if kind else default_kind(item)
        view = _form_view(item, chosen, {}, [])
    context.update(view)
    context.update(
        action=f"/guide/items/{code}/apply",
        application=None,
        applicant=applicant,
        kind_links=_kind_links(code, applicant),
        assisting_without_applicant=user is not None and _assists(user) and not applicant,
        **_applicant_nav(user),
    )
    return render(request, "guide_apply.html", context, user=user)


def _applies_alone(user: User) -> bool:
    return has_permission(user.role, Permission.APPLY)


def _assists(user: User) -> bool:
    return has_permission(user.role, Permission.APPLICATION_ASSIST)


@router.post("/guide/items/{code}/apply")
@limit_questions
def apply_post(request: Request, factory: Factory, code: ItemCode, form: CheckedForm) -> Response:
    """「智能预审」 checks the posted form without keeping it; 「保存草稿」 keeps it as an application."""
    user = page_user(request)
    item = _item(factory, code)
    kind = parse_kind(_text(form, "kind") or None)
    applicant = _applicant_id(form)
    raw = _posted(form, item, kind)
    context: dict[str, Any] = {
        "action": f"/guide/items/{code}/apply",
        "application": None,
        "applicant": applicant,
        "kind_links": _kind_links(code, applicant),
        "may_save": applications.may_apply(user),
        "for_applicant": None,
        "assisting_without_applicant": False,
        **_applicant_nav(user),
    }
    try:
        application = parse_application(item, raw)
    except InvalidInput as error:
        context.update(_form_view(item, kind, raw["values"], [], errors=_field_errors(error)))
        context["message"] = error.message
        return render(request, "guide_apply.html", context, user=user, status_code=422)
    if _text(form, "action") == "save":
        if user is None:
            return redirect("/login?" + urlencode({"next": f"/guide/items/{code}/apply"}))
        try:
            with transaction(factory) as session:
                saved = applications.save_draft(session, user, raw, item_code=code, applicant_id=applicant)
                saved_id = saved.id
        except InvalidInput as error:
            context.update(_form_view(item, kind, application.values, application.materials))
            context["message"] = error.message
            return render(request, "guide_apply.html", context, user=user, status_code=422)
        flash(request, "已保存为草稿，可随时回来修改、预审和提交")
        return redirect(f"/guide/applications/{saved_id}")
    findings = pre_review(item, application, now().date())
    context.update(_form_view(item, kind, application.values, application.materials, findings=findings))
    return render(request, "guide_apply.html", context, user=user)


def _applicant_id(form: FormData) -> int | None:
    text = _text(form, "applicant").strip()
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_ID:
        raise InvalidInput("办事人编号无效", errors={"applicant": "无效"})
    return int(text)


# --- a kept application --------------------------------------------------------------------------


def _stored_context(item: ItemRecord, stored: ServiceApplication, viewer: User) -> dict[str, Any]:
    attached = [AttachedMaterial(**m) for m in stored.materials]
    findings = applications.findings_of(stored)
    view = _form_view(item, ApplicantKind(stored.kind), stored.values, attached, findings=findings)
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


def _stored_item(factory: Factory, stored: ServiceApplication) -> ItemRecord:
    with reading(factory) as session:
        return applications.item_of(session, stored)


@router.get("/guide/applications/{application_id}")
def application_page(
    request: Request, user: StaffUser, factory: Factory, application_id: ApplicationId
) -> Response:
    with reading(factory) as session:
        stored = applications.get_application(session, user, application_id)
        item = applications.item_of(session, stored)
        context = _stored_context(item, stored, user)
    return render(request, "guide_apply.html", context | _applicant_nav(user), user=user)


@router.post("/guide/applications/{application_id}")
def application_post(
    request: Request, user: StaffUser, factory: Factory, form: CheckedForm, application_id: ApplicationId
) -> Response:
    """保存草稿 keeps the form; 智能预审 keeps it and pre-reviews it; 提交 does both and then
    submits, which is refused (the review kept) while 错误 remain."""
    action = _text(form, "action")
    version = _version(form)
    with reading(factory) as session:
        stored = applications.get_application(session, user, application_id)
        item = applications.item_of(session, stored)
    raw = _posted(form, item, ApplicantKind(stored.kind))
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
            _form_view(item, ApplicantKind(stored.kind), raw["values"], [], errors=_field_errors(error))
        )
        context["message"] = error.message
        return render(request, "guide_apply.html", context | _applicant_nav(user), user=user, status_code=422)
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


def _version(form: FormData) -> int | None:
    text = _text(form, "version").strip()
    return int(text) if text.isascii() and text.isdigit() and 0 < int(text) <= MAX_ID else None


# --- the applicant's profile and list ------------------------------------------------------------


@router.get("/guide/profile")
def profile_page(
    request: Request,
    user: StaffUser,
    factory: Factory,
    kind: Annotated[str | None, Query(max_length=16)] = None,
    applicant: Applicant = None,
) -> Response:
    with reading(factory) as session:
        profile = applications.get_profile(session, user, applicant_id=applicant)
        owner = applications.applicant_of(session, user, applicant)
    chosen = parse_kind(kind) if kind else ApplicantKind(profile.kind) if profile else ApplicantKind.PERSON
    values = profile.values if profile is not None and profile.kind == chosen.value else {}
    return _render_profile(
        request, user, chosen, values, profile.version if profile else None, owner, applicant
    )


def _render_profile(
    request: Request,
    user: User,
    kind: ApplicantKind,
    values: Mapping[str, str],
    version: int | None,
    owner: User,
    applicant: int | None,
    *,
    errors: Mapping[str, str] | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> Response:
    suffix = f"&applicant={applicant}" if applicant else ""
    context = {
        "kind": kind,
        "kinds": list(ApplicantKind),
        "fields": [
            {"field": f, "value": values.get(f.name, ""), "error": (errors or {}).get(f.name, "")}
            for f in applicant_fields(kind)
        ],
        "version": version,
        "applicant": applicant,
        "for_applicant": owner if owner.id != user.id else None,
        "kind_links": {k.value: f"/guide/profile?kind={k.value}{suffix}" for k in ApplicantKind},
        "message": message,
        "id_types": ID_TYPES,
        **_applicant_nav(user),
    }
    return render(request, "guide_profile.html", context, user=user, status_code=status_code)


@router.post("/guide/profile")
def profile_post(request: Request, user: StaffUser, factory: Factory, form: CheckedForm) -> Response:
    kind = parse_kind(_text(form, "kind") or None)
    applicant = _applicant_id(form)
    values = {f.name: _text(form, f.name) for f in applicant_fields(kind)}
    try:
        with transaction(factory) as session:
            applications.save_profile(
                session, user, kind.value, values, applicant_id=applicant, expected_version=_version(form)
            )
    except InvalidInput as error:
        with reading(factory) as session:
            owner = applications.applicant_of(session, user, applicant)
        return _render_profile(
            request,
            user,
            kind,
            values,
            _version(form),
            owner,
            applicant,
            errors=_field_errors(error),
            message=error.message,
            status_code=422,
        )
    flash(request, "资料已保存，下次申请时将自动填入")
    return redirect("/guide/profile" + (f"?applicant={applicant}" if applicant else ""))


@router.get("/guide/applications")
def applications_page(
    request: Request,
    user: StaffUser,
    factory: Factory,
    applicant: Applicant = None,
    status: Annotated[str | None, Query(max_length=16)] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    if not applications.may_apply(user):
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
        "assists": _assists(user),
        **_applicant_nav(user),
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
        "applicant": name if applications.sees_pii(viewer, stored.user_id) else mask_name(name),
        "applicant_id": stored.user_id,
    }


@router.get("/guide/assist")
def assist(
    request: Request,
    user: StaffUser,
    factory: Factory,
    username: Annotated[str, Query(max_length=64)] = "",
    item: Annotated[str, Query(max_length=64, pattern=CODE_PATTERN)] = "",
) -> Response:
    """帮办: an officer names the applicant's account and the item; the form opens in their name."""
    with reading(factory) as session:
        target = applications.find_applicant(session, user, username)
        if item:
            item_record(session, item)
    if not item:
        return redirect(f"/guide/profile?applicant={target.id}")
    return redirect(f"/guide/items/{item}/apply?applicant={target.id}")
