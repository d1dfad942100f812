"""民意地图 and 民意速办 pages, the appeals behind each number, and the .xlsx exports of every table.

The pages are a filter form and empty panels: /static/boards.js draws them from the JSON API
(zhengshu.web.api_boards) with the same URL parameters."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhengshu.appeals import board_cube, board_tables
from zhengshu.appeals.board_drill import EXPORT_LIMIT, drill_all, drill_page
from zhengshu.appeals.board_filters import BoardFilters
from zhengshu.appeals.opinion_map import MapMeasure
from zhengshu.appeals.vocabulary import CATEGORIES, AppealType
from zhengshu.clock import now
from zhengshu.db import reading
from zhengshu.org.models import Street, User
from zhengshu.web.board_params import Params
from zhengshu.web.deps import Factory, settings
from zhengshu.web.pages_base import (
    PageRoute,
    StaffUser,
    appeal_rows,
    download,
    pagination,
    render,
    require_feature,
)
from zhengshu.xlsx_export import MEDIA_TYPE as XLSX_TYPE
from zhengshu.xlsx_export import write_table

router = APIRouter(route_class=PageRoute, include_in_schema=False)
TableName = Annotated[str, Path(max_length=32, pattern=r"^[a-z_]+$")]


def _options(session: Session, filters: BoardFilters) -> dict[str, Any]:
    return {
        "filters": filters,
        "query": urlencode(filters.query()),
        "categories": CATEGORIES,
        "types": list(AppealType),
        "streets": list(session.scalars(select(Street).order_by(Street.code))),
        "departments": board_tables.departments(session),
    }


@router.get("/boards/map")
def map_page(request: Request, user: StaffUser, factory: Factory, params: Params) -> Response:
    require_feature(user, "opinion-map")
    with reading(factory) as session:
        context = _options(session, params.filters(session))
    context["measures"] = list(MapMeasure)
    context["population_configured"] = bool(settings(request).street_population)
    return render(request, "boards_map.html", context, user=user)


@router.get("/boards/handling")
def handling_page(request: Request, user: StaffUser, factory: Factory, params: Params) -> Response:
    require_feature(user, "fast-handling")
    with reading(factory) as session:
        context = _options(session, params.filters(session))
    return render(request, "boards_handling.html", context, user=user)


@router.get("/boards/appeals")
def appeals_page(
    request: Request,
    user: StaffUser,
    factory: Factory,
    params: Params,
    measure: Annotated[str, Query(max_length=32)] = "received",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    require_feature(user, "fast-handling")
    moment = now()
    with reading(factory) as session:
        filters = params.filters(session)
        drill, result = drill_page(session, filters, measure, user, moment, page)
        rows = appeal_rows(result.items, user)
    query = urlencode({**filters.query(), "measure": drill.key})
    context = {
        "drill": drill,
        "filters": filters,
        "scope": filters.describe_live() if drill.live else filters.describe(),
        "rows": rows,
        "pager": pagination(request, result),
        "export": f"/boards/export/appeals.xlsx?{query}",
        "export_limit": EXPORT_LIMIT,
        "back_map": "/boards/map?" + urlencode(filters.query()),
        "back_handling": "/boards/handling?" + urlencode(filters.query()),
    }
    return render(request, "boards_appeals.html", context, user=user)


def _caption(table: board_tables.Table, filters: BoardFilters, user: User, moment: datetime) -> list[str]:
    scope = filters.describe_live() if table.live else filters.describe()
    lines = [table.title, f"筛选条件：{scope}", f"导出：{user.display_name}，{moment:%Y-%m-%d %H:%M}"]
    return [*lines, table.note] if table.note else lines


@router.get("/boards/export/{name}.xlsx")
def export(
    request: Request,
    user: StaffUser,
    factory: Factory,
    params: Params,
    name: TableName,
    measure: Annotated[str, Query(max_length=32)] = "received",
) -> Response:
    require_feature(user, "fast-handling")
    moment = now()
    board_cube.ensure_fresh(factory)
    with reading(factory) as session:
        filters = params.filters(session)
        if name == "appeals":
            drill, appeals = drill_all(session, filters, measure, user, moment)
            note = f"最多导出 {EXPORT_LIMIT} 条" if len(appeals) >= EXPORT_LIMIT else ""
            table = board_tables.appeals_table(
                f"诉求清单：{drill.label}", appeals, user, note, live=drill.live
            )
        else:
            population = settings(request).street_population
            table = board_tables.table(session, name, filters, viewer=user, at=moment, population=population)
    caption = _caption(table, filters, user, moment)
    data = write_table(table.title, caption, [c.sheet for c in table.columns], table.cells())
    return download(
        data, XLSX_TYPE, f"export-{moment:%Y%m%d-%H%M}.xlsx", f"{table.title}-{moment:%Y%m%d-%H%M}.xlsx"
    )
