"""Demo content: a login per role and a few hundred Longgang appeals walked through the real workflow.

The plan of what happens to each appeal, and when, is made in `demo_plan`; the staff who act in it
come from `demo_staff`. This module loads the plan.

Historical times. The workflow services stamp `now()` on every step, but demo appeals must look
as if they had been filed and handled over the last weeks. Rather than adding a clock parameter
to every service or patching the clock process-wide (which a web process serving requests at the
same time would see), the loader runs each step through the real service, so permissions,
transitions, co-handlers, extensions and audit events are exactly those of production, and then
moves what that service stamped to the simulated moment: the appeal's times, its extension
requests, co-handler opinions and supervision notices, the audit events, and the deadlines,
recomputed with `rules.deadlines` from the simulated dispatch (or reopen) moment; an approved
extension is counted by the service itself from the deadline already moved. The appeal number is
moved too, since its date prefix is the day of intake (see `_renumber`). Nothing outside the demo
modules changes for the demo.

Demo appeals carry external ids DEMO-0001, …, so loading twice creates nothing new.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from zhengshu.appeals import handling
from zhengshu.appeals.demo_plan import (
    EXTERNAL_ID_PREFIX,
    STAFF_CHANNELS,
    Move,
    PlannedAppeal,
    Reference,
    plan_demo,
)
from zhengshu.appeals.demo_staff import (
    DEMO_PASSWORD,
    STAFF_USERNAME,
    Cast,
    DemoLogin,
    StaffPassword,
    ensure_logins,
)
from zhengshu.appeals.demo_templates import ensure_demo_templates
from zhengshu.appeals.intake import submit_appeal
from zhengshu.appeals.models import Appeal
from zhengshu.appeals.numbers import next_number
from zhengshu.appeals.rules import AppealRules
from zhengshu.appeals.supervision import issue_overdue_notices
from zhengshu.appeals.workflow import Action, Status
from zhengshu.audit import AuditEvent
from zhengshu.clock import local, now
from zhengshu.db import transaction
from zhengshu.errors import InvalidInput
from zhengshu.org.models import User

# The public entry point; DEMO_PASSWORD is re-exported so callers need not know of demo_staff.
__all__ = ["DEMO_PASSWORD", "DemoSummary", "load_demo"]

BATCH_SIZE = 100


@dataclass(frozen=True)
class DemoSummary:
    logins: list[DemoLogin]
    users_created: int
    appeals_created: int
    appeals_existing: int
    # Every demo appeal in the database by status value, in workflow order.
    status_counts: dict[str, int]
    overdue_notices: int

    @property
    def appeals_total(self) -> int:
        return sum(self.status_counts.values())

    def describe(self) -> str:
        statuses = "，".join(f"{Status(s).label} {n}" for s, n in self.status_counts.items() if n)
        return (
            f"共 {self.appeals_total} 条（本次新建 {self.appeals_created} 条）：{statuses}；"
            f"新建账号 {self.users_created} 个，超期督办单 {self.overdue_notices} 张。"
            f"其他部门的承办人账号为 {STAFF_USERNAME.format(code='部门代码')}（如 staff_jyj），密码同上"
        )


@dataclass
class Walk:
    session: Session
    cast: Cast
    rules: AppealRules

    def lead_handler(self, appeal: Appeal) -> User:
        assert appeal.lead_department is not None
        return self.cast.handler(appeal.lead_department.code)


def _dispatch(w: Walk, appeal: Appeal, move: Move) -> None:
    assert move.department is not None
    handling.dispatch(
        w.session,
        appeal.id,
        w.cast.dispatcher,
        w.rules,
        department_code=move.department,
        co_department_codes=move.co_departments,
        category=move.category,
    )
    accept_due = w.rules.deadlines.accept_deadline(move.at, appeal.urgency)
    due = w.rules.deadlines.handle_deadline(move.at, appeal.type, appeal.urgency)
    appeal.dispatched_at = move.at
    appeal.accept_due_at, appeal.due_at = accept_due.at, due.at
    appeal.due_estimated = accept_due.estimated or due.estimated


def _accept(w: Walk, appeal: Appeal, move: Move) -> None:
    handling.accept(w.session, appeal.id, w.lead_handler(appeal))
    appeal.accepted_at = move.at


def _return(w: Walk, appeal: Appeal, move: Move) -> None:
    handling.return_appeal(w.session, appeal.id, w.lead_handler(appeal), reason=move.text or "")


def _co_opinion(w: Walk, appeal: Appeal, move: Move) -> None:
    assert move.department is not None
    handler = w.cast.handler(move.department)
    handling.co_handler_opinion(w.session, appeal.id, handler, opinion=move.text or "")
    for co in appeal.co_handlers:
        if co.department.code == move.department:
            co.replied_at = move.at


def _request_extension(w: Walk, appeal: Appeal, move: Move) -> None:
    handler = w.lead_handler(appeal)
    request = handling.request_extension(
        w.session, appeal.id, handler, days=move.days, reason=move.text or ""
    )
    request.requested_at = move.at


def _decide_extension(w: Walk, appeal: Appeal, move: Move) -> None:
    request = handling.decide_extension(
        w.session, appeal.id, w.cast.supervisor, w.rules, approve=move.approve, note=move.text
    )
    request.decided_at = move.at


def _supervise(w: Walk, appeal: Appeal, move: Move) -> None:
    notice = handling.supervise(w.session, appeal.id, w.cast.supervisor, message=move.text or "")
    notice.issued_at = move.at


def _reply(w: Walk, appeal: Appeal, move: Move) -> None:
    handling.reply(w.session, appeal.id, w.lead_handler(appeal), text=move.text or "")
    appeal.replied_at = move.at


def _send_back(w: Walk, appeal: Appeal, move: Move) -> None:
    handling.send_back(w.session, appeal.id, w.cast.reviewer, reason=move.text or "")


def _approve(w: Walk, appeal: Appeal, move: Move) -> None:
    handling.approve(w.session, appeal.id, w.cast.reviewer, note=move.text)
    appeal.closed_at = move.at


def _follow_up(w: Walk, appeal: Appeal, move: Move) -> None:
    assert move.satisfaction is not None
    handling.follow_up(w.session, appeal.id, w.cast.operator, satisfaction=move.satisfaction, note=move.text)


def _reopen(w: Walk, appeal: Appeal, move: Move) -> None:
    handling.reopen(w.session, appeal.id, w.cast.reviewer, w.rules, reason=move.text or "")
    due = w.rules.deadlines.handle_deadline(move.at, appeal.type, appeal.urgency)
    appeal.due_at, appeal.due_estimated = due.at, due.estimated


# Each runs the service for its action, then moves what the service stamped to the move's moment.
PERFORMERS: dict[Action, Callable[[Walk, Appeal, Move], None]] = {
    Action.DISPATCH: _dispatch,
    Action.ACCEPT: _accept,
    Action.RETURN: _return,
    Action.CO_HANDLER_OPINION: _co_opinion,
    Action.REQUEST_EXTENSION: _request_extension,
    Action.DECIDE_EXTENSION: _decide_extension,
    Action.SUPERVISE: _supervise,
    Action.REPLY: _reply,
    Action.SEND_BACK: _send_back,
    Action.APPROVE: _approve,
    Action.FOLLOW_UP: _follow_up,
    Action.REOPEN: _reopen,
}


def _file(w: Walk, planned: PlannedAppeal) -> Appeal | None:
    staff = planned.draft.channel in STAFF_CHANNELS
    appeal, created = submit_appeal(w.session, planned.draft, actor=w.cast.operator if staff else None)
    if not created:
        return None
    appeal.created_at = appeal.updated_at = planned.created_at
    for move in planned.moves:
        PERFORMERS[move.action](w, appeal, move)
        appeal.updated_at = move.at
    return appeal


def _renumber(session: Session, filed: list[tuple[Appeal, PlannedAppeal]]) -> None:
    """Give each appeal a number of its simulated day of intake, in order of intake. The numbers
    intake took on the real day stay unused, a gap as a sequence would leave."""
    for appeal, planned in sorted(filed, key=lambda pair: pair[1].created_at):
        appeal.number = next_number(session, planned.created_at.date())
    session.flush()


def _restamp_events(session: Session, filed: list[tuple[Appeal, PlannedAppeal]]) -> None:
    """The audit events of each appeal, one per service call, get the simulated moments."""
    events: dict[int, list[AuditEvent]] = defaultdict(list)
    query = (
        select(AuditEvent)
        .where(AuditEvent.subject_type == "appeal", AuditEvent.subject_id.in_([a.id for a, _ in filed]))
        .order_by(AuditEvent.id)
    )
    for event in session.scalars(query):
        events[event.subject_id].append(event)
    for appeal, planned in filed:
        moments = [planned.created_at, *(move.at for move in planned.moves)]
        recorded = events[appeal.id]
        if len(recorded) != len(moments):
            raise RuntimeError(f"演示诉求 {planned.draft.external_id} 的事件数与计划不符")
        for event, moment in zip(recorded, moments, strict=True):
            event.at = moment
        recorded[0].data = {**recorded[0].data, "number": appeal.number}


def _load_batch(
    session: Session, batch: Sequence[PlannedAppeal], rules: AppealRules, staff_password: StaffPassword
) -> tuple[int, int]:
    """Files the batch; returns (appeals filed, staff accounts created)."""
    walk = Walk(session, Cast(session, staff_password), rules)
    filed = [(appeal, planned) for planned in batch if (appeal := _file(walk, planned)) is not None]
    if filed:
        session.flush()
        _renumber(session, filed)
        _restamp_events(session, filed)
    return len(filed), walk.cast.created


def _existing_external_ids(session: Session) -> set[str]:
    query = select(Appeal.external_id).where(Appeal.external_id.like(f"{EXTERNAL_ID_PREFIX}%"))
    return {external_id for external_id in session.scalars(query) if external_id}


def _status_counts(session: Session) -> dict[str, int]:
    query = (
        select(Appeal.status, func.count())
        .where(Appeal.external_id.like(f"{EXTERNAL_ID_PREFIX}%"))
        .group_by(Appeal.status)
    )
    counts = dict(session.execute(query).tuples().all())
    return {status.value: counts.get(status.value, 0) for status in Status}


def load_demo(
    factory: sessionmaker[Session],
    rules: AppealRules,
    *,
    appeals: int = 400,
    days: int = 60,
    seed: int = 7,
    today: datetime | None = None,
) -> DemoSummary:
    """Demo logins and `appeals` appeals spread over the last `days` days, at every stage of the
    workflow. Idempotent: existing accounts and demo appeals are kept as they are."""
    if appeals < 0 or not 1 <= days <= 3650:
        raise InvalidInput("诉求数不能为负，天数须在 1 到 3650 之间")
    moment = (local(today) if today else now()).replace(microsecond=0)
    with transaction(factory) as session:
        logins, users_created = ensure_logins(session)
        reference = Reference.load(session)
        existing = _existing_external_ids(session)
    plan = plan_demo(reference, rules, appeals=appeals, days=days, seed=seed, today=moment)
    missing = [p for p in plan if p.draft.external_id not in existing]
    created = 0
    staff_password = StaffPassword()
    for start in range(0, len(missing), BATCH_SIZE):
        with transaction(factory) as session:
            filed, staff = _load_batch(session, missing[start : start + BATCH_SIZE], rules, staff_password)
        created += filed
        users_created += staff
    with transaction(factory) as session:
        notices = issue_overdue_notices(session, at=moment)
        counts = _status_counts(session)
        ensure_demo_templates(session)
    return DemoSummary(logins, users_created, created, appeals - len(missing), counts, notices)
