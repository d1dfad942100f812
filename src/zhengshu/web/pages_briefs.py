"""The daily briefs page: 民生诉求每日5条 and 企业诉求每日速报 of a day, with a .docx of each.

A brief the scheduler (or anyone) stored is shown as stored; a day without one is generated on the
first visit. 重新生成 replaces the stored briefs with the present state."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from zhengshu.appeals import briefs
from zhengshu.appeals.brief_docx import filename, render_docx
from zhengshu.appeals.library_models import DailyBrief
from zhengshu.db import reading, transaction
from zhengshu.errors import DomainError, NotFound
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

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DayText = Annotated[str, Query(max_length=20)]


def _stored_or_generated(factory: Factory, day: date, user: User) -> dict[briefs.BriefKind, DailyBrief]:
    with reading(factory) as session:
        found = {kind: briefs.stored(session, day, kind) for kind in briefs.BriefKind}
    if all(found.values()):
        return {kind: brief for kind, brief in found.items() if brief is not None}
    with transaction(factory) as session:
        generated = briefs.generate(session, day, user)
    return {briefs.BriefKind(brief.kind): brief for brief in generated}


def _view(brief: DailyBrief) -> dict[str, Any]:
    return {
        "content": brief.content,
        "generated_at": brief.generated_at,
        "revision": brief.revision,
        "docx": f"/briefs/{brief.day.isoformat()}/{brief.kind}.docx",
    }


@router.get("/briefs")
def briefs_page(request: Request, user: StaffUser, factory: Factory, date: DayText = "") -> Response:
    require_feature(user, "briefs")
    error = None
    try:
        day = briefs.parse_day(date)
    except DomainError as problem:
        error, day = problem.message, briefs.parse_day(None)
    stored = _stored_or_generated(factory, day, user)
    today = briefs.parse_day(None)
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
    day = briefs.parse_day(str(form.get("date") or ""))
    with transaction(factory) as session:
        briefs.generate(session, day, user)
    flash(request, f"已重新生成 {day.isoformat()} 的每日简报")
    return redirect(f"/briefs?date={day.isoformat()}")


@router.get("/briefs/{day}/{kind}.docx")
def download(
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
    brief = _stored_or_generated(factory, briefs.parse_day(day), user)[chosen]
    name = filename(brief.content)
    return Response(
        render_docx(brief.content),
        media_type=DOCX,
        headers={
            "Content-Disposition": f"attachment; filename=\"brief.docx\"; filename*=UTF-8''{quote(name)}",
            "Cache-Control": "no-store",
        },
    )
