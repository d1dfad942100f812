"""Similar appeals on the appeal's page, with 并案 for dispatchers; the panel of the intake form.

The lists come from zhengshu.appeals.similar, the merges from zhengshu.appeals.merging: the same
functions as the JSON API."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from zhengshu.appeals import merging, queries, similar
from zhengshu.appeals.access import get_readable
from zhengshu.appeals.models import Appeal
from zhengshu.appeals.workflow import Action, Status
from zhengshu.db import transaction
from zhengshu.errors import DomainError
from zhengshu.org.models import User
from zhengshu.org.roles import Permission, has_permission
from zhengshu.web import csrf
from zhengshu.web.deps import Factory
from zhengshu.web.pages_base import PageRoute, PostedForm, StaffUser, flash, redirect

router = APIRouter(route_class=PageRoute, include_in_schema=False)

Number = Annotated[str, Path(max_length=16)]
# How the combined score is made, said where the dispatcher acts on it.
SCORE_NOTE = similar.SCORE_EXPLANATION


def may_merge(user: User) -> bool:
    return has_permission(user.role, Permission.APPEAL_DISPATCH)


def similar_panel(session: Session, appeal: Appeal, user: User, actions: list[Action]) -> dict[str, Any]:
    """The context of _similar_appeals.html on an appeal's page."""
    main = session.get(Appeal, appeal.merged_into_id) if appeal.merged_into_id else None
    merged = merging.merged_into(session, appeal.id)
    open_for_merge = appeal.status not in (Status.CLOSED.value, Status.MERGED.value)
    rows = (
        []
        if main is not None
        else similar.present(similar.find_similar(session, similar.probe_of(appeal), viewer=user), user)
    )
    return {
        "similar": {
            "mode": "appeal",
            "rows": rows,
            "note": SCORE_NOTE,
            "main": main.number if main is not None else None,
            "merged": [{"number": a.number, "status_label": Status(a.status).label} for a in merged],
            # Merging others into this one needs it open; merging this one needs the action allowed.
            "can_merge_in": may_merge(user) and open_for_merge,
            "can_merge_self": Action.MERGE in actions,
            "version": appeal.version,
        }
    }


def intake_panel(session: Session, fields: dict[str, str], user: User) -> dict[str, Any]:
    """The context of _similar_appeals.html beside the intake form, from what has been typed."""
    probe = similar.probe_of_fields(session, fields)
    typed = probe.text.strip() or probe.phone
    rows = similar.present(similar.find_similar(session, probe, viewer=user), user) if typed else []
    return {"similar": {"mode": "intake", "rows": rows, "note": SCORE_NOTE, "typed": bool(typed)}}


@router.post("/appeals/{number}/merge-in")
def merge_in(
    request: Request, number: Number, user: StaffUser, factory: Factory, posted: PostedForm
) -> Response:
    """Merge the appeals ticked in the similar list into this one (the main appeal)."""
    chosen = [str(n) for n in posted.getlist("merged")]
    try:
        csrf.check(request, posted)
        with transaction(factory) as session:
            get_readable(queries.by_number(session, number), user)
            done = merging.merge_into(session, number, chosen, user, reason=str(posted.get("reason") or ""))
            message = f"已将 {len(done)} 件诉求并入本件：" + "、".join(a.number for a in done)
    except DomainError as error:
        flash(request, error.message, "error")
        return redirect(f"/appeals/{number}")
    flash(request, message)
    return redirect(f"/appeals/{number}")
