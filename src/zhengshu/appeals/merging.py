"""并案: merging appeals about the same matter into a main appeal, and closing them with it.

A merged appeal keeps its appellant and its number, points at its main appeal (merged_into_id) and
leaves every queue (status MERGED). The main appeal's handling answers for all: when the main appeal
is approved and closed, each appeal merged into it is closed too, with the main appeal's reply
copied, so every appellant sees the answer on the public tracking page and gets a follow-up call.
Every step is a transition of the workflow table, audited on both appeals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from zhengshu import audit
from zhengshu.appeals.access import get_readable
from zhengshu.appeals.handling import MAX_NOTE, step
from zhengshu.appeals.intake import actor_label
from zhengshu.appeals.models import Appeal, ExtensionRequest
from zhengshu.appeals.queries import by_number
from zhengshu.appeals.vocabulary import ExtensionStatus
from zhengshu.appeals.workflow import Action, Status
from zhengshu.clock import now
from zhengshu.errors import Conflict, IllegalTransition, InvalidInput
from zhengshu.org.models import User

MAX_MERGED_AT_ONCE = 50


def _main(session: Session, main_number: str, actor: User) -> Appeal:
    number = (main_number or "").strip()
    if not number:
        raise InvalidInput("请选择主件（并入哪一件诉求）", errors={"main": "必填"})
    main = get_readable(by_number(session, number), actor)
    if main.status == Status.MERGED.value:
        raise IllegalTransition(f"诉求 {main.number} 本身已并案，请并入它的主件")
    if main.status == Status.CLOSED.value:
        raise IllegalTransition(f"主件 {main.number} 已办结，不能再并入；如问题仍未解决，请对主件发起重办")
    return main


def merge(
    session: Session,
    appeal_id: int,
    actor: User,
    *,
    main_number: str,
    reason: str | None = None,
    expected_version: int | None = None,
) -> Appeal:
    """Merge one appeal into the main appeal named by its number, in the caller's transaction."""
    note = (reason or "").strip()[:MAX_NOTE]
    data: dict[str, Any] = {"reason": note} if note else {}
    with step(session, appeal_id, Action.MERGE, actor, expected_version, data) as s:
        # The main appeal is looked at once the merge itself is allowed: who may not merge learns
        # nothing about other appeals.
        main = _main(session, main_number, actor)
        if main.id == appeal_id:
            raise InvalidInput("不能把诉求并入它自己", errors={"main": "不能是本诉求"})
        data["main"] = main.number
        s.appeal.merged_into_id = main.id
        withdrawn = _withdraw_pending_extension(session, appeal_id, s.at)
        if withdrawn is not None:
            data["withdrawn_extension"] = withdrawn
    # Appeals merged into this one follow it into the new main appeal: closure must reach them.
    followers = list(session.scalars(select(Appeal.id).where(Appeal.merged_into_id == appeal_id)))
    if followers:
        session.execute(update(Appeal).where(Appeal.id.in_(followers)).values(merged_into_id=main.id))
        audit.record_many(
            session,
            "appeal.merge_moved",
            "appeal",
            [(follower, {"from": s.appeal.number, "main": main.number}) for follower in followers],
            actor_id=actor.id,
            actor_labels=[actor_label(actor, "系统")] * len(followers),
            at=s.at,
        )
    _touch_main(session, main, s.appeal, followers, actor, note)
    return s.appeal


def merge_into(
    session: Session,
    main_number: str,
    appeal_numbers: Sequence[str],
    actor: User,
    *,
    reason: str | None = None,
) -> list[Appeal]:
    """Merge several appeals into one main appeal: all of them or, on any refusal, none."""
    numbers = [n.strip() for n in dict.fromkeys(appeal_numbers) if n and n.strip()]
    numbers = [n for n in numbers if n != (main_number or "").strip()]
    if not numbers:
        raise InvalidInput("请选择要并入主件的诉求", errors={"merged": "至少选择一件"})
    if len(numbers) > MAX_MERGED_AT_ONCE:
        raise InvalidInput(f"一次最多并入 {MAX_MERGED_AT_ONCE} 件诉求", errors={"merged": "太多"})
    merged = []
    for number in numbers:
        appeal = get_readable(by_number(session, number), actor)
        merged.append(merge(session, appeal.id, actor, main_number=main_number, reason=reason))
    return merged


def _withdraw_pending_extension(session: Session, appeal_id: int, at: Any) -> int | None:
    """Withdraws the appeal's pending extension request, if any; its id."""
    pending = session.scalar(
        select(ExtensionRequest).where(
            ExtensionRequest.appeal_id == appeal_id, ExtensionRequest.status == ExtensionStatus.PENDING.value
        )
    )
    if pending is not None:
        pending.status = ExtensionStatus.WITHDRAWN.value
        pending.decided_at = at
        return pending.id
    return None


def _touch_main(
    session: Session, main: Appeal, merged: Appeal, followers: list[int], actor: User, note: str
) -> None:
    """Record the merge on the main appeal and bump its version: an approval of the main appeal
    running at the same moment then fails with a conflict instead of missing this appeal."""
    moment = now()
    main.updated_at = moment
    try:
        session.flush()
    except StaleDataError:
        raise Conflict("主件已被他人同时处理，请刷新后再操作") from None
    data: dict[str, Any] = {"merged": merged.number}
    if followers:
        data["followers"] = len(followers)
    if note:
        data["reason"] = note
    audit.record(
        session,
        "appeal.merge_received",
        "appeal",
        main.id,
        actor_id=actor.id,
        actor_label=actor_label(actor, "系统"),
        data=data,
        at=moment,
    )


def merged_into(session: Session, main_id: int) -> list[Appeal]:
    """The appeals merged into the main appeal, oldest first."""
    return list(session.scalars(select(Appeal).where(Appeal.merged_into_id == main_id).order_by(Appeal.id)))


def close_with_main(session: Session, main: Appeal, actor: User) -> int:
    """Close every appeal still merged into the main appeal with its reply; returns how many.

    Called by the main appeal's approval, in its transaction."""
    waiting = [a.id for a in merged_into(session, main.id) if a.status == Status.MERGED.value]
    for appeal_id in waiting:
        close_one_with_main(session, appeal_id, actor)
    return len(waiting)


def close_one_with_main(session: Session, appeal_id: int, actor: User) -> Appeal:
    """Close a merged appeal with its main appeal's reply (the transition CLOSE_WITH_MAIN)."""
    data: dict[str, Any] = {}
    with step(session, appeal_id, Action.CLOSE_WITH_MAIN, actor, data=data) as s:
        main = session.get_one(Appeal, s.appeal.merged_into_id)
        data["main"] = main.number
        s.appeal.reply = main.reply
        s.appeal.replied_at = main.replied_at or s.at
        s.appeal.closed_at = s.at
    return s.appeal
