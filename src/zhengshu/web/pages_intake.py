"""The operator's intake form, and the street → community fragment it shares with the public form."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.datastructures import FormData

from zhengshu.appeals.drafts import OPEN311_ONLY, AppealDraft
from zhengshu.appeals.intake import submit_appeal
from zhengshu.appeals.vocabulary import CATEGORIES, AppealType, Channel, Urgency
from zhengshu.db import transaction
from zhengshu.errors import DomainError, InvalidInput
from zhengshu.org import services
from zhengshu.org.models import Community, User
from zhengshu.validation import describe, invalid_input
from zhengshu.web import csrf
from zhengshu.web.deps import Factory
from zhengshu.web.pages_base import (
    PageRoute,
    PostedForm,
    StaffUser,
    flash,
    redirect,
    render,
    render_fragment,
    require_feature,
)
from zhengshu.web.pages_similar import SCORE_NOTE, intake_panel

router = APIRouter(route_class=PageRoute, include_in_schema=False)

TEXT_FIELDS = (
    "appellant_phone",
    "appellant_name",
    "appellant_id_number",
    "street",
    "community",
    "address",
    "content",
    "title",
    "type",
    "urgency",
    "category",
    "channel",
    "enterprise_name",
    "enterprise_credit_code",
)
# Channels an operator types in by hand; Open311 and imports arrive by machine.
OPERATOR_CHANNELS = [c for c in Channel if c not in (Channel.OPEN311, Channel.IMPORT, Channel.ASSISTANT)]
FORM_ERROR = "提交的内容有误，请按提示修改后再提交"
CHANNEL_ERROR = "请选择登记渠道：" + "、".join(c.label for c in OPERATOR_CHANNELS)


@dataclass
class AppealForm:
    """What the user typed, kept as typed, and the messages to show next to the fields."""

    values: dict[str, str] = field(default_factory=dict)
    is_enterprise: bool = False
    errors: dict[str, str] = field(default_factory=dict)
    message: str | None = None

    @classmethod
    def from_form(cls, form: FormData, names: Iterable[str] = TEXT_FIELDS) -> AppealForm:
        values = {name: str(form.get(name) or "").strip() for name in names}
        return cls(values=values, is_enterprise=form.get("is_enterprise") in ("1", "on", "true"))

    def draft_input(self) -> dict[str, Any]:
        """The draft's fields: a blank field is an absent one, so required ones say "必填"."""
        data: dict[str, Any] = {name: value for name, value in self.values.items() if value}
        data["is_enterprise"] = self.is_enterprise
        return data

    def fail(self, error: ValidationError | DomainError) -> None:
        domain = invalid_input(error) if isinstance(error, ValidationError) else error
        self.errors = dict(domain.errors)
        # A rule over several fields has no field of its own: say it above the form.
        overall = self.errors.pop("_", None)
        self.message = overall or (FORM_ERROR if self.errors else domain.message)


def fill_street_from_community(session: Session, form: AppealForm) -> None:
    """Community codes are unique, so a community picked without its street implies the street."""
    code = form.values.get("community")
    if code and not form.values.get("street"):
        community = session.scalar(select(Community).where(Community.code == code))
        if community is not None:
            form.values["street"] = community.street.code


def places(session: Session) -> list[dict[str, Any]]:
    return [
        {
            "code": street.code,
            "name": street.name,
            "communities": [{"code": c.code, "name": c.name} for c in street.communities],
        }
        for street in services.streets(session)
    ]


def vocabularies() -> dict[str, Any]:
    return {
        "types": [(t.value, t.label) for t in AppealType],
        "urgencies": [(u.value, u.label) for u in Urgency],
        "channels": [(c.value, c.label) for c in OPERATOR_CHANNELS],
        "categories": [(c, c) for c in CATEGORIES],
    }


def form_context(session: Session, form: AppealForm) -> dict[str, Any]:
    return {"form": form, "places": places(session), **vocabularies()}


def intake_context(session: Session, form: AppealForm) -> dict[str, Any]:
    """The operator's form: the public one, plus the similar appeals' panel, which starts empty
    and is filled in by htmx as the form is typed."""
    similar = {"mode": "intake", "rows": [], "note": SCORE_NOTE, "typed": False}
    return {**form_context(session, form), "similar": similar}


def operator_draft(form: AppealForm) -> AppealDraft:
    """The draft of an operator's form. The form offers only OPERATOR_CHANNELS, and a posted form
    is held to them: any other value is refused next to the field, along with the other errors."""
    data = {"channel": Channel.HOTLINE.value, **form.draft_input()}
    if data["channel"] in {c.value for c in OPERATOR_CHANNELS}:
        return AppealDraft.model_validate(data)
    errors = {"channel": OPEN311_ONLY if data["channel"] == Channel.OPEN311.value else CHANNEL_ERROR}
    try:
        AppealDraft.model_validate({**data, "channel": Channel.HOTLINE.value})
    except ValidationError as error:
        errors = {**invalid_input(error).errors, **errors}
    raise InvalidInput("提交的内容有误：" + describe(errors), errors=errors)


def submit_draft(factory: sessionmaker[Session], draft: AppealDraft, actor: User | None = None) -> str:
    with transaction(factory) as session:
        appeal, _ = submit_appeal(session, draft, actor=actor)
        return appeal.number


@router.get("/appeals/new")
def intake_form(request: Request, user: StaffUser, factory: Factory) -> Response:
    require_feature(user, "intake")
    form = AppealForm(
        values={
            "channel": Channel.HOTLINE.value,
            "type": AppealType.COMPLAINT.value,
            "urgency": Urgency.NORMAL.value,
        }
    )
    with transaction(factory) as session:
        context = intake_context(session, form)
    return render(request, "intake.html", context, user=user)


@router.post("/appeals/new")
def intake_submit(request: Request, user: StaffUser, factory: Factory, posted: PostedForm) -> Response:
    require_feature(user, "intake")
    form = AppealForm.from_form(posted)
    with transaction(factory) as session:
        fill_street_from_community(session, form)
    try:
        csrf.check(request, posted)
        draft = operator_draft(form)
        number = submit_draft(factory, draft, user)
    except (ValidationError, DomainError) as error:
        form.fail(error)
        with transaction(factory) as session:
            context = intake_context(session, form)
        status = 403 if isinstance(error, csrf.CsrfRejected) else 422
        return render(request, "intake.html", context, user=user, status_code=status)
    flash(request, f"诉求已登记，编号 {number}")
    return redirect(f"/appeals/{number}")


@router.post("/appeals/new/similar")
def intake_similar(request: Request, user: StaffUser, factory: Factory, posted: PostedForm) -> Response:
    """htmx fragment: appeals likely about the same matter as the form being typed, so the operator
    can find an existing appeal before filing a new one."""
    require_feature(user, "intake")
    csrf.check(request, posted)
    form = AppealForm.from_form(posted)
    fields = {name: value[:5000] for name, value in form.values.items()}
    with transaction(factory) as session:
        context = intake_panel(session, fields, user)
    return render_fragment(request, "_similar_appeals.html", context)


@router.get("/public/communities")
def community_options(
    request: Request,
    factory: Factory,
    street: Annotated[str, Query(max_length=16)] = "",
    community: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    """htmx fragment: the community select, narrowed to the chosen street (all streets when none)."""
    with transaction(factory) as session:
        all_places = places(session)
    chosen = [p for p in all_places if p["code"] == street] or all_places
    context = {"places": chosen, "selected": community, "grouped": len(chosen) > 1}
    return render_fragment(request, "_community_select.html", context)
