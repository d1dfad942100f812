"""The workflow's use cases: one function per action, each checked, audited and conflict-safe."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from zhengshu import audit
from zhengshu.appeals.access import get_readable
from zhengshu.appeals.intake import actor_label
from zhengshu.appeals.models import Appeal, CoHandler, ExtensionRequest, SupervisionNotice
from zhengshu.appeals.rules import AppealRules
from zhengshu.appeals.vocabulary import CATEGORIES, ExtensionStatus, NoticeKind, Satisfaction
from zhengshu.appeals.workflow import ACTION_ROLES, LEAD_DEPARTMENT_ACTIONS, Action, Status, next_status
from zhengshu.clock import now
from zhengshu.errors import Conflict, IllegalTransition, InvalidInput, PermissionDenied
from zhengshu.org.models import User
from zhengshu.org.roles import Role
from zhengshu.org.services import find_department

MAX_NOTE = 2000
MAX_REPLY = 5000
MAX_EXTENSION_DAYS = 30


@dataclass
class Step:
    """An action under way: the appeal, the status it moves to, and the moment."""

    appeal: Appeal
    action: Action
    actor: User
    target: Status
    at: datetime


def _require_text(value: str | None, field: str, label: str, limit: int = MAX_NOTE) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInput(f"请填写{label}", errors={field: "必填"})
    if len(text) > limit:
        raise InvalidInput(f"{label}不能超过 {limit} 字", errors={field: "太长"})
    return text


def check_actor(appeal: Appeal, action: Action, actor: User) -> None:
    role = Role(actor.role)
    if role not in ACTION_ROLES[action]:
        raise PermissionDenied(f"{role.label}无权执行“{action.label}”")
    if role is not Role.HANDLER:
        return
    if action in LEAD_DEPARTMENT_ACTIONS and appeal.lead_department_id != actor.department_id:
        raise PermissionDenied(f"只有主办单位可以{action.label}")
    if action is Action.CO_HANDLER_OPINION and actor.department_id not in {
        c.department_id for c in appeal.co_handlers
    }:
        raise PermissionDenied("只有协办单位可以提交协办意见")


@contextmanager
def step(
    session: Session,
    appeal_id: int,
    action: Action,
    actor: User,
    expected_version: int | None = None,
    data: dict[str, Any] | None = None,
) -> Iterator[Step]:
    """Load and check, let the caller change the appeal, then record the transition.

    The version check turns a stale form (someone acted since it was loaded) and a concurrent
    update (someone acted at the same moment) into the same Conflict."""
    appeal = get_readable(session.get(Appeal, appeal_id), actor)
    if expected_version is not None and appeal.version != expected_version:
        raise Conflict("该诉求已被他人更新，请刷新后再操作")
    check_actor(appeal, action, actor)
    current = Status(appeal.status)
    target = next_status(current, action)
    moment = now()
    current_step = Step(appeal, action, actor, target, moment)
    event_data = data if data is not None else {}
    try:
        # One UPDATE of the appeal per action: nothing is flushed until the caller is done.
        with session.no_autoflush:
            yield current_step
            appeal.status = target.value
            appeal.updated_at = moment
        session.flush()
    except StaleDataError:
        raise Conflict("该诉求已被他人同时处理，请刷新后再操作") from None
    audit.record(
        session,
        action.event,
        "appeal",
        appeal.id,
        actor_id=actor.id,
        actor_label=actor_label(actor, "系统"),
        data={"from": current.value, "to": target.value, **event_data},
        at=moment,
    )


def _pending_extension(session: Session, appeal_id: int) -> ExtensionRequest | None:
    return session.scalar(
        select(ExtensionRequest).where(
            ExtensionRequest.appeal_id == appeal_id, ExtensionRequest.status == ExtensionStatus.PENDING.value
        )
    )


def dispatch(
    session: Session,
    appeal_id: int,
    actor: User,
    rules: AppealRules,
    *,
    department_code: str,
    co_department_codes: Sequence[str] = (),
    category: str | None = None,
    note: str | None = None,
    expected_version: int | None = None,
) -> Appeal:
    lead = find_department(session, department_code)
    co_departments = [find_department(session, code) for code in dict.fromkeys(co_department_codes)]
    if any(d.id == lead.id for d in co_departments):
        raise InvalidInput("主办单位不能同时是协办单位", errors={"co_departments": "与主办单位重复"})
    if category is not None and category not in CATEGORIES:
        raise InvalidInput(f"未知分类“{category}”", errors={"category": "未知分类"})
    data: dict[str, Any] = {"department": lead.code, "co_departments": [d.code for d in co_departments]}
    if note:
        data["note"] = _require_text(note, "note", "分拨说明")
    with step(session, appeal_id, Action.DISPATCH, actor, expected_version, data) as s:
        appeal = s.appeal
        appeal.lead_department = lead
        appeal.lead_department_id = lead.id
        appeal.co_handlers = [CoHandler(department_id=d.id, department=d) for d in co_departments]
        if category:
            appeal.category = category
        appeal.dispatched_at = s.at
        accept_due = rules.deadlines.accept_deadline(s.at, appeal.urgency)
        due = rules.deadlines.handle_deadline(s.at, appeal.type, appeal.urgency)
        appeal.accept_due_at = accept_due.at
        appeal.due_at = due.at
        appeal.due_estimated = due.estimated or accept_due.estimated
        appeal.accepted_at = None
    return appeal


def accept(session: Session, appeal_id: int, actor: User, *, expected_version: int | None = None) -> Appeal:
    with step(session, appeal_id, Action.ACCEPT, actor, expected_version) as s:
        s.appeal.accepted_at = s.at
    return s.appeal


def return_appeal(
    session: Session, appeal_id: int, actor: User, *, reason: str, expected_version: int | None = None
) -> Appeal:
    reason = _require_text(reason, "reason", "退回理由")
    department = actor.department.name if actor.department else ""
    with step(
        session, appeal_id, Action.RETURN, actor, expected_version, {"reason": reason, "by": department}
    ) as s:
        s.appeal.lead_department = None
        s.appeal.lead_department_id = None
        s.appeal.co_handlers = []
        s.appeal.accept_due_at = None
        s.appeal.due_at = None
    return s.appeal


def co_handler_opinion(
    session: Session, appeal_id: int, actor: User, *, opinion: str, expected_version: int | None = None
) -> Appeal:
    opinion = _require_text(opinion, "opinion", "协办意见", MAX_REPLY)
    with step(session, appeal_id, Action.CO_HANDLER_OPINION, actor, expected_version) as s:
        own = [c for c in s.appeal.co_handlers if c.department_id == actor.department_id]
        waiting = [c for c in s.appeal.co_handlers if c.opinion is None]
        candidates = own or (waiting if actor.role == Role.ADMIN else [])
        if not candidates:
            raise IllegalTransition("该诉求没有等待提交意见的协办单位")
        target = candidates[0]
        target.opinion = opinion
        target.replied_at = s.at
    return s.appeal


def request_extension(
    session: Session,
    appeal_id: int,
    actor: User,
    *,
    days: int,
    reason: str,
    expected_version: int | None = None,
) -> ExtensionRequest:
    reason = _require_text(reason, "reason", "延期理由")
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise InvalidInput(
            f"延期天数须在 1 到 {MAX_EXTENSION_DAYS} 个工作日之间", errors={"days": "超出范围"}
        )
    with step(session, appeal_id, Action.REQUEST_EXTENSION, actor, expected_version, {"days": days}) as s:
        if _pending_extension(session, appeal_id) is not None:
            raise IllegalTransition("已有待审批的延期申请")
        request = ExtensionRequest(
            appeal_id=s.appeal.id,
            days=days,
            reason=reason,
            status=ExtensionStatus.PENDING.value,
            requested_by_id=actor.id,
            requested_at=s.at,
        )
        session.add(request)
    return request


def decide_extension(
    session: Session,
    appeal_id: int,
    actor: User,
    rules: AppealRules,
    *,
    approve: bool,
    note: str | None = None,
    expected_version: int | None = None,
) -> ExtensionRequest:
    data: dict[str, Any] = {"approved": approve}
    with step(session, appeal_id, Action.DECIDE_EXTENSION, actor, expected_version, data) as s:
        request = _pending_extension(session, appeal_id)
        if request is None:
            raise IllegalTransition("没有待审批的延期申请")
        data["days"] = request.days
        request.status = (ExtensionStatus.APPROVED if approve else ExtensionStatus.REJECTED).value
        request.decided_by_id = actor.id
        request.decided_at = s.at
        request.decision_note = (note or "").strip()[:MAX_NOTE] or None
        if approve and s.appeal.due_at is not None:
            extended = rules.deadlines.extend(s.appeal.due_at, request.days)
            s.appeal.due_at = extended.at
            s.appeal.due_estimated = s.appeal.due_estimated or extended.estimated
    return request


def supervise(
    session: Session, appeal_id: int, actor: User, *, message: str, expected_version: int | None = None
) -> SupervisionNotice:
    message = _require_text(message, "message", "督办意见")
    with step(session, appeal_id, Action.SUPERVISE, actor, expected_version, {"message": message}) as s:
        notice = SupervisionNotice(
            appeal_id=s.appeal.id,
            department_id=s.appeal.lead_department_id,
            kind=NoticeKind.MANUAL.value,
            due_at=None,
            message=message,
            issued_at=s.at,
            issued_by_id=actor.id,
        )
        session.add(notice)
    return notice


def reply(
    session: Session, appeal_id: int, actor: User, *, text: str, expected_version: int | None = None
) -> Appeal:
    text = _require_text(text, "text", "答复内容", MAX_REPLY)
    data: dict[str, Any] = {}
    with step(session, appeal_id, Action.REPLY, actor, expected_version, data) as s:
        s.appeal.reply = text
        s.appeal.replied_at = s.at
        # A reply ends the handling; an extension still waiting for a decision has lost its point.
        pending = _pending_extension(session, appeal_id)
        if pending is not None:
            pending.status = ExtensionStatus.WITHDRAWN.value
            pending.decided_at = s.at
            data["withdrawn_extension"] = pending.id
    return s.appeal


def approve(
    session: Session,
    appeal_id: int,
    actor: User,
    *,
    note: str | None = None,
    expected_version: int | None = None,
) -> Appeal:
    data = {"note": note.strip()[:MAX_NOTE]} if note and note.strip() else {}
    with step(session, appeal_id, Action.APPROVE, actor, expected_version, data) as s:
        s.appeal.closed_at = s.at
    # Imported here: merging builds on this module's step().
    from zhengshu.appeals.merging import close_with_main

    close_with_main(session, s.appeal, actor)
    return s.appeal


def send_back(
    session: Session, appeal_id: int, actor: User, *, reason: str, expected_version: int | None = None
) -> Appeal:
    reason = _require_text(reason, "reason", "退回理由")
    with step(session, appeal_id, Action.SEND_BACK, actor, expected_version, {"reason": reason}) as s:
        s.appeal.replied_at = None
    return s.appeal


def follow_up(
    session: Session,
    appeal_id: int,
    actor: User,
    *,
    satisfaction: Satisfaction,
    note: str | None = None,
    expected_version: int | None = None,
) -> Appeal:
    data: dict[str, Any] = {"satisfaction": satisfaction.value}
    if note and note.strip():
        data["note"] = note.strip()[:MAX_NOTE]
    with step(session, appeal_id, Action.FOLLOW_UP, actor, expected_version, data) as s:
        if s.appeal.satisfaction is not None:
            # Satisfaction feeds assessment: once recorded it changes only through a reopen.
            raise IllegalTransition("该诉求已回访，如需重新处理请发起重办")
        s.appeal.satisfaction = satisfaction.value
    return s.appeal


def reopen(
    session: Session,
    appeal_id: int,
    actor: User,
    rules: AppealRules,
    *,
    reason: str,
    expected_version: int | None = None,
) -> Appeal:
    reason = _require_text(reason, "reason", "重办理由")
    with step(session, appeal_id, Action.REOPEN, actor, expected_version, {"reason": reason}) as s:
        appeal = s.appeal
        appeal.reopen_count += 1
        appeal.closed_at = None
        appeal.replied_at = None
        appeal.satisfaction = None
        due = rules.deadlines.handle_deadline(s.at, appeal.type, appeal.urgency)
        appeal.due_at = due.at
        appeal.due_estimated = due.estimated
    return appeal


@dataclass(frozen=True)
class ActionInputs:
    """What a person filled in for an action, whichever form or API it came through."""

    version: int | None = None
    department: str = ""
    co_departments: Sequence[str] = ()
    category: str | None = None
    note: str | None = None
    reason: str = ""
    opinion: str = ""
    days: int = 0
    approve: bool = False
    message: str = ""
    text: str = ""
    satisfaction: Satisfaction | None = None
    # 并案: the number of the main appeal to merge into.
    main: str = ""


def perform(
    session: Session, appeal_id: int, actor: User, rules: AppealRules, action: Action, given: ActionInputs
) -> object:
    """Run the action's use case with the inputs: the one map from an action to its service."""
    v = given.version
    match action:
        case Action.DISPATCH:
            return dispatch(
                session,
                appeal_id,
                actor,
                rules,
                department_code=given.department,
                co_department_codes=given.co_departments,
                category=given.category,
                note=given.note,
                expected_version=v,
            )
        case Action.ACCEPT:
            return accept(session, appeal_id, actor, expected_version=v)
        case Action.RETURN:
            return return_appeal(session, appeal_id, actor, reason=given.reason, expected_version=v)
        case Action.CO_HANDLER_OPINION:
            return co_handler_opinion(session, appeal_id, actor, opinion=given.opinion, expected_version=v)
        case Action.REQUEST_EXTENSION:
            return request_extension(
                session, appeal_id, actor, days=given.days, reason=given.reason, expected_version=v
            )
        case Action.DECIDE_EXTENSION:
            return decide_extension(
                session, appeal_id, actor, rules, approve=given.approve, note=given.note, expected_version=v
            )
        case Action.SUPERVISE:
            return supervise(session, appeal_id, actor, message=given.message, expected_version=v)
        case Action.REPLY:
            return reply(session, appeal_id, actor, text=given.text, expected_version=v)
        case Action.APPROVE:
            return approve(session, appeal_id, actor, note=given.note, expected_version=v)
        case Action.SEND_BACK:
            return send_back(session, appeal_id, actor, reason=given.reason, expected_version=v)
        case Action.FOLLOW_UP:
            if given.satisfaction is None:
                raise InvalidInput("请选择回访结果", errors={"satisfaction": "请选择"})
            return follow_up(
                session,
                appeal_id,
                actor,
                satisfaction=given.satisfaction,
                note=given.note,
                expected_version=v,
            )
        case Action.REOPEN:
            return reopen(session, appeal_id, actor, rules, reason=given.reason, expected_version=v)
        case Action.MERGE:
            from zhengshu.appeals.merging import merge

            return merge(
                session, appeal_id, actor, main_number=given.main, reason=given.reason, expected_version=v
            )
        case Action.CLOSE_WITH_MAIN:
            raise IllegalTransition("并案的诉求在主件办结时自动办结，不能单独操作")
