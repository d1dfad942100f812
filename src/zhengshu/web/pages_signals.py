"""弱信号预警: a day's warnings with their explanation, series and appeals; acknowledge or dismiss."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from zhengshu.appeals import warnings as service
from zhengshu.appeals.days import parse_day
from zhengshu.appeals.presenters import free_text
from zhengshu.appeals.signal_models import SignalWarning, WarningKind, WarningStatus
from zhengshu.appeals.signals import DEFAULT_PARAMS
from zhengshu.clock import now
from zhengshu.db import reading, transaction
from zhengshu.errors import InvalidInput
from zhengshu.org.models import User
from zhengshu.web.deps import Factory
from zhengshu.web.pages_base import (
    CheckedForm,
    PageRoute,
    StaffUser,
    flash,
    redirect,
    render,
    require_feature,
)

router = APIRouter(route_class=PageRoute, include_in_schema=False)
PATH = "/analytics/signals"
SHOWN_APPEALS = 10
WarningId = Annotated[int, Path(ge=1, le=2**31 - 1)]
METHOD = (
    f"基线取检测日前 {DEFAULT_PARAMS.window_days} 天（8 整周，不含前一天），按全区诉求的周内节律"
    "（节假日按周日、调休上班按周三）折算当日期望件数；以负二项分布计算“不少于实际件数”的概率 P，"
    f"分别检验当日件数和昨今两日合计，任一 P 小于 {DEFAULT_PARAMS.alpha_per_test:g} 即预警"
    f"（每条序列每天误报约千分之一）。至少 {DEFAULT_PARAMS.min_count} 件、且不低于期望的 "
    f"{DEFAULT_PARAMS.min_ratio:g} 倍才预警。新兴词按此前八周在诉求中的占比乘以当日诉求量计算期望，"
    "并按当日检验的词数校正。"
)


def _default_day(session: Session) -> date:
    return service.latest_run_day(session) or now().date() - timedelta(days=1)


def _chart(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    top = max([1.0, *(float(p["count"]) for p in history), *(float(p["expected"]) for p in history)])
    return [
        {
            "day": point["day"][5:],
            "count": point["count"],
            "expected": point["expected"],
            "height": round(100 * point["count"] / top),
            "mark": round(100 * point["expected"] / top),
        }
        for point in history
    ]


def _card(session: Session, warning: SignalWarning, user: User) -> dict[str, Any]:
    appeals = service.appeals_behind(session, warning)
    return {
        "id": warning.id,
        "kind": WarningKind(warning.kind).label,
        "label": warning.label,
        "explanation": warning.explanation,
        "status": warning.status,
        "status_label": WarningStatus(warning.status).label,
        "open": warning.status == WarningStatus.OPEN,
        "may_dismiss": warning.status != WarningStatus.DISMISSED,
        "note": warning.decision_note,
        "decided_at": warning.decided_at,
        "chart": _chart(warning.history),
        "appeals": [
            {"number": a.number, "title": free_text(a.title, a, user), "created_at": a.created_at}
            for a in appeals[:SHOWN_APPEALS]
        ],
        "appeal_total": len(appeals),
    }


@router.get(PATH)
def signals_page(
    request: Request,
    user: StaffUser,
    factory: Factory,
    day: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    require_feature(user, "signals")
    problem = ""
    with reading(factory) as session:
        try:
            chosen = parse_day(day, default=_default_day(session))
        except InvalidInput as error:
            problem, chosen = error.message, _default_day(session)
        run = service.run_for(session, chosen)
        cards = [_card(session, w, user) for w in service.warnings_for(session, chosen)]
        context = {
            "day": chosen,
            "problem": problem,
            "run": run,
            "cards": cards,
            "open_count": sum(card["open"] for card in cards),
            "runs": service.recent_runs(session),
            "method": METHOD,
            "previous": chosen - timedelta(days=1),
            "next": chosen + timedelta(days=1) if chosen < now().date() else None,
        }
    return render(request, "signals.html", context, user=user)


@router.post(f"{PATH}/detect")
def detect(request: Request, user: StaffUser, factory: Factory, form: CheckedForm) -> Response:
    require_feature(user, "signals")
    day = parse_day(str(form.get("day", "")), default=now().date() - timedelta(days=1))
    with transaction(factory) as session:
        outcome = service.detect_day(session, day, actor=user)
    flash(request, outcome.message, "success" if outcome.appeals else "info")
    return redirect(f"{PATH}?day={day.isoformat()}")


@router.post(PATH + "/{warning_id}/decide")
def decide(
    request: Request, warning_id: WarningId, user: StaffUser, factory: Factory, form: CheckedForm
) -> Response:
    require_feature(user, "signals")
    choice = str(form.get("to", ""))
    if choice not in (WarningStatus.ACKNOWLEDGED, WarningStatus.DISMISSED):
        raise InvalidInput("请选择“确认关注”或“排除”")
    with transaction(factory) as session:
        warning = service.decide(
            session, warning_id, WarningStatus(choice), actor=user, note=str(form.get("note", ""))
        )
        label, day = warning.label, warning.day
    flash(request, f"{label}：已{WarningStatus(choice).label.removeprefix('已')}")
    return redirect(f"{PATH}?day={day.isoformat()}#warning-{warning_id}")
