"""The page of an item's application form: filled in from the applicant's profile and earlier
applications (each value saying where it came from), with a 「智能预审」 button that shows what is
wrong next to the fields and materials, and 「保存草稿」 that keeps it as an application.

Anyone may fill in an item's form and run the pre-review without logging in (nothing is kept);
saving needs an applicant's account, or a 政务服务专员's acting for one (帮办)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from zhengshu.clock import now
from zhengshu.db import reading, transaction
from zhengshu.errors import InvalidInput
from zhengshu.guide import application_access, application_prefill, applications
from zhengshu.guide.application_fields import ApplicantKind, default_kind
from zhengshu.guide.application_form import parse_application, parse_kind
from zhengshu.guide.catalog import item_record
from zhengshu.guide.prereview import pre_review
from zhengshu.guide.records import ItemRecord
from zhengshu.web.deps import Factory
from zhengshu.web.pages_application_view import (
    Applicant,
    ItemCode,
    field_errors,
    form_text,
    form_view,
    posted_action,
    posted_applicant,
    posted_application,
)
from zhengshu.web.pages_base import CheckedForm, PageRoute, flash, page_user, redirect, render
from zhengshu.web.ratelimit import limit_questions

router = APIRouter(route_class=PageRoute, include_in_schema=False)


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
    if (
        application_access.may_apply(user)
        and user is not None
        and (applicant or application_access.applies(user))
    ):
        with reading(factory) as session:
            found = application_prefill.prefill(session, user, code, applicant_id=applicant, kind=kind)
            owner = application_access.applicant_of(session, user, applicant)
        view = form_view(
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
        view = form_view(item, chosen, {}, [])
    context.update(view)
    context.update(
        action=f"/guide/items/{code}/apply",
        application=None,
        applicant=applicant,
        kind_links=_kind_links(code, applicant),
        assisting_without_applicant=user is not None and application_access.assists(user) and not applicant,
        public=user is None,
    )
    return render(request, "guide_apply.html", context, user=user)


@router.post("/guide/items/{code}/apply")
@limit_questions
def apply_post(request: Request, factory: Factory, code: ItemCode, form: CheckedForm) -> Response:
    """「智能预审」 checks the posted form without keeping it; 「保存草稿」 keeps it as an application."""
    action = posted_action(form, ("prereview", "save"))
    user = page_user(request)
    item = _item(factory, code)
    kind = parse_kind(form_text(form, "kind") or None)
    applicant = posted_applicant(form)
    raw = posted_application(form, item, kind)
    context: dict[str, Any] = {
        "action": f"/guide/items/{code}/apply",
        "application": None,
        "applicant": applicant,
        "kind_links": _kind_links(code, applicant),
        "may_save": application_access.may_apply(user),
        "for_applicant": None,
        "assisting_without_applicant": False,
        "public": user is None,
    }
    try:
        application = parse_application(item, raw)
    except InvalidInput as error:
        context.update(form_view(item, kind, raw["values"], [], errors=field_errors(error)))
        context["message"] = error.message
        return render(request, "guide_apply.html", context, user=user, status_code=422)
    if action == "save":
        if user is None:
            return redirect("/login?" + urlencode({"next": f"/guide/items/{code}/apply"}))
        try:
            with transaction(factory) as session:
                saved = applications.save_draft(session, user, raw, item_code=code, applicant_id=applicant)
                saved_id = saved.id
        except InvalidInput as error:
            context.update(form_view(item, kind, application.values, application.materials))
            context["message"] = error.message
            return render(request, "guide_apply.html", context, user=user, status_code=422)
        flash(request, "已保存为草稿，可随时回来修改、预审和提交")
        return redirect(f"/guide/applications/{saved_id}")
    findings = pre_review(item, application, now().date())
    context.update(form_view(item, kind, application.values, application.materials, findings=findings))
    return render(request, "guide_apply.html", context, user=user)
