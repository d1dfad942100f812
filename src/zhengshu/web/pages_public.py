"""Pages for citizens and enterprises, without login: submit an appeal, and track it with the
number and the phone's last four digits. The same models and functions as the public API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError

from zhengshu.appeals import queries
from zhengshu.appeals.vocabulary import AppealType
from zhengshu.audit import events_for
from zhengshu.db import transaction
from zhengshu.errors import DomainError
from zhengshu.validation import invalid_input
from zhengshu.web import csrf
from zhengshu.web.api_public import PublicAppeal, TrackQuery, public_view
from zhengshu.web.deps import Factory
from zhengshu.web.pages_base import PageRoute, PostedForm, redirect, render
from zhengshu.web.pages_intake import AppealForm, fill_street_from_community, form_context, submit_draft
from zhengshu.web.ratelimit import limit_failed_tracking, limit_submissions

router = APIRouter(route_class=PageRoute, include_in_schema=False)

PUBLIC_FIELDS = (
    "type",
    "title",
    "content",
    "appellant_name",
    "appellant_phone",
    "appellant_id_number",
    "enterprise_name",
    "enterprise_credit_code",
    "street",
    "community",
    "address",
)
SUBMITTED_KEY = "public_submitted"
# The same words whether the number is unknown or the digits are wrong: tracking reveals nothing
# to someone who does not know both.
NOT_FOUND = "未找到该诉求，请核对编号和手机号后四位"


@router.get("/public/submit")
def submit_form(request: Request, factory: Factory) -> Response:
    form = AppealForm(values={"type": AppealType.COMPLAINT.value})
    with transaction(factory) as session:
        context = form_context(session, form)
    return render(request, "public/submit.html", {**context, "public": True})


@router.post("/public/submit")
@limit_submissions
def submit(request: Request, factory: Factory, posted: PostedForm) -> Response:
    form = AppealForm.from_form(posted, PUBLIC_FIELDS)
    with transaction(factory) as session:
        fill_street_from_community(session, form)
    try:
        csrf.check(request, posted)
        draft = PublicAppeal.model_validate(form.draft_input()).draft()
        number = submit_draft(factory, draft)
    except (ValidationError, DomainError) as error:
        form.fail(error)
        with transaction(factory) as session:
            context = form_context(session, form)
        status = 403 if isinstance(error, csrf.CsrfRejected) else 422
        return render(request, "public/submit.html", {**context, "public": True}, status_code=status)
    request.session[SUBMITTED_KEY] = number
    return redirect("/public/submitted")


@router.get("/public/submitted")
def submitted(request: Request) -> Response:
    number = request.session.get(SUBMITTED_KEY)
    if not isinstance(number, str):
        return redirect("/public/submit")
    return render(request, "public/submitted.html", {"number": number, "public": True})


@router.get("/public/track")
def track_form(request: Request, number: Annotated[str, Query(max_length=16)] = "") -> Response:
    context = {"public": True, "number": number.strip(), "errors": {}, "message": None, "result": None}
    return render(request, "public/track.html", context)


@router.post("/public/track")
@limit_failed_tracking
def track(request: Request, factory: Factory, posted: PostedForm) -> Response:
    number = str(posted.get("number") or "").strip()[:16]
    digits = str(posted.get("phone_last4") or "").strip()[:4]
    context = {"public": True, "number": number, "errors": {}, "message": None, "result": None}
    if not csrf.is_valid(request, posted.get(csrf.FIELD)):
        context["message"] = csrf.CsrfRejected().message
        return render(request, "public/track.html", context, status_code=403)
    try:
        query = TrackQuery.model_validate({"number": number, "phone_last4": digits})
    except ValidationError as error:
        problem = invalid_input(error)
        context["errors"] = problem.errors
        context["message"] = "请填写诉求编号和手机号后四位（4位数字）"
        return render(request, "public/track.html", context, status_code=422)
    with transaction(factory) as session:
        appeal = queries.track(session, query.number, query.phone_last4)
        if appeal is not None:
            context["result"] = public_view(appeal, events_for(session, "appeal", appeal.id))
    if context["result"] is None:
        context["message"] = NOT_FOUND
    return render(request, "public/track.html", context)
