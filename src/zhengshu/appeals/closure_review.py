"""The closed-on-paper audit as a service: audit replies, keep the results, and let reviewers act.

Replies are audited lazily, when the audit queue or an appeal page is opened (`ensure_audits`,
`audit_current`), not inside the reply step. Why: the outside signals come later (the follow-up's
不满意, a repeat appeal after closure) and must re-score a reply already audited, so an audit at submit
time would need the same refresh anyway; keeping the workflow's reply step untouched also keeps the
handler's submit fast (segmentation costs tens of milliseconds) and free of a second failure mode.
An audit belongs to one reply text (its SHA-256) and the signals it used; when either changes, the
reply is audited again.

A reviewer decides on a flagged reply: 重办 through the existing workflow actions — 审核退回
(Action.SEND_BACK) while the reply is under review, 重办 (Action.REOPEN) once it is closed — or clears
the flag with a note. Both are recorded on the audit row and in the audit log.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from zhengshu import audit
from zhengshu.appeals import handling
from zhengshu.appeals.access import get_readable, readable_by
from zhengshu.appeals.closure_audit import (
    FLAG_THRESHOLD,
    AppealReply,
    OutsideSignals,
    audit_reply,
    reply_days,
)
from zhengshu.appeals.closure_audit import ClosureAudit as Scored
from zhengshu.appeals.closure_models import ClosureAudit
from zhengshu.appeals.closure_repeats import REPEAT_SIMILARITY, title_similarity
from zhengshu.appeals.intake import actor_label
from zhengshu.appeals.models import Appeal
from zhengshu.appeals.rules import AppealRules
from zhengshu.appeals.vocabulary import Satisfaction
from zhengshu.appeals.workflow import Status
from zhengshu.clock import now
from zhengshu.errors import Conflict, IllegalTransition, InvalidInput, NotFound, PermissionDenied
from zhengshu.org.models import User
from zhengshu.org.roles import Permission, has_permission

__all__ = [
    "DECISION_LABELS",
    "FLAG_THRESHOLD",
    "Decision",
    "QueueItem",
    "audit_current",
    "clear_flag",
    "ensure_audits",
    "queue",
    "send_for_redo",
]

AUDITED_STATUSES = (Status.REPLIED.value, Status.CLOSED.value)
REPEAT_WINDOW = timedelta(days=180)
MAX_REPEAT_CANDIDATES = 200
MAX_NOTE = 2000
REDO_PREFIX = "形式办结审查："


class Decision:
    REDO = "redo"
    CLEARED = "cleared"


DECISION_LABELS = {Decision.REDO: "已退回重办", Decision.CLEARED: "已排除（非形式办结）"}


@dataclass(frozen=True)
class QueueItem:
    audit: ClosureAudit
    appeal: Appeal
    scored: Scored  # recomputed for display: the highlighted formulas of the reply


def reply_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _require_auditor(actor: User) -> None:
    if not has_permission(actor.role, Permission.CLOSURE_AUDIT):
        raise PermissionDenied("无权进行形式办结审查")


def repeat_appeals(session: Session, appeal: Appeal) -> int:
    """Appeals on the same matter filed after this one was replied to, by the same person or place."""
    since = appeal.replied_at or appeal.closed_at
    if since is None:
        return 0
    same_source = [Appeal.appellant_phone == appeal.appellant_phone]
    if appeal.community_id is not None:
        same_source.append(Appeal.community_id == appeal.community_id)
    candidates = session.scalars(
        select(Appeal.title)
        .where(
            Appeal.id != appeal.id,
            Appeal.created_at > since,
            Appeal.created_at <= since + REPEAT_WINDOW,
            or_(*same_source),
        )
        .limit(MAX_REPEAT_CANDIDATES)
    )
    return sum(1 for title in candidates if title_similarity(title, appeal.title) >= REPEAT_SIMILARITY)


def nothing_to_audit() -> IllegalTransition:
    return IllegalTransition("该诉求没有待审核或已办结的答复，无需形式办结审查")


def signals_of(session: Session, appeal: Appeal) -> OutsideSignals:
    return OutsideSignals(
        dissatisfied=appeal.satisfaction == Satisfaction.DISSATISFIED.value,
        repeat_appeals=repeat_appeals(session, appeal),
        reply_days=reply_days(appeal.created_at, appeal.replied_at),
    )


def score_appeal(appeal: Appeal, signals: OutsideSignals | None = None) -> Scored:
    return audit_reply(
        AppealReply(appeal.title, appeal.content, appeal.reply or "", signals or OutsideSignals())
    )


def latest_audit(session: Session, appeal_id: int) -> ClosureAudit | None:
    return session.scalars(
        select(ClosureAudit)
        .where(ClosureAudit.appeal_id == appeal_id)
        .order_by(ClosureAudit.id.desc())
        .limit(1)
    ).first()


def _store(session: Session, appeal: Appeal) -> ClosureAudit:
    """Audit the appeal's reply unless the stored audit already used this reply and these signals."""
    text = appeal.reply or ""
    digest = reply_hash(text)
    signals = signals_of(session, appeal)
    row = session.scalars(
        select(ClosureAudit).where(ClosureAudit.appeal_id == appeal.id, ClosureAudit.reply_hash == digest)
    ).first()
    if row is not None and (row.dissatisfied, row.repeat_appeals) == (
        signals.dissatisfied,
        signals.repeat_appeals,
    ):
        return row
    scored = score_appeal(appeal, signals)
    fresh = row is None
    if row is None:
        row = ClosureAudit(appeal_id=appeal.id, reply_hash=digest)
        session.add(row)
    row.score = scored.score
    row.flagged = scored.flagged
    row.reasons = [
        {"code": r.code, "message": r.message, "points": round(r.points, 3)} for r in scored.reasons
    ]
    row.boilerplate_share = scored.boilerplate_share
    row.dissatisfied = signals.dissatisfied
    row.repeat_appeals = signals.repeat_appeals
    row.audited_at = now()
    session.flush()
    audit.record(
        session,
        "closure_audit.audited" if fresh else "closure_audit.reaudited",
        "appeal",
        appeal.id,
        actor_id=None,
        actor_label="系统",
        data={
            "audit": row.id,
            "score": row.score,
            "flagged": row.flagged,
            "reasons": [r.code for r in scored.reasons],
        },
    )
    return row


