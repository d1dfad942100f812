"""The applicant's profile page (个人资料 or 单位资料, what pre-fill fills new forms from), and 帮办:
a 政务服务专员 names an applicant's account and works on their profile or an item's form for them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from zhengshu.db import reading, transaction
from zhengshu.errors import InvalidInput
from zhengshu.guide import application_access, application_profiles
from zhengshu.guide.application_fields import ID_TYPES, ApplicantKind, applicant_fields
from zhengshu.guide.application_form import parse_kind
from zhengshu.guide.catalog import item_record
from zhengshu.org.models import User
from zhengshu.web.deps import Factory
from zhengshu.web.pages_application_view import (
    CODE_PATTERN,
    Applicant,
    field_errors,
    form_text,
    posted_applicant,
    posted_version,
)
from zhengshu.web.pages_base import CheckedForm, PageRoute, SignedInUser, StaffUser, flash, redirect, render

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/guide/profile")
def profile_page(
    request: Request,
    user: SignedInUser,
    factory: Factory,
    kind: Annotated[str | None, Query(max_length=16)] = None,
    applicant: Applicant = None,
) -> Response:
    with reading(factory) as session:
        profile = application_profiles.get_profile(session, user, applicant_id=applicant)
        owner = application_access.applicant_of(session, user, applicant)
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
    }
    return render(request, "guide_profile.html", context, user=user, status_code=status_code)


@router.post("/guide/profile")
def profile_post(request: Request, user: SignedInUser, factory: Factory, form: CheckedForm) -> Response:
    kind = parse_kind(form_text(form, "kind") or None)
    applicant = posted_applicant(form)
    values = {f.name: form_text(form, f.name) for f in applicant_fields(kind)}
    try:
        with transaction(factory) as session:
            application_profiles.save_profile(
                session,
                user,
                kind.value,
                values,
                applicant_id=applicant,
                expected_version=posted_version(form),
            )
    except InvalidInput as error:
        with reading(factory) as session:
            owner = application_access.applicant_of(session, user, applicant)
        return _render_profile(
            request,
            user,
            kind,
            values,
            posted_version(form),
            owner,
            applicant,
            errors=field_errors(error),
            message=error.message,
            status_code=422,
        )
    flash(request, "资料已保存，下次申请时将自动填入")
    return redirect("/guide/profile" + (f"?applicant={applicant}" if applicant else ""))


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
        target = application_access.find_applicant(session, user, username)
        if item:
            item_record(session, item)
    if not item:
        return redirect(f"/guide/profile?applicant={target.id}")
    return redirect(f"/guide/items/{item}/apply?applicant={target.id}")
