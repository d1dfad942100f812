"""类案热点 pages: a period's class cases with their heat index, one class case with its appeals, and the
ten domains / housing estates / communities with most appeals, each with its appeals (drill-down)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from zhengshu.appeals import class_cases as service
from zhengshu.appeals import hotspots
from zhengshu.appeals.days import parse_period
from zhengshu.appeals.hotspot_heat import HEAT_FORMULA, ClassCase
from zhengshu.appeals.models import Appeal
from zhengshu.appeals.presenters import free_text
from zhengshu.appeals.rankings import RankRow, drill_down, rankings
from zhengshu.db import reading
from zhengshu.errors import InvalidInput, NotFound
from zhengshu.org.models import User
from zhengshu.web.deps import Factory
from zhengshu.web.pages_base import PageRoute, StaffUser, appeal_rows, render, require_feature

router = APIRouter(route_class=PageRoute, include_in_schema=False)
FEATURE = "hotspots"
SHOWN_CASES = 30
SHOWN_APPEALS = 200
DRILL_LABELS = {"domain": "领域", "estate": "小区/楼盘", "community": "社区"}
DayText = Annotated[str, Query(max_length=10)]
METHOD = (
    "同一期间的诉求按“同一地点＋同一事项”聚类。事项：标题和正文前 "
    f"{hotspots.BODY_CHARS} 字去掉地名、数字后的二、三字片段作 TF-IDF 向量，相似度 = "
    f"{hotspots.TITLE_SHARE:g}×标题余弦 + {1 - hotspots.TITLE_SHARE:g}×正文余弦。"
    "地点：文中识别出的小区、道路、学校、单位、社区（提到地点的诉求另按受理社区）。"
    "两条诉求提到同一地点且相似度不低于 "
    f"{hotspots.LINK_SIMILARITY:g} 时相连；未都提到地点时相似度需不低于 "
    f"{hotspots.LINK_SIMILARITY_WITHOUT_PLACE:g}；所提地点不同或社区不同的诉求从不相连。连通的诉求为一个类案，"
    f"与类案中心相似度低于 {hotspots.MEMBER_SIMILARITY:g} 或地点与类案不符的诉求剔除。"
)


def _span(first: str, last: str) -> service.Period:
    first_day, last_day = parse_period(first, last, max_days=service.MAX_PERIOD_DAYS)
    return service.period(first_day, last_day)


def _query(span: service.Period, **extra: str) -> str:
    params = {"first": span.first_day.isoformat(), "last": span.last_day.isoformat(), **extra}
    return urlencode(params)


def _case_row(case: ClassCase, span: service.Period, title: str | None) -> dict[str, Any]:
    return {
        "case": case,
        "title": title or case.title,
        "link": f"/analytics/hotspots/case?{_query(span, number=case.representative_id)}",
    }


def _masked_title(case: ClassCase, by_number: dict[str, Appeal], user: User) -> str | None:
    appeal = by_number[case.representative_id]
    return free_text(appeal.title, appeal, user)


@router.get("/analytics/hotspots")
def hotspots_page(
    request: Request, user: StaffUser, factory: Factory, first: DayText = "", last: DayText = ""
) -> Response:
    require_feature(user, FEATURE)
    span = _span(first, last)
    with reading(factory) as session:
        appeals = service.period_appeals(session, span, user)
        cases = service.cases_of(appeals, span.end)
        by_number = {a.number: a for a in appeals}
        shown = [_case_row(c, span, _masked_title(c, by_number, user)) for c in cases[:SHOWN_CASES]]
    context = {
        "span": span,
        "appeals": len(appeals),
        "cases": shown,
        "total_cases": len(cases),
        "formula": HEAT_FORMULA,
        "method": METHOD,
        "rankings_link": f"/analytics/rankings?{_query(span)}",
    }
    return render(request, "hotspots.html", context, user=user)


@router.get("/analytics/hotspots/case")
def case_page(
    request: Request,
    user: StaffUser,
    factory: Factory,
    number: Annotated[str, Query(max_length=32)],
    first: DayText = "",
    last: DayText = "",
) -> Response:
    require_feature(user, FEATURE)
    span = _span(first, last)
    with reading(factory) as session:
        appeals = service.period_appeals(session, span, user)
        cases = service.cases_of(appeals, span.end)
        case = next((c for c in cases if number.strip() in c.message_ids), None)
        if case is None:
            raise NotFound("该期间内没有包含此诉求的类案，可能期间已变化，请返回热点列表重新进入")
        by_number = {a.number: a for a in appeals}
        members = sorted((by_number[n] for n in case.message_ids), key=lambda a: a.created_at, reverse=True)
        context = {
            "span": span,
            "case": case,
            "title": _masked_title(case, by_number, user),
            "rows": appeal_rows(members[:SHOWN_APPEALS], user),
            "formula": HEAT_FORMULA,
            "back": f"/analytics/hotspots?{_query(span)}",
        }
    return render(request, "hotspot_case.html", context, user=user)


def _rank_rows(rows: list[RankRow], kind: str, span: service.Period) -> list[dict[str, Any]]:
    return [
        {"row": row, "link": f"/analytics/rankings/appeals?{_query(span, kind=kind, key=row.key)}"}
        for row in rows
    ]


@router.get("/analytics/rankings")
def rankings_page(
    request: Request, user: StaffUser, factory: Factory, first: DayText = "", last: DayText = ""
) -> Response:
    require_feature(user, FEATURE)
    span = _span(first, last)
    with reading(factory) as session:
        result = rankings(session, span, user)
    context = {
        "span": span,
        "total": result.total,
        "tables": [
            ("十大诉求领域", "领域", _rank_rows(result.domains, "domain", span)),
            (
                "十大诉求小区/楼盘（按诉求中提到的小区）",
                "小区/楼盘",
                _rank_rows(result.estates, "estate", span),
            ),
            ("十大诉求社区（按登记的所属社区）", "社区", _rank_rows(result.communities, "community", span)),
        ],
        "hotspots_link": f"/analytics/hotspots?{_query(span)}",
    }
    return render(request, "rankings.html", context, user=user)


@router.get("/analytics/rankings/appeals")
def rankings_appeals(
    request: Request,
    user: StaffUser,
    factory: Factory,
    kind: Annotated[str, Query(max_length=16)],
    key: Annotated[str, Query(max_length=64)],
    first: DayText = "",
    last: DayText = "",
) -> Response:
    require_feature(user, FEATURE)
    if kind not in DRILL_LABELS:
        raise InvalidInput("未知的排行类别")
    span = _span(first, last)
    with reading(factory) as session:
        appeals = drill_down(session, span, kind, key, user)
        label = key
        if kind == "community" and appeals and appeals[0].community is not None:
            label = appeals[0].community.name
        context = {
            "span": span,
            "heading": f"{DRILL_LABELS[kind]}：{label}",
            "total": len(appeals),
            "rows": appeal_rows(appeals[:SHOWN_APPEALS], user),
            "back": f"/analytics/rankings?{_query(span)}",
        }
    return render(request, "rankings_appeals.html", context, user=user)
