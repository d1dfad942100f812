"""办事指南 pages: browse the service items by department, life event, theme, audience and item
type (citizens too, without logging in); one item's full guide with an anchor per section, so an
answer can link the section it cites; and the officers' import with its row-by-row report."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from zhengshu.db import reading
from zhengshu.errors import DomainError, PermissionDenied
from zhengshu.guide import catalog, catalog_listing
from zhengshu.guide.assistant_index import searched_codes
from zhengshu.guide.demo import SAMPLE_NOTE
from zhengshu.guide.importing import ImportReport
from zhengshu.guide.item_checks import WEB_LINK
from zhengshu.guide.item_files import MAX_FILE_BYTES, MAX_ROWS
from zhengshu.guide.item_sheets import FAQ_SHEET, HEADERS
from zhengshu.guide.life_events import AUDIENCE_LABELS
from zhengshu.guide.records import ItemRecord
from zhengshu.org.models import User
from zhengshu.org.roles import Permission, has_permission
from zhengshu.web import csrf
from zhengshu.web.api_guide import CODE_PATTERN, run_import
from zhengshu.web.api_import import UploadForm, uploaded_file
from zhengshu.web.deps import Factory
from zhengshu.web.pages_base import PageRoute, StaffUser, page_user, render

router = APIRouter(route_class=PageRoute, include_in_schema=False)
Filter = Annotated[str | None, Query(max_length=100)]
FACET_LABELS = {
    "life_event": "人生事件",
    "audience": "服务对象",
    "department": "实施主体",
    "theme": "主题",
    "item_type": "事项类型",
}
# Values a facet shows before "更多"; the department facet of a province has dozens.
FACET_SHOWN = 12
MAX_SHOWN_ROWS = 500


def _may_manage(user: User | None) -> bool:
    return user is not None and has_permission(user.role, Permission.GUIDE_MANAGE)


def _link(params: dict[str, str | None], **changes: str | None) -> str:
    """The browse page with these filters, one changed (None removes it); back to page 1."""
    merged = {k: v for k, v in (params | changes).items() if v and k != "page"}
    return "/guide" + ("?" + urlencode(merged) if merged else "")


def _page_link(params: dict[str, str], number: int) -> str:
    return "/guide?" + urlencode({**params, "page": str(number)})


def _facets(found: catalog_listing.Listing, params: dict[str, str | None]) -> list[dict[str, Any]]:
    facets = []
    for facet, label in FACET_LABELS.items():
        chosen = params.get(facet)
        values = [
            {
                "label": AUDIENCE_LABELS.get(value, value) if facet == "audience" else value,
                "count": count,
                "chosen": value == chosen,
                "link": _link(params, **{facet: None if value == chosen else value}),
            }
            for value, count in found.facets.get(facet, [])
        ]
        facets.append(
            {
                "key": facet,
                "label": label,
                "options": values,
                "shown": FACET_SHOWN,
            }
        )
    return facets


@router.get("/guide")
def browse_page(
    request: Request,
    factory: Factory,
    department: Filter = None,
    life_event: Filter = None,
    theme: Filter = None,
    audience: Annotated[str | None, Query(max_length=16)] = None,
    item_type: Filter = None,
    q: Annotated[str, Query(max_length=200)] = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    user = page_user(request)
    codes = searched_codes(factory, q)
    filters = catalog_listing.parse_filters(department, life_event, theme, audience, item_type, codes)
    with reading(factory) as session:
        found = catalog_listing.listing(session, filters, page)
    params = {
        "department": filters.department,
        "life_event": filters.life_event,
        "theme": filters.theme,
        "audience": filters.audience,
        "item_type": filters.item_type,
        "q": q.strip() or None,
    }
    pager_params = {k: v for k, v in params.items() if v}
    context = {
        "found": found,
        "q": q,
        "params": params,
        "facets": _facets(found, params),
        "audience_labels": AUDIENCE_LABELS,
        "chosen": [
            {
                "label": FACET_LABELS[k],
                "value": AUDIENCE_LABELS.get(v, v) if k == "audience" else v,
                "remove": _link(params, **{k: None}),
            }
            for k, v in params.items()
            if v and k in FACET_LABELS
        ],
        "prev": _page_link(pager_params, found.page - 1) if found.page > 1 else None,
        "next": _page_link(pager_params, found.page + 1) if found.page < found.pages else None,
        "may_manage": _may_manage(user),
        "public": user is None,
    }
    return render(request, "guide_browse.html", context, user=user)


def _limit(days: int | None, text: str) -> str:
    if days == 0:
        return "即办"
    if days is not None:
        return f"{days} 个工作日"
    return text or "—"


def _web_link(value: object) -> str:
    """Only web links become links: extra fields are free-form in the project's own shape."""
    return value if isinstance(value, str) and WEB_LINK.match(value) else ""


