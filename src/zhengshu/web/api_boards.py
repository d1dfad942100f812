"""JSON API of the 民意地图 and 民意速办 dashboards: the data their charts draw, and the appeals behind
each number. Every number is computed for the filters given (board_params)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from sqlalchemy.orm import Session, sessionmaker

from zhengshu.appeals import board_cube, board_tables, fast_handling, opinion_map
from zhengshu.appeals.assessment import formula
from zhengshu.appeals.board_drill import drill_page
from zhengshu.appeals.board_filters import BoardFilters
from zhengshu.appeals.board_rates import DEFINITIONS
from zhengshu.appeals.map_hotspots import MAX_APPEALS, hotspots
from zhengshu.appeals.opinion_map import MapMeasure
from zhengshu.appeals.presenters import appeal_summary
from zhengshu.clock import now
from zhengshu.db import reading
from zhengshu.errors import InvalidInput
from zhengshu.org.models import User
from zhengshu.org.roles import Permission
from zhengshu.org.street_map import street_map
from zhengshu.web.board_params import Params
from zhengshu.web.deps import CurrentUser, Factory, require, settings

router = APIRouter(prefix="/api/v1/boards", tags=["dashboards"])


def _viewer(user: User) -> None:
    require(user, Permission.ANALYTICS_VIEW)


def _filters_json(filters: BoardFilters) -> dict[str, Any]:
    return {**filters.query(), "description": filters.describe()}


def _table_json(table: board_tables.Table) -> dict[str, Any]:
    return {
        "title": table.title,
        "note": table.note,
        "columns": [
            {"key": c.key, "label": c.label, "kind": c.kind, "drill": c.drill} for c in table.columns
        ],
        "rows": [{**row.values, "narrow": row.narrow, "appeal": row.number} for row in table.rows],
    }


def _trend_json(trend: opinion_map.Trend) -> dict[str, Any]:
    return {"unit": trend.unit, "points": [{"start": d.isoformat(), "count": n} for d, n in trend.points]}


def _read(factory: sessionmaker[Session]) -> AbstractContextManager[Session]:
    """A read of the summary table, brought up to date first."""
    board_cube.ensure_fresh(factory)
    return reading(factory)


def _refreshed(session: Session) -> str | None:
    moment = board_cube.refreshed_at(session)
    return moment.isoformat() if moment else None


@router.get("/map/geo", summary="街道地图（GeoJSON，未配置真实边界时为示意图）")
def map_geo(request: Request, user: CurrentUser) -> dict[str, Any]:
    _viewer(user)
    shapes = street_map(settings(request))
    return {
        "geojson": shapes.geojson,
        "schematic": shapes.schematic,
        "source": shapes.source,
        "centres": {code: list(point) for code, point in shapes.centres.items()},
        "bounds": list(shapes.bounds),
    }


@router.get("/map", summary="民意地图：各街道诉求量、类别构成、逐日走势与预警")
def map_data(
    request: Request,
    user: CurrentUser,
    factory: Factory,
    params: Params,
    measure: MapMeasure = MapMeasure.COUNT,
) -> dict[str, Any]:
    _viewer(user)
    population = settings(request).street_population
    with _read(factory) as session:
        filters = params.filters(session)
        streets = opinion_map.streets(session, filters, population)
        return {
            "filters": _filters_json(filters),
            "measure": {
                "key": measure.value,
                "label": measure.label,
                "available": bool(population) or measure != MapMeasure.PER_10K,
            },
            # The 11 streets, then (code "") the appeals without a street, when there are any.
            "streets": [{**s.as_dict(), "value": s.value(measure)} for s in streets],
            "table": _table_json(board_tables.streets_table(streets)),
            "total": sum(s.count for s in streets),
            "previous_total": sum(s.previous for s in streets),
            "categories": [
                {"category": c, "count": n}
                for c, n in opinion_map.categories(session, filters.without_area())
            ],
            "trend": _trend_json(opinion_map.trend(session, filters.without_area())),
            "warnings": [
                {
                    "id": w.id,
                    "day": w.day.isoformat(),
                    "street": w.street_code,
                    "community": w.community,
                    "label": w.label,
                    "status": w.status,
                }
                for w in opinion_map.warnings(session, filters)
            ],
            "refreshed_at": _refreshed(session),
        }


@router.get("/map/street", summary="民意地图：一个街道的社区、类别与走势")
def map_street(user: CurrentUser, factory: Factory, params: Params) -> dict[str, Any]:
    _viewer(user)
    with _read(factory) as session:
        filters = params.filters(session)
        if filters.street is None:
            raise InvalidInput("请指定街道（street=街道代码）")
        communities = opinion_map.communities(session, filters)
        return {
            "filters": _filters_json(filters),
            "street": {"code": filters.street.code, "name": filters.street.name},
            "communities": [c.as_dict() for c in communities],
            "table": _table_json(board_tables.communities_table(filters.street, communities)),
            "categories": [{"category": c, "count": n} for c, n in opinion_map.categories(session, filters)],
            "trend": _trend_json(opinion_map.trend(session, filters)),
        }


@router.get("/map/points", summary="民意地图：期间内最新的带坐标诉求")
def map_points(user: CurrentUser, factory: Factory, params: Params) -> dict[str, Any]:
    _viewer(user)
    with reading(factory) as session:
        filters = params.filters(session)
        points = opinion_map.points(session, filters)
    return {
        "limit": opinion_map.POINTS_LIMIT,
        "points": [[p.longitude, p.latitude, p.number, p.category] for p in points],
    }


@router.get("/map/hotspots", summary="民意地图：期间最后 7 天的类案热点及其位置")
def map_hotspots(request: Request, user: CurrentUser, factory: Factory, params: Params) -> dict[str, Any]:
    _viewer(user)
    centres = street_map(settings(request)).centres
    with reading(factory) as session:
        filters = params.filters(session).without_area()
        found = hotspots(session, filters, centres)
    return {
        "first": found.first.isoformat(),
        "last": found.last.isoformat(),
        "clustered": found.clustered,
        "limit": MAX_APPEALS,
        "hotspots": [mark.__dict__ for mark in found.marks],
    }


@router.get("/handling/overview", summary="民意速办：今日受理、积压、时限与期间办理指标")
def handling_overview(user: CurrentUser, factory: Factory, params: Params) -> dict[str, Any]:
    _viewer(user)
    moment = now()
    with _read(factory) as session:
        filters = params.filters(session)
        overview = fast_handling.overview(session, filters, moment)
        return {
            "filters": _filters_json(filters),
            "at": moment.isoformat(),
            "today": overview.today,
            "today_by_channel": [{"channel": c, "count": n} for c, n in overview.today_by_channel],
            "backlog": [{"key": k, "label": label, "count": n} for k, label, n in overview.backlog],
            "rates": overview.rates.as_dict(),
            "definitions": {
                k: {"label": v[0], "formula": v[1], "drill": v[2]} for k, v in DEFINITIONS.items()
            },
            "refreshed_at": _refreshed(session),
        }


@router.get("/handling/due", summary="民意速办：各承办单位、各街道的临期与超期")
def handling_due(user: CurrentUser, factory: Factory, params: Params) -> dict[str, Any]:
    _viewer(user)
    moment = now()
    with reading(factory) as session:
        filters = params.filters(session)
        return {
            "at": moment.isoformat(),
            "by_department": _table_json(board_tables.due_departments_table(session, filters, moment)),
            "by_street": _table_json(board_tables.due_streets_table(session, filters, moment)),
        }


@router.get("/handling/streets", summary="民意速办：各街道期间办理指标")
def handling_streets(user: CurrentUser, factory: Factory, params: Params) -> dict[str, Any]:
    _viewer(user)
    with _read(factory) as session:
        return _table_json(board_tables.street_rates_table(session, params.filters(session)))


@router.get("/handling/assessment", summary="民意速办：承办单位考核（含计算公式）")
def handling_assessment(user: CurrentUser, factory: Factory, params: Params) -> dict[str, Any]:
    _viewer(user)
    with _read(factory) as session:
        table = board_tables.assessment_table(session, params.filters(session))
        return {**_table_json(table), "formula": formula()}


@router.get("/handling/supervision", summary="民意速办：督办清单（在办）")
def handling_supervision(user: CurrentUser, factory: Factory, params: Params) -> dict[str, Any]:
    _viewer(user)
    with reading(factory) as session:
        return _table_json(board_tables.supervision_table(session, params.filters(session), user))


@router.get("/appeals", summary="看板数字背后的诉求（下钻）")
def board_appeals(
    user: CurrentUser,
    factory: Factory,
    params: Params,
    measure: Annotated[str, Query(max_length=32, description="统计口径，如 received、overdue")] = "received",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    _viewer(user)
    with reading(factory) as session:
        filters = params.filters(session)
        drill, result = drill_page(session, filters, measure, user, now(), page, size)
        return {
            "filters": _filters_json(filters),
            "measure": {"key": drill.key, "label": drill.label, "meaning": drill.meaning},
            "total": result.total,
            "page": result.page,
            "size": result.size,
            "items": [appeal_summary(a, user) for a in result.items],
        }
