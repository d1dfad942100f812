"""The appeal page's panel of classification suggestions (zhengshu.appeals.classification.suggest)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from zhengshu.appeals.classification import suggestion_panel
from zhengshu.appeals.models import Appeal
from zhengshu.appeals.workflow import Action


def dispatch_suggestions(session: Session, appeal: Appeal, actions: Sequence[Action]) -> dict[str, Any]:
    """For whoever may dispatch the appeal, and on an appeal the system dispatched."""
    can_pick = Action.DISPATCH in actions
    panel = suggestion_panel(session, appeal) if can_pick else None
    if panel is None and not can_pick:
        panel = suggestion_panel(session, appeal, only_automatic=True)
    if panel is None:
        return {"dispatch_suggestions": None}
    return {"dispatch_suggestions": {**panel, "can_pick": can_pick}}


def picked_department(context: dict[str, Any], suggestion: int | None) -> str | None:
    """The department of the suggestion chosen with ?suggestion=N (1-based), to prefill the form."""
    panel = context.get("dispatch_suggestions")
    if not panel or suggestion is None or not 1 <= suggestion <= len(panel["suggestions"]):
        return None
    code: str | None = panel["suggestions"][suggestion - 1].department_code
    return code
