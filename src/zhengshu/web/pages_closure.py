"""The closed-on-paper audit on the web: the queue (/audit/closure) with scores, reasons and the reply's
boilerplate highlighted, the reviewer's redo/clear decisions, and the panel on the appeal page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from zhengshu.appeals import closure_review, queries
from zhengshu.appeals.access import get_readable
from zhengshu.appeals.closure_audit import ClosureAudit as Scored
from zhengshu.appeals.models import Appeal
from zhengshu.appeals.presenters import free_text
from zhengshu.appeals.workflow import Status
from zhengshu.db import transaction
from zhengshu.errors import DomainError
from zhengshu.org.models import User
from zhengshu.org.roles import Permission, has_permission
from zhengshu.web.deps import Factory, Rules
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

Number = Annotated[str, Path(max_length=16)]
QUEUE = "/audit/closure"


def reply_segments(scored: Scored, appeal: Appeal, user: User) -> list[dict[str, Any]]:
    """The reply cut into plain text and formula, each piece masked as the viewer may see it."""
    text = scored.reply_text
    pieces: list[dict[str, Any]] = []
    position = 0
    for start, end in scored.formula_spans:
        if start > position:
            pieces.append({"text": free_text(text[position:start], appeal, user), "formula": False})
        pieces.append({"text": free_text(text[start:end], appeal, user), "formula": True})
        position = end
    if position < len(text):
        pieces.append({"text": free_text(text[position:], appeal, user), "formula": False})
    return pieces


def _reasons(scored: Scored) -> list[dict[str, Any]]:
    return [
        {"message": reason.message, "points": round(reason.points, 2), "against": reason.points < 0}
        for reason in scored.reasons
    ]


def closure_panel(session: Session, appeal: Appeal, user: User) -> dict[str, Any] | None:
    """For reviewers on the appeal page: the reply's score and reasons, computed now (read-only)."""
    if not has_permission(user.role, Permission.CLOSURE_AUDIT):
        return None
    if appeal.status not in closure_review.AUDITED_STATUSES or not (appeal.reply or "").strip():
        return None
    scored = closure_review.score_appeal(appeal, closure_review.signals_of(session, appeal))
    stored = closure_review.latest_audit(session, appeal.id)
    current = closure_review.reply_hash(appeal.reply or "")
    decision = stored.decision if stored is not None and stored.reply_hash == current else None
    return {
        "score": scored.score,
        "flagged": scored.flagged,
        "reasons": _reasons(scored),
        "boilerplate_share": scored.boilerplate_share,
        "decision": closure_review.DECISION_LABELS[decision] if decision else None,
        "decision_note": stored.decision_note if decision and stored else None,
        "can_decide": scored.flagged and not decision,
        "redo_label": "审核退回重办" if appeal.status == Status.REPLIED.value else "发起重办",
    }


@router.get(QUEUE)
def closure_queue(request: Request, user: StaffUser, factory: Factory) -> Response:
    require_feature(user, "closure-audit")
    with transaction(factory) as session:
        audited = closure_review.ensure_audits(session, user)
        items = [
            {
                "audit_id": item.audit.id,
                "number": item.appeal.number,
                "title": item.appeal.title,
                "status": Status(item.appeal.status).label,
                "replied_at": item.appeal.replied_at,
                "score": item.audit.score,
                "reasons": _reasons(item.scored),
                "segments": reply_segments(item.scored, item.appeal, user),
                "boilerplate_share": item.scored.boilerplate_share,
                "redo_label": "审核退回重办" if item.appeal.status == Status.REPLIED.value else "发起重办",
            }
            for item in closure_review.queue(session, user)
        ]
    context = {"items": items, "audited": audited, "threshold": closure_review.FLAG_THRESHOLD}
    return render(request, "closure_audit.html", context, user=user)


def _back(form: Any) -> str:
    number = str(form.get("number") or "")
    return f"/appeals/{number}#closure-audit" if form.get("from") == "appeal" and number else QUEUE


@router.post("/audit/closure/appeals/{number}/redo")
def closure_redo(
    request: Request, number: Number, user: StaffUser, factory: Factory, rules: Rules, form: CheckedForm
) -> Response:
    try:
        with transaction(factory) as session:
            appeal = get_readable(queries.by_number(session, number), user)
            row = closure_review.audit_current(session, appeal.id, user)
            if row is None:
                raise closure_review.nothing_to_audit()
            closure_review.send_for_redo(session, row.id, user, rules, note=str(form.get("note") or ""))
    except DomainError as error:
        flash(request, error.message, "error")
        return redirect(_back(form))
    flash(request, f"诉求 {number} 已退回重办")
    return redirect(_back(form))


@router.post("/audit/closure/appeals/{number}/clear")
def closure_clear(
    request: Request, number: Number, user: StaffUser, factory: Factory, form: CheckedForm
) -> Response:
    try:
        with transaction(factory) as session:
            appeal = get_readable(queries.by_number(session, number), user)
            row = closure_review.audit_current(session, appeal.id, user)
            if row is None:
                raise closure_review.nothing_to_audit()
            closure_review.clear_flag(session, row.id, user, note=str(form.get("note") or ""))
    except DomainError as error:
        flash(request, error.message, "error")
        return redirect(_back(form))
    flash(request, f"诉求 {number} 已排除形式办结标记")
    return redirect(_back(form))
