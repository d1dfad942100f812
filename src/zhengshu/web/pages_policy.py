"""政策文件库 and 政策智能问答 pages: browse and search the library, read a document at a cited article
with the passage highlighted, ask questions (staff, and citizens without logging in), the officers'
hit test, import and metadata edits. The conversation lives in the URL: each question carries the
earlier ones, so a page can be reloaded, shared and read without JavaScript."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from markupsafe import Markup, escape
from starlette.datastructures import FormData, UploadFile

from zhengshu.clock import now
from zhengshu.db import reading, transaction
from zhengshu.errors import DomainError, InvalidInput, PermissionDenied
from zhengshu.org.models import User
from zhengshu.org.roles import Permission, has_permission
from zhengshu.policy import library
from zhengshu.policy.answers import Answer
from zhengshu.policy.ingest import OUTCOME_LABELS, ingest_file
from zhengshu.policy.library_index import library_index
from zhengshu.policy.llm import configured_endpoint
from zhengshu.policy.models import PolicyStatus, PolicyVersion
from zhengshu.policy.presenters import citation_link
from zhengshu.policy.qa import MAX_EARLIER, QaFilters
from zhengshu.policy.versions import EDITABLE_FIELDS, update_metadata
from zhengshu.search.questions import MAX_QUESTION
from zhengshu.web import csrf
from zhengshu.web.deps import MAX_FORM_FIELDS, Factory, settings
from zhengshu.web.pages_base import (
    CheckedForm,
    PageRoute,
    StaffUser,
    flash,
    redirect,
    render,
    require_feature,
)
from zhengshu.web.ratelimit import limit_questions

router = APIRouter(route_class=PageRoute, include_in_schema=False)
MAX_ID = 2**31 - 1
# Files one import may carry; a folder is imported from the command line (zhengshu policy import).
MAX_FILES = 50
Text = Annotated[str | None, Query(max_length=200)]


def _turns(request: Request, question: str, earlier: list[str], filters: QaFilters) -> list[dict[str, Any]]:
    """Every question of the conversation with its answer, each asked with the valid ones before it.
    Only the newest question may go to a language model; the earlier ones are answered extractively."""
    if not question.strip():
        return []
    index = library_index(request.app.state.factory)
    today = now().date()
    turns: list[dict[str, Any]] = []
    asked: list[str] = []
    candidates = [*earlier[-MAX_EARLIER:], question]
    for position, text in enumerate(candidates):
        newest = position == len(candidates) - 1
        qa = index.qa(configured_endpoint(settings(request)) if newest else None)
        try:
            answer: Answer | None = qa.ask(text, earlier=asked, filters=filters, today=today)
            error = None
            asked.append(text)
        except InvalidInput as problem:
            answer, error = None, problem.message
        turns.append({"question": text, "answer": answer, "error": error})
    return turns


def _ask_context(
    request: Request, q: str, earlier: list[str], in_force_only: bool, public: bool
) -> dict[str, Any]:
    filters = QaFilters(in_force_only=in_force_only)
    turns = _turns(request, q, earlier, filters)
    carried = [t["question"] for t in turns if t["error"] is None]
    return {
        "turns": turns,
        "earlier": carried,
        "in_force_only": in_force_only,
        "public": public,
        "max_question": MAX_QUESTION,
        "link": citation_link,
        "action": "/public/policy" if public else "/policy/ask",
    }


@router.get("/policy/ask")
def ask_page(
    request: Request,
    user: StaffUser,
    q: Annotated[str, Query(max_length=50_000)] = "",
    earlier: Annotated[list[str] | None, Query(max_length=20)] = None,
    in_force_only: bool = False,
) -> Response:
    require_feature(user, "policy-ask")
    context = _ask_context(request, q, earlier or [], in_force_only, public=False)
    return render(request, "policy_ask.html", context, user=user)


@router.get("/public/policy")
@limit_questions
def public_ask_page(
    request: Request,
    q: Annotated[str, Query(max_length=50_000)] = "",
    earlier: Annotated[list[str] | None, Query(max_length=20)] = None,
    in_force_only: bool = False,
) -> Response:
    return render(
        request, "policy_ask.html", _ask_context(request, q, earlier or [], in_force_only, public=True)
    )


@router.get("/policy")
def library_page(
    request: Request,
    user: StaffUser,
    factory: Factory,
    issuing_body: Text = None,
    year: Annotated[str | None, Query(max_length=4)] = None,
    status: Annotated[str | None, Query(max_length=16)] = None,
    topic: Annotated[str | None, Query(max_length=32)] = None,
    q: Text = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    require_feature(user, "policy")
    filters = library.parse_filters(issuing_body, year, status, topic, q)
    index = library_index(factory)
    today = now().date()
    with reading(factory) as session:
        found = library.listing(session, index, filters, today, page)
        facets = library.facets(session)
    context = {
        "today": today,
        "found": found,
        "filters": filters,
        "facets": facets,
        "may_manage": _may_manage(user),
        "pages": max(1, -(-found.total // found.size)),
    }
    return render(request, "policy_library.html", context, user=user)


def _may_manage(user: User) -> bool:
    return has_permission(user.role, Permission.POLICY_MANAGE)


def _require_manage(user: User) -> None:
    if not _may_manage(user):
        raise PermissionDenied("当前账号无权管理政策文件库（需政策专员）")


def _highlighted(text: str, start: int, end: int, highlight: tuple[int, int] | None) -> Markup:
    """text[start:end] as HTML, the highlighted range (offsets in the whole text) marked."""
    if highlight is None or highlight[1] <= start or highlight[0] >= end:
        return Markup(escape(text[start:end]))
    first, last = max(highlight[0], start), min(highlight[1], end)
    marked = Markup('<mark id="hl">') + escape(text[first:last]) + Markup("</mark>")
    return Markup(escape(text[start:first]) + marked + escape(text[last:end]))


def _highlight(value: str | None, length: int) -> tuple[int, int] | None:
    if not value:
        return None
    first, _, last = value.partition("-")
    if not (first.isdigit() and last.isdigit()):
        raise InvalidInput("高亮范围格式应为 起-止，例如 120-260")
    start, end = int(first), int(last)
    if not 0 <= start < end <= length:
        raise InvalidInput("高亮范围超出了文件正文")
    return start, end


@router.get("/policy/documents/{document_id}")
def document_page(
    request: Request,
    user: StaffUser,
    factory: Factory,
    document_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    version: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    hl: Annotated[str | None, Query(max_length=24)] = None,
) -> Response:
    require_feature(user, "policy")
    with reading(factory) as session:
        view = library.document_view(session, document_id, version)
    text = view.version.text
    highlight = _highlight(hl, len(text))
    articles = [
        {"article": a, "html": _highlighted(text, a.start_offset, a.end_offset, highlight)}
        for a in view.articles
    ]
    if not articles:
        articles = [{"article": None, "html": _highlighted(text, 0, len(text), highlight)}]
    context = {
        "today": now().date(),
        "view": view,
        "articles": articles,
        "may_manage": _may_manage(user),
        "statuses": list(PolicyStatus),
        "editable": EDITABLE_FIELDS,
    }
    return render(request, "policy_document.html", context, user=user)


@router.post("/policy/versions/{version_id}/metadata")
def edit_metadata(
    request: Request,
    user: StaffUser,
    factory: Factory,
    form: CheckedForm,
    version_id: Annotated[int, Path(ge=1, le=MAX_ID)],
) -> Response:
    _require_manage(user)
    fields = {name: str(form.get(name) or "") for name in EDITABLE_FIELDS if name in form}
    with transaction(factory) as session:
        version: PolicyVersion = update_metadata(session, version_id, fields, user)
        target = f"/policy/documents/{version.document_id}?version={version.id}"
    library_index(factory)
    flash(request, "元数据已保存（已留痕）")
    return redirect(target)


@router.get("/policy/hit-test")
def hit_test_page(
    request: Request,
    user: StaffUser,
    factory: Factory,
    q: Annotated[str, Query(max_length=50_000)] = "",
) -> Response:
    require_feature(user, "policy-hit-test")
    found = None
    if q.strip():
        found = library_index(factory).qa(None).retrieve(q, today=now().date())
    return render(request, "policy_hit_test.html", {"q": q, "found": found}, user=user)


@router.get("/policy/import")
def import_form(request: Request, user: StaffUser) -> Response:
    _require_manage(user)
    return render(request, "policy_import.html", {"results": None}, user=user)


async def files_form(request: Request) -> AsyncIterator[FormData]:
    """A multipart form of several files (the whole request stays under the body size limit)."""
    async with request.form(max_files=MAX_FILES, max_fields=MAX_FORM_FIELDS) as form:
        yield form


@router.post("/policy/import")
def import_files(
    request: Request, user: StaffUser, factory: Factory, form: Annotated[FormData, Depends(files_form)]
) -> Response:
    _require_manage(user)
    if not csrf.is_valid(request, form.get(csrf.FIELD)):
        raise csrf.CsrfRejected()
    uploads = [item for item in form.getlist("file") if isinstance(item, UploadFile) and item.filename]
    if not uploads:
        raise InvalidInput("请选择要导入的文件")
    results = []
    for upload in uploads:
        upload.file.seek(0)
        data = upload.file.read()
        name = upload.filename or "文件"
        try:
            with transaction(factory) as session:
                result = ingest_file(session, name, data, actor=user)
            outcome = OUTCOME_LABELS.get(result.outcome, result.outcome)
            results.append({"name": name, "outcome": outcome, "result": result})
        except DomainError as error:
            results.append({"name": name, "outcome": "失败", "message": error.message, "result": None})
    library_index(factory)
    return render(request, "policy_import.html", {"results": results}, user=user)
