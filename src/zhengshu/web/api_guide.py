"""JSON API of the service items (办事指南): browse and read items (anyone, without logging in);
import a file of items and edit one item (政务服务专员)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session, sessionmaker

from zhengshu.db import reading, transaction
from zhengshu.errors import InvalidInput
from zhengshu.guide import catalog, catalog_listing
from zhengshu.guide.assistant_index import searched_codes
from zhengshu.guide.catalog import ItemView
from zhengshu.guide.catalog_listing import Listing
from zhengshu.guide.importing import ImportReport, edit_item, import_items, record_json
from zhengshu.guide.item_files import read_item_file
from zhengshu.guide.item_rows import ItemRow
from zhengshu.guide.item_summaries import ItemSummary
from zhengshu.guide.life_events import AUDIENCE_LABELS
from zhengshu.guide.presenters import item_link
from zhengshu.guide.records import ItemRecord
from zhengshu.guide.sections import BY_KEY
from zhengshu.org.models import User
from zhengshu.org.roles import Permission
from zhengshu.web.api_import import UploadForm, upload_body, uploaded_file
from zhengshu.web.deps import CurrentUser, Factory, require
from zhengshu.web.problems import PROBLEM_JSON, problem

router = APIRouter(prefix="/api/v1/guide", tags=["guide"])
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
Code = Annotated[str, Path(max_length=64, pattern=CODE_PATTERN, description="事项编码")]
Filter = Annotated[str | None, Query(max_length=100)]
# A rejected file of thousands of rows may have more errors than anyone reads in one response.
MAX_REPORTED_ROWS = 5_000


def summary_json(summary: ItemSummary) -> dict[str, Any]:
    return {
        "code": summary.code,
        "name": summary.name,
        "department": summary.department,
        "catalog_name": summary.catalog_name,
        "variant": summary.variant,
        "item_type": summary.item_type,
        "level": summary.level,
        "promised_limit_days": summary.promised_limit_days,
        "online": summary.online,
        "themes": list(summary.themes),
        "life_events": list(summary.life_events),
        "audiences": [AUDIENCE_LABELS[a] for a in summary.audiences],
        "sample": summary.sample,
        "link": item_link(summary.code),
    }


def listing_json(found: Listing) -> dict[str, Any]:
    return {
        "total": found.total,
        "page": found.page,
        "size": found.size,
        "items": [summary_json(s) for s in found.items],
        "facets": {
            facet: [
                {
                    "value": value,
                    "label": AUDIENCE_LABELS.get(value, value) if facet == "audience" else value,
                    "count": count,
                }
                for value, count in counts
            ]
            for facet, counts in found.facets.items()
        },
    }


def item_json(record: ItemRecord) -> dict[str, Any]:
    """A 办事指南 in the project's own shape, with its page and each section's link."""
    faqs = [f"faq-{n}" for n in range(1, len(record.faqs) + 1)]
    return record_json(record) | {
        "sample": bool(record.extra.get("sample")),
        "link": item_link(record.code),
        "sections": {key: item_link(record.code, key) for key in [*BY_KEY, *faqs]},
    }


def view_json(view: ItemView) -> dict[str, Any]:
    return item_json(view.record) | {
        "variants": [summary_json(s) for s in view.variants],
        "same_name": [summary_json(s) for s in view.same_name],
        "source": view.source,
        "updated_at": view.updated_at.isoformat(),
    }


@router.get(
    "/items", summary="办事指南：按实施主体、人生事件、主题、服务对象、事项类型筛选，分页，附筛选计数"
)
def items(
    factory: Factory,
    department: Filter = None,
    life_event: Filter = None,
    theme: Filter = None,
    audience: Annotated[
        str | None, Query(max_length=16, description="person（个人办事）或 enterprise（法人办事）")
    ] = None,
    item_type: Filter = None,
    q: Annotated[
        str, Query(max_length=200, description="按群众的说法检索（与智能客服同一检索），结果按相关度排序")
    ] = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    size: Annotated[int, Query(ge=1, le=catalog_listing.MAX_PAGE_SIZE)] = catalog_listing.PAGE_SIZE,
) -> dict[str, Any]:
    filters = catalog_listing.parse_filters(
        department, life_event, theme, audience, item_type, searched_codes(factory, q)
    )
    with reading(factory) as session:
        return listing_json(catalog_listing.listing(session, filters, page, size))


@router.get(
    "/items/{code}",
    summary="一个事项的办事指南：条件、材料、时限、收费、地点、网办、依据、常见问题、办理情形",
)
def item(code: Code, factory: Factory) -> dict[str, Any]:
    with reading(factory) as session:
        return view_json(catalog.item_view(session, code))


def row_json(row: ItemRow) -> dict[str, Any]:
    return {
        "row": row.row,
        "sheet": row.sheet or None,
        "where": row.where,
        "code": row.code,
        "name": row.name,
        "errors": row.errors,
        "notes": row.notes,
    }


def report_json(report: ImportReport) -> dict[str, Any]:
    return {
        "source": report.source,
        "total": report.total,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "written": report.written,
        "summary": report.summary(),
        "rows": [row_json(row) for row in report.rows[:MAX_REPORTED_ROWS]],
    }


def run_import(factory: sessionmaker[Session], name: str, data: bytes, user: User | None) -> ImportReport:
    """Read the file outside the transaction, then import it in one transaction."""
    item_file = read_item_file(name, data)
    with transaction(factory) as session:
        return import_items(session, item_file, user, source=name)


def guide_manager(user: CurrentUser) -> User:
    """The current user, when allowed to manage items: checked before the upload is read."""
    require(user, Permission.GUIDE_MANAGE)
    return user


Manager = Annotated[User, Depends(guide_manager)]


@router.post(
    "/items/import",
    summary="导入事项文件（.jsonl 或 .xlsx，字段 file；政务服务专员）",
    description=(
        "先检查全部行：任何一行有错误则不写入任何事项，返回 422 及逐行报告（report.rows）；"
        "否则按事项编码新增或更新，"
        "内容未变的不改动。同名但实施主体不同的事项都导入，并在报告中提示。"
        "使用网页登录会话调用时，须在 X-CSRF-Token 请求头或 csrf_token 字段中提交页面令牌。"
    ),
    openapi_extra=upload_body("事项文件：.jsonl（每行一个事项，本项目格式或广东政务服务网导出格式）或 .xlsx"),
    responses={
        401: {"description": "未登录或令牌无效"},
        403: {"description": "无权管理服务事项"},
        413: {"description": "文件超过上传大小上限"},
        422: {"description": "未选择文件、文件无法读取，或有错误行（本次未导入任何事项）"},
    },
)
def import_file(user: Manager, factory: Factory, form: UploadForm) -> Any:
    data, name = uploaded_file(form)
    report = run_import(factory, name, data, user)
    if report.ok:
        return report_json(report)
    response = problem(
        422,
        report.summary(),
        code="import-rejected",
        errors={row.where: "；".join(row.errors) for row in report.rejected[:50]},
    )
    body = json.loads(bytes(response.body)) | {"report": report_json(report)}
    return JSONResponse(body, status_code=422, media_type=PROBLEM_JSON)


@router.patch(
    "/items/{code}", summary="修改一个事项（字段同 JSONL 格式，只给要改的字段；政务服务专员，留痕）"
)
def edit(code: Code, body: dict[str, Any], user: Manager, factory: Factory) -> dict[str, Any]:
    if not body:
        raise InvalidInput("请给出要修改的字段")
    with transaction(factory) as session:
        record = edit_item(session, code, body, user)
    return item_json(record)