def audit_current(session: Session, appeal_id: int, actor: User) -> ClosureAudit | None:
    """The current audit of the appeal's reply for a reviewer; None when there is no reply to audit."""
    _require_auditor(actor)
    appeal = get_readable(session.get(Appeal, appeal_id), actor)
    if not (appeal.reply or "").strip() or appeal.status not in AUDITED_STATUSES:
        return None
    return _store(session, appeal)


def ensure_audits(session: Session, actor: User, *, limit: int = 200) -> int:
    """Audit the most recent replies under review or closed that have no audit of their current text."""
    _require_auditor(actor)
    appeals = session.scalars(
        select(Appeal)
        .where(Appeal.status.in_(AUDITED_STATUSES), Appeal.reply.is_not(None), readable_by(actor))
        .order_by(Appeal.replied_at.desc().nulls_last(), Appeal.id.desc())
        .limit(limit)
    ).all()
    known = {
        (appeal_id, digest)
        for appeal_id, digest in session.execute(
            select(ClosureAudit.appeal_id, ClosureAudit.reply_hash).where(
                ClosureAudit.appeal_id.in_([a.id for a in appeals])
            )
        )
    }
    audited = 0
    for appeal in appeals:
        signals_may_change = appeal.status == Status.CLOSED.value
        if (appeal.id, reply_hash(appeal.reply or "")) not in known or signals_may_change:
            before = latest_audit(session, appeal.id)
            row = _store(session, appeal)
            audited += int(before is None or row.audited_at != before.audited_at or row.id != before.id)
    return audited


def queue(session: Session, actor: User) -> list[QueueItem]:
    """Flagged replies awaiting a reviewer's decision, highest score first."""
    _require_auditor(actor)
    latest = select(func.max(ClosureAudit.id)).group_by(ClosureAudit.appeal_id).scalar_subquery()
    rows = session.scalars(
        select(ClosureAudit)
        .join(Appeal, Appeal.id == ClosureAudit.appeal_id)
        .where(
            ClosureAudit.id.in_(latest),
            ClosureAudit.flagged.is_(True),
            ClosureAudit.decision.is_(None),
            Appeal.status.in_(AUDITED_STATUSES),
            readable_by(actor),
        )
        .order_by(ClosureAudit.score.desc(), ClosureAudit.id)
    ).all()
    return [QueueItem(row, row.appeal, score_appeal(row.appeal)) for row in rows]


def _open_decision(session: Session, audit_id: int, actor: User) -> ClosureAudit:
    _require_auditor(actor)
    row = session.get(ClosureAudit, audit_id)
    if row is None:
        raise NotFound("审查记录不存在")
    get_readable(row.appeal, actor)
    if row.decision is not None:
        raise Conflict("该审查记录已处理，请刷新后查看")
    latest = latest_audit(session, row.appeal_id)
    if latest is None or latest.id != row.id or row.reply_hash != reply_hash(row.appeal.reply or ""):
        raise Conflict("该诉求的答复已更新，本条审查已过时，请刷新后查看")
    return row


def _note(note: str | None, label: str) -> str:
    text = (note or "").strip()
    if not text:
        raise InvalidInput(f"请填写{label}", errors={"note": "必填"})
    if len(text) > MAX_NOTE:
        raise InvalidInput(f"{label}不能超过 {MAX_NOTE} 字", errors={"note": "太长"})
    return text


def _decide(session: Session, row: ClosureAudit, actor: User, decision: str, note: str) -> None:
    row.decision = decision
    row.decision_note = note
    row.decided_by_id = actor.id
    row.decided_at = now()
    session.flush()
    audit.record(
        session,
        f"closure_audit.{decision}",
        "appeal",
        row.appeal_id,
        actor_id=actor.id,
        actor_label=actor_label(actor, "系统"),
        data={"audit": row.id, "score": row.score, "note": note},
    )


def send_for_redo(
    session: Session, audit_id: int, actor: User, rules: AppealRules, *, note: str | None
) -> Appeal:
    """重办: send the reply back while under review, reopen it once closed; the note is the reason."""
    row = _open_decision(session, audit_id, actor)
    text = _note(note, "重办意见")
    reason = f"{REDO_PREFIX}{text}"
    appeal = row.appeal
    if appeal.status == Status.REPLIED.value:
        handling.send_back(session, appeal.id, actor, reason=reason)
    elif appeal.status == Status.CLOSED.value:
        handling.reopen(session, appeal.id, actor, rules, reason=reason)
    else:
        raise IllegalTransition(f"诉求当前状态为“{Status(appeal.status).label}”，不能发起重办")
    _decide(session, row, actor, Decision.REDO, text)
    return appeal


def clear_flag(session: Session, audit_id: int, actor: User, *, note: str | None) -> ClosureAudit:
    """The reviewer finds the reply substantive after all: the flag is cleared, with the reason."""
    row = _open_decision(session, audit_id, actor)
    _decide(session, row, actor, Decision.CLEARED, _note(note, "排除理由"))
    return row
