"""The daily briefs page: 民生诉求每日5条 and 企业诉求每日速报 of a day, with a .docx of each.

A brief the scheduler (or anyone) stored is shown as stored; a day without one is built for the view
and not stored (a GET writes nothing). 重新生成 stores the briefs of the present state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from zhengshu.appeals import briefs
from zhengshu.appeals.brief_docx import filename, render_docx
from zhengshu.appeals.days import parse_day
from zhengshu.appeals.library_models import DailyBrief
from zhengshu.clock import now
from zhengshu.db import reading, transaction
from zhengshu.errors import DomainError, NotFound
from zhengshu.web.deps import Factory
from zhengshu.web.pages_base import (
    CheckedForm,
    PageRoute,
    StaffUser,
    download,
    flash,
    redirect,
    render,
    require_feature,
)

router = APIRouter(route_class=PageRoute, include_in_schema=False)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DayText = Annotated[str, Query(max_length=20)]


@dataclass(frozen=True)
class Shown:
    """A brief as shown: the stored one, or one built for this view (revision None, not stored)."""

    kind: briefs.BriefKind
    day: date
    content: dict[str, Any]
    generated_at: datetime
    revision: int | None


def _stored_or_built(factory: Factory, day: date) -> dict[briefs.BriefKind, Shown]:
    with reading(factory) as session:
        found: dict[briefs.BriefKind, DailyBrief | None] = {
            kind: briefs.stored(session, day, kind) for kind in briefs.BriefKind
        }
        missing = [kind for kind, brief in found.items() if brief is None]
        moment = now()
        built = briefs.build(session, day, moment) if missing else {}
    shown = {}
    for kind, brief in found.items():
        if brief is None:
            shown[kind] = Shown(kind, day, built[kind], moment, None)
        else:
            shown[kind] = Shown(kind, day, brief.content, brief.generated_at, brief.revision)
    return shown


def _view(brief: Shown) -> dict[str, Any]:
    return {
        "content": brief.content,
        "generated_at": brief.generated_at,
        "revision": brief.revision,
        "docx": f"/briefs/{brief.day.isoformat()}/{brief.kind.value}.docx",
    }


@router.get("/briefs")
def briefs_page(request: Request, user: StaffUser, factory: Factory, date: DayText = "") -> Response:
    require_feature(user, "briefs")
    error = None
    today = now().date()
    try:
        day = parse_day(date, default=today)
    except DomainError as problem:
        error, day = problem.message, today
    stored = _stored_or_built(factory, day)
    context = {
        "day": day.isoformat(),
        "today": today.isoformat(),
        "previous": (day - timedelta(days=1)).isoformat(),
        "next": (day + timedelta(days=1)).isoformat() if day < today else None,
        "five": _view(stored[briefs.BriefKind.DAILY_FIVE]),
        "enterprise": _view(stored[briefs.BriefKind.ENTERPRISE]),
        "error": error,
    }
    return render(request, "briefs.html", context, user=user, status_code=422 if error else 200)


@router.post("/briefs/generate")
def regenerate(request: Request, user: StaffUser, factory: Factory, form: CheckedForm) -> Response:
    require_feature(user, "briefs")
    day = parse_day(str(form.get("date") or ""), default=now().date())
    with transaction(factory) as session:
        briefs.generate(session, day, user)
    flash(request, f"已重新生成 {day.isoformat()} 的每日简报")
    return redirect(f"/briefs?date={day.isoformat()}")


@router.get("/briefs/{day}/{kind}.docx")
def brief_docx(
    day: Annotated[str, Path(max_length=10)],
    kind: Annotated[str, Path(max_length=16)],
    user: StaffUser,
    factory: Factory,
) -> Response:
    require_feature(user, "briefs")
    try:
        chosen = briefs.BriefKind(kind)
    except ValueError:
        raise NotFound("没有这种简报") from None
    brief = _stored_or_built(factory, parse_day(day, default=now().date()))[chosen]
    name = filename(brief.content)
    return download(render_docx(brief.content), DOCX, "brief.docx", name)
