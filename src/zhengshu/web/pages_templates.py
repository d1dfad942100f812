"""Reply templates (/templates), the exemplary case library (/cases), and their two panels on the
appeal page: template suggestions next to the reply form, and marking a closed appeal as a case."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from zhengshu.appeals import exemplary, queries, templates
from zhengshu.appeals.access import get_readable
from zhengshu.appeals.models import Appeal
from zhengshu.appeals.vocabulary import CATEGORIES
from zhengshu.appeals.workflow import Action, Status
from zhengshu.db import reading, transaction
from zhengshu.errors import DomainError, InvalidInput
from zhengshu.org.models import User
from zhengshu.org.roles import Permission, has_permission
from zhengshu.web.deps import Factory
from zhengshu.web.pages_base import (
    CheckedForm,
    PageRoute,
    StaffUser,
    flash,
    redirect,
    render,
    render_fragment,
    require_feature,
)

router = APIRouter(route_class=PageRoute, include_in_schema=False)

TemplateId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Number = Annotated[str, Path(max_length=16)]
PageNumber = Annotated[int, Query(ge=1, le=100_000)]
Filter = Annotated[str, Query(max_length=100)]
FIELD_HINT = "、".join(f"{{{name}}}" for name in templates.FIELDS)


def _can_manage(user: User) -> bool:
    return has_permission(user.role, Permission.TEMPLATE_MANAGE)


# The panels on the appeal page: pages_detail adds these to its context.


def reply_suggestions(session: Session, appeal: Appeal, actions: list[Action]) -> list[dict[str, Any]]:
    """The best templates for the appeal, rendered, when the viewer may reply now; else nothing."""
    if Action.REPLY not in actions:
        return []
    return [
        {
            "id": s.template.id,
            "title": s.template.title,
            "score": s.score,
            "reasons": s.reasons,
            "text": s.text,
        }
        for s in templates.suggest(session, appeal)
    ]


def exemplary_panel(session: Session, appeal: Appeal, user: User) -> dict[str, Any]:
    case = exemplary.case_of(session, appeal.id)
    return {
        "case": {"kind": case.kind, "kind_label": exemplary.CaseKind(case.kind).label, "note": case.note}
        if case
        else None,
        "can_curate": exemplary.can_curate(user) and appeal.status == Status.CLOSED.value,
        "kinds": [(k.value, k.label) for k in exemplary.CaseKind],
    }


@router.get("/appeals/{number}/reply-templates/{template_id}")
def insert_template(
    request: Request, number: Number, template_id: TemplateId, user: StaffUser, factory: Factory
) -> Response:
    """The reply text area filled with the rendered template: htmx swaps it into the reply form."""
    with reading(factory) as session:
        appeal = get_readable(queries.by_number(session, number), user)
        template = templates.get_template(session, template_id)
        text = templates.render(template.body, appeal, template.use_surname)
    return render_fragment(request, "_reply_text.html", {"text": text})


@router.post("/appeals/{number}/case")
def mark_case(
    request: Request, number: Number, user: StaffUser, factory: Factory, form: CheckedForm
) -> Response:
    try:
        with transaction(factory) as session:
            appeal = get_readable(queries.by_number(session, number), user)
            if form.get("remove"):
                exemplary.unmark(session, user, appeal.id)
                message = "已取消典型案例"
            else:
                case = exemplary.mark(
                    session, user, appeal.id, str(form.get("kind") or ""), str(form.get("note") or "")
                )
                message = f"已列为{exemplary.CaseKind(case.kind).label}"
    except InvalidInput as error:
        flash(request, error.message, "error")
        return redirect(f"/appeals/{number}#exemplary")
    flash(request, message)
    return redirect(f"/appeals/{number}#exemplary")


# /templates


def _template_input(form: FormData) -> templates.TemplateInput:
    return templates.TemplateInput(
        title=str(form.get("title") or ""),
        body=str(form.get("body") or ""),
        category=str(form.get("category") or "") or None,
        keywords=str(form.get("keywords") or ""),
        use_surname=form.get("use_surname") == "on",
    )


def _list_context(session: Session, user: User, category: str) -> dict[str, Any]:
    return {
        "templates": templates.list_templates(session, category or None),
        "category": category,
        "categories": list(CATEGORIES),
        "can_manage": _can_manage(user),
        "field_hint": FIELD_HINT,
    }


@router.get("/templates")
def template_list(request: Request, user: StaffUser, factory: Factory, category: Filter = "") -> Response:
    require_feature(user, "templates")
    with reading(factory) as session:
        context = _list_context(session, user, category)
    return render(request, "reply_templates.html", context, user=user)


def _form_page(
    request: Request, user: StaffUser, values: dict[str, Any], error: DomainError | None = None
) -> Response:
    context = {
        "values": values,
        "categories": list(CATEGORIES),
        "field_hint": FIELD_HINT,
        "error": error.message if error else None,
        "errors": error.errors if error else {},
    }
    return render(request, "reply_template_form.html", context, user=user, status_code=422 if error else 200)


@router.get("/templates/new")
def template_new(request: Request, user: StaffUser) -> Response:
    require_feature(user, "templates")
    templates.require_manager(user)
    return _form_page(request, user, {"id": None})


@router.get("/templates/{template_id}")
def template_edit(request: Request, template_id: TemplateId, user: StaffUser, factory: Factory) -> Response:
    require_feature(user, "templates")
    templates.require_manager(user)
    with reading(factory) as session:
        t = templates.get_template(session, template_id)
        values = {
            "id": t.id,
            "title": t.title,
            "category": t.category or "",
            "keywords": t.keywords,
            "body": t.body,
            "use_surname": t.use_surname,
        }
    return _form_page(request, user, values)


def _typed(form: FormData, template_id: int | None) -> dict[str, Any]:
    values: dict[str, Any] = {
        key: str(form.get(key) or "") for key in ("title", "category", "keywords", "body")
    }
    values.update(id=template_id, use_surname=form.get("use_surname") == "on")
    return values


@router.post("/templates")
def template_create(request: Request, user: StaffUser, factory: Factory, form: CheckedForm) -> Response:
    require_feature(user, "templates")
    try:
        with transaction(factory) as session:
            created = templates.create_template(session, user, _template_input(form))
            title = created.title
    except InvalidInput as error:
        return _form_page(request, user, _typed(form, None), error)
    flash(request, f"已新建模板“{title}”")
    return redirect("/templates")


@router.post("/templates/{template_id}")
def template_update(
    request: Request, template_id: TemplateId, user: StaffUser, factory: Factory, form: CheckedForm
) -> Response:
    require_feature(user, "templates")
    try:
        with transaction(factory) as session:
            if form.get("delete"):
                templates.delete_template(session, user, template_id)
                message = "已删除模板"
            else:
                updated = templates.update_template(session, user, template_id, _template_input(form))
                message = f"已保存模板“{updated.title}”"
    except InvalidInput as error:
        return _form_page(request, user, _typed(form, template_id), error)
    flash(request, message)
    return redirect("/templates")


# /cases


@router.get("/cases")
def case_library(
    request: Request,
    user: StaffUser,
    factory: Factory,
    category: Filter = "",
    kind: Filter = "",
    q: Filter = "",
    page: PageNumber = 1,
) -> Response:
    require_feature(user, "cases")
    error = None
    with reading(factory) as session:
        try:
            found = exemplary.search(session, user, category=category, kind=kind, words=q, page=page)
        except DomainError as problem:
            error = problem.message
            found = exemplary.search(session, user, category=category, words=q, page=page)
    pages = max(1, -(-found.total // found.size))

    def link(number: int) -> str:
        return "?" + urlencode({"category": category, "kind": kind, "q": q, "page": number})

    pager = {
        "page": found.page,
        "pages": pages,
        "total": found.total,
        "prev": link(found.page - 1) if found.page > 1 else None,
        "next": link(found.page + 1) if found.page < pages else None,
    }
    context = {
        "rows": found.rows,
        "filters": {"category": category, "kind": kind, "q": q},
        "categories": list(CATEGORIES),
        "kinds": [(k.value, k.label) for k in exemplary.CaseKind],
        "pager": pager,
        "error": error,
    }
    return render(request, "cases.html", context, user=user, status_code=422 if error else 200)