def _item_context(record: ItemRecord) -> dict[str, Any]:
    extra = record.extra
    return {
        "legal_limit": _limit(record.legal_limit_days, record.legal_limit_text),
        "promised_limit": _limit(record.promised_limit_days, record.promised_limit_text),
        "sample": bool(extra.get("sample")),
        "no_counter": bool(extra.get("no_counter")),
        "derived_events": bool(extra.get("life_events_derived")),
        "booking_url": _web_link(extra.get("booking_url")),
        "co_departments": extra.get("co_departments", ""),
        "audiences": "、".join(record.audiences),
    }


@router.get("/guide/items/{code}")
def item_page(
    request: Request,
    factory: Factory,
    code: Annotated[str, Path(max_length=64, pattern=CODE_PATTERN)],
) -> Response:
    user = page_user(request)
    with reading(factory) as session:
        view = catalog.item_view(session, code)
    context = {
        "view": view,
        "item": view.record,
        "sample_note": SAMPLE_NOTE,
        "may_manage": _may_manage(user),
        "public": user is None,
        **_item_context(view.record),
    }
    return render(request, "guide_item.html", context, user=user)


def manager(user: StaffUser) -> User:
    """The logged-in user, when allowed to manage items: checked before an upload is read."""
    if not _may_manage(user):
        raise PermissionDenied("当前账号无权导入服务事项（需政务服务专员）")
    return user


Manager = Annotated[User, Depends(manager)]


def _import_context(**values: Any) -> dict[str, Any]:
    return {
        "headers": [(names[0], names[1:]) for names in HEADERS.values()],
        "faq_sheet": FAQ_SHEET,
        "max_rows": MAX_ROWS,
        "max_mb": MAX_FILE_BYTES // 1_000_000,
        "report": None,
        "message": None,
        "filename": None,
        **values,
    }


def _report_context(report: ImportReport) -> dict[str, Any]:
    rejected = report.rejected
    noted = [row for row in report.rows if row.notes and not row.errors]
    return {
        "report": report,
        "rejected": rejected[:MAX_SHOWN_ROWS],
        "hidden_rejected": max(0, len(rejected) - MAX_SHOWN_ROWS),
        "noted": noted[:MAX_SHOWN_ROWS],
        "hidden_noted": max(0, len(noted) - MAX_SHOWN_ROWS),
    }


@router.get("/guide/import")
def import_page(request: Request, user: Manager) -> Response:
    return render(request, "guide_import.html", _import_context(), user=user)


@router.post("/guide/import")
def import_upload(request: Request, user: Manager, factory: Factory, form: UploadForm) -> Response:
    try:
        csrf.check(request, form)
        data, filename = uploaded_file(form)
        report = run_import(factory, filename, data, user)
    except DomainError as error:
        status = 403 if isinstance(error, PermissionDenied) else 422
        context = _import_context(message=error.message)
        return render(request, "guide_import.html", context, user=user, status_code=status)
    context = _import_context(filename=filename, **_report_context(report))
    return render(request, "guide_import.html", context, user=user, status_code=200 if report.ok else 422)
