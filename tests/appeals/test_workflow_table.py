"""The appeal state machine: the transition table checked exhaustively, then driven for real.

The first half checks workflow.py against the specification below (written out by hand, so a
slip in the table shows up as a difference). The second half is a hypothesis state machine that
drives the real services on the database with random actions by random actors and compares the
stored appeal with an independent model after every step."""

from __future__ import annotations

import itertools
import re
from collections import deque
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from sqlalchemy import func, select
from tests.appeals.helpers import submit

from zhengshu.appeals import handling, merging
from zhengshu.appeals.models import Appeal, ExtensionRequest, SupervisionNotice
from zhengshu.appeals.rules import AppealRules
from zhengshu.appeals.vocabulary import Satisfaction
from zhengshu.appeals.workflow import (
    ACTION_EVENTS,
    ACTION_LABELS,
    ACTION_ROLES,
    AUTOMATIC_ACTIONS,
    LEAD_DEPARTMENT_ACTIONS,
    STATUS_LABELS,
    TRANSITIONS,
    Action,
    Status,
    allowed_actions,
    next_status,
)
from zhengshu.audit import events_for
from zhengshu.db import transaction
from zhengshu.errors import DomainError, IllegalTransition, NotFound, PermissionDenied
from zhengshu.org.roles import Permission, Role, has_permission

S, A = Status, Action

# The specification of the workflow, independent of workflow.py.
SPEC: dict[tuple[Status, Action], Status] = {
    (S.SUBMITTED, A.DISPATCH): S.DISPATCHED,
    (S.RETURNED, A.DISPATCH): S.DISPATCHED,
    (S.DISPATCHED, A.ACCEPT): S.HANDLING,
    (S.DISPATCHED, A.RETURN): S.RETURNED,
    (S.DISPATCHED, A.SUPERVISE): S.DISPATCHED,
    (S.HANDLING, A.CO_HANDLER_OPINION): S.HANDLING,
    (S.HANDLING, A.REQUEST_EXTENSION): S.HANDLING,
    (S.HANDLING, A.DECIDE_EXTENSION): S.HANDLING,
    (S.HANDLING, A.SUPERVISE): S.HANDLING,
    (S.HANDLING, A.REPLY): S.REPLIED,
    (S.REPLIED, A.APPROVE): S.CLOSED,
    (S.REPLIED, A.SEND_BACK): S.HANDLING,
    (S.CLOSED, A.FOLLOW_UP): S.CLOSED,
    (S.CLOSED, A.REOPEN): S.HANDLING,
    (S.SUBMITTED, A.MERGE): S.MERGED,
    (S.RETURNED, A.MERGE): S.MERGED,
    (S.DISPATCHED, A.MERGE): S.MERGED,
    (S.HANDLING, A.MERGE): S.MERGED,
    (S.MERGED, A.CLOSE_WITH_MAIN): S.CLOSED,
}
# Taken as part of another action (the main appeal's approval), never chosen by hand.
AUTOMATIC = {A.CLOSE_WITH_MAIN}
LEGAL_PAIRS = sorted(SPEC.items())
ILLEGAL_PAIRS = [pair for pair in itertools.product(Status, Action) if pair not in SPEC]

HAN = re.compile(r"^[\u4e00-\u9fff]+$")


def test_table_is_the_specification():
    assert TRANSITIONS == SPEC
    assert AUTOMATIC_ACTIONS == AUTOMATIC
    assert len(LEGAL_PAIRS) + len(ILLEGAL_PAIRS) == len(Status) * len(Action)


@pytest.mark.parametrize(("pair", "target"), LEGAL_PAIRS, ids=lambda v: str(v))
def test_next_status_of_every_legal_pair(pair, target):
    status, action = pair
    assert next_status(status, action) is target


@pytest.mark.parametrize(("status", "action"), ILLEGAL_PAIRS)
def test_every_other_pair_is_an_illegal_transition(status, action):
    with pytest.raises(IllegalTransition) as caught:
        next_status(status, action)
    message = caught.value.message
    assert message == f"诉求当前状态为“{status.label}”，不能执行“{action.label}”"
    assert status.label in message and action.label in message
    assert caught.value.errors == {"status": status.value, "action": action.value}
    assert caught.value.code == "illegal-transition"


def _reachable(start: Status) -> set[Status]:
    seen, todo = {start}, deque([start])
    while todo:
        current = todo.popleft()
        for (source, _action), target in SPEC.items():
            if source is current and target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def test_every_status_is_reachable_from_submitted():
    assert _reachable(S.SUBMITTED) == set(Status)


@pytest.mark.parametrize("status", list(Status))
def test_closed_is_reachable_from_every_status(status):
    assert S.CLOSED in _reachable(status)


def test_no_action_leads_back_to_submitted_and_closed_only_reopens():
    assert all(target is not S.SUBMITTED for target in TRANSITIONS.values())
    assert {a for (s, a) in TRANSITIONS if s is S.CLOSED} == {A.FOLLOW_UP, A.REOPEN}


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("role", list(Role))
def test_allowed_actions_agree_with_action_roles(status, role):
    actions = allowed_actions(status, role)
    assert len(actions) == len(set(actions))
    expected = {a for a in Action if (status, a) in SPEC and role in ACTION_ROLES[a] and a not in AUTOMATIC}
    assert set(actions) == expected
    for action in actions:
        assert next_status(status, action) is SPEC[(status, action)]


@pytest.mark.parametrize(
    ("status", "role", "expected"),
    [
        (S.SUBMITTED, Role.DISPATCHER, {A.DISPATCH, A.MERGE}),
        (S.SUBMITTED, Role.HANDLER, set()),
        (S.DISPATCHED, Role.HANDLER, {A.ACCEPT, A.RETURN}),
        (S.DISPATCHED, Role.SUPERVISOR, {A.SUPERVISE}),
        (S.HANDLING, Role.HANDLER, {A.CO_HANDLER_OPINION, A.REQUEST_EXTENSION, A.REPLY}),
        (S.HANDLING, Role.SUPERVISOR, {A.DECIDE_EXTENSION, A.SUPERVISE}),
        (S.HANDLING, Role.DISPATCHER, {A.DECIDE_EXTENSION, A.MERGE}),
        (S.REPLIED, Role.DISPATCHER, set()),
        (S.MERGED, Role.ADMIN, set()),
        (S.MERGED, Role.REVIEWER, set()),
        (S.REPLIED, Role.REVIEWER, {A.APPROVE, A.SEND_BACK}),
        (S.REPLIED, Role.HANDLER, set()),
        (S.CLOSED, Role.HOTLINE_OPERATOR, {A.FOLLOW_UP}),
        (S.CLOSED, Role.REVIEWER, {A.FOLLOW_UP, A.REOPEN}),
        (S.CLOSED, Role.SUPERVISOR, {A.REOPEN}),
        (S.RETURNED, Role.ADMIN, {A.DISPATCH, A.MERGE}),
    ],
)
def test_allowed_actions_examples(status, role, expected):
    assert set(allowed_actions(status, role)) == expected


def test_action_roles_cover_every_action_leader_none_admin_all():
    assert set(ACTION_ROLES) == set(Action)
    for action, roles in ACTION_ROLES.items():
        assert Role.ADMIN in roles, action
        assert Role.LEADER not in roles, action
    for status in Status:
        assert allowed_actions(status, Role.LEADER) == []
        assert set(allowed_actions(status, Role.ADMIN)) == {
            a for (s, a) in SPEC if s is status and a not in AUTOMATIC
        }
    # Actions only the lead department's handlers may take are handler actions.
    assert all(Role.HANDLER in ACTION_ROLES[a] for a in LEAD_DEPARTMENT_ACTIONS)


def test_every_action_has_a_label_and_an_event_code():
    assert set(ACTION_LABELS) == set(Action) and set(ACTION_EVENTS) == set(Action)
    for action in Action:
        assert HAN.match(action.label), action
        assert re.fullmatch(r"appeal\.[a-z_]+", action.event), action
        assert action.event == f"appeal.{ACTION_EVENTS[action]}"
    assert len({a.label for a in Action}) == len(Action)
    assert len({a.event for a in Action}) == len(Action)
    # Submission is not an action of the table but has its own event, which no action reuses.
    assert "appeal.submitted" not in {a.event for a in Action}


def test_every_status_has_a_label():
    assert set(STATUS_LABELS) == set(Status)
    for status in Status:
        assert HAN.match(status.label), status
    assert len({s.label for s in Status}) == len(Status)


# --- the real services, driven at random ----------------------------------------------------

RULES = AppealRules.default()
ACTORS = [
    "operator",
    "dispatcher",
    "handler_zjj",
    "handler_cgj",
    "handler_pinghu",
    "reviewer",
    "supervisor",
    "leader",
    "admin",
]
DEPARTMENTS = ["zjj", "cgj", "jd003"]


@dataclass(frozen=True)
class Stored:
    status: str
    version: int
    lead: str | None
    co: frozenset[str]
    answered: frozenset[str]
    reopen_count: int
    events: tuple[str, ...]
    pending_extensions: int
    extensions: int
    notices: int


def stored(db, appeal_id: int) -> Stored:
    def count(model, *where):
        return (
            select(func.count())
            .select_from(model)
            .where(model.appeal_id == appeal_id, *where)
            .scalar_subquery()
        )

    with transaction(db.factory) as session:
        appeal = session.get_one(Appeal, appeal_id)
        pending, extensions, notices = session.execute(
            select(
                count(ExtensionRequest, ExtensionRequest.status == "pending"),
                count(ExtensionRequest),
                count(SupervisionNotice),
            )
        ).one()
        return Stored(
            status=appeal.status,
            version=appeal.version,
            lead=appeal.lead_department.code if appeal.lead_department else None,
            co=frozenset(c.department.code for c in appeal.co_handlers),
            answered=frozenset(c.department.code for c in appeal.co_handlers if c.opinion is not None),
            reopen_count=appeal.reopen_count,
            events=tuple(e.action for e in events_for(session, "appeal", appeal_id)),
            pending_extensions=pending,
            extensions=extensions,
            notices=notices,
        )


@dataclass
class Model:
    status: Status = S.SUBMITTED
    lead: str | None = None
    co: frozenset[str] = frozenset()
    pending: bool = False
    reopen_count: int = 0
    # Co-handlers that have given an opinion; an admin may only fill in a missing one.
    answered: frozenset[str] = frozenset()
    followed_up: bool = False


def expected_error(model: Model, action: Action, actor) -> type[DomainError] | None:
    """What the services must answer, from the model alone (checks in the services' order)."""
    role = Role(actor.role)
    department = actor.department.code if actor.department else None
    involved = ({model.lead} if model.lead else set()) | model.co
    if not (has_permission(role, Permission.APPEAL_READ_ALL) or department in involved):
        return NotFound
    if role not in ACTION_ROLES[action]:
        return PermissionDenied
    if role is Role.HANDLER:
        if action in LEAD_DEPARTMENT_ACTIONS and model.lead != department:
            return PermissionDenied
        if action is A.CO_HANDLER_OPINION and department not in model.co:
            return PermissionDenied
    if (model.status, action) not in SPEC:
        return IllegalTransition
    if action is A.REQUEST_EXTENSION and model.pending:
        return IllegalTransition
    if action is A.DECIDE_EXTENSION and not model.pending:
        return IllegalTransition
    if action is A.CO_HANDLER_OPINION and role is Role.ADMIN and not (model.co - model.answered):
        return IllegalTransition
    if action is A.FOLLOW_UP and model.followed_up:
        return IllegalTransition
    return None


def perform(session, appeal_id, action, actor, lead, co, approve, satisfaction, main_number) -> None:
    match action:
        case A.DISPATCH:
            handling.dispatch(session, appeal_id, actor, RULES, department_code=lead, co_department_codes=co)
        case A.ACCEPT:
            handling.accept(session, appeal_id, actor)
        case A.RETURN:
            handling.return_appeal(session, appeal_id, actor, reason="不属于本单位职责范围")
        case A.CO_HANDLER_OPINION:
            handling.co_handler_opinion(session, appeal_id, actor, opinion="已配合现场核查")
        case A.REQUEST_EXTENSION:
            handling.request_extension(session, appeal_id, actor, days=3, reason="需协调多个单位")
        case A.DECIDE_EXTENSION:
            handling.decide_extension(session, appeal_id, actor, RULES, approve=approve)
        case A.SUPERVISE:
            handling.supervise(session, appeal_id, actor, message="请加快办理")
        case A.REPLY:
            handling.reply(session, appeal_id, actor, text="已责令施工单位夜间停工并现场复查")
        case A.APPROVE:
            handling.approve(session, appeal_id, actor)
        case A.SEND_BACK:
            handling.send_back(session, appeal_id, actor, reason="答复未说明处理结果")
        case A.FOLLOW_UP:
            handling.follow_up(session, appeal_id, actor, satisfaction=satisfaction)
        case A.REOPEN:
            handling.reopen(session, appeal_id, actor, RULES, reason="诉求人反映问题仍未解决")
        case A.MERGE:
            merging.merge(session, appeal_id, actor, main_number=main_number, reason="同一事项")
        case A.CLOSE_WITH_MAIN:
            merging.close_one_with_main(session, appeal_id, actor)


def make_machine(db):
    class AppealWorkflow(RuleBasedStateMachine):
        @initialize()
        def file_appeal(self):
            with transaction(db.factory) as session:
                self.appeal_id = submit(session, db.user("operator")).id
                # An open appeal to merge into; it stays submitted throughout.
                self.main_number = submit(session, db.user("operator"), title="同一事项的主件").number
            self.model = Model()
            self.last = stored(db, self.appeal_id)
            assert self.last.events == ("appeal.submitted",)

        def _try(self, action, actor_name, data):
            actor = db.user(actor_name)
            lead = data.draw(st.sampled_from(DEPARTMENTS), label="lead")
            others = [d for d in DEPARTMENTS if d != lead]
            co = data.draw(st.lists(st.sampled_from(others), unique=True, max_size=2), label="co")
            approve = data.draw(st.booleans(), label="approve")
            satisfaction = data.draw(st.sampled_from(list(Satisfaction)), label="satisfaction")
            expected = expected_error(self.model, action, actor)
            before = self.last
            error: DomainError | None = None
            try:
                with transaction(db.factory) as session:
                    extra = (approve, satisfaction, self.main_number)
                    perform(session, self.appeal_id, action, actor, lead, co, *extra)
            except DomainError as exc:
                error = exc
            after = stored(db, self.appeal_id)
            if expected is None:
                assert error is None, f"{actor_name} {action}: unexpected {error!r}"
                assert after.version == before.version + 1
                assert after.events == (*before.events, action.event)
                assert after.notices == before.notices + (action is A.SUPERVISE)
                assert after.extensions == before.extensions + (action is A.REQUEST_EXTENSION)
                self._advance(action, lead, co)
                if action is A.CO_HANDLER_OPINION:
                    # Which co-handler an admin fills in is the service's choice; one more answered.
                    assert len(after.answered) >= len(self.model.answered)
                    self.model.answered = after.answered
                event(f"{action.value} succeeded")
            else:
                assert type(error) is expected, f"{actor_name} {action} in {self.model}: {error!r}"
                assert after == before, "a refused action changed the appeal"
            self.last = after

        def _advance(self, action, lead, co):
            m = self.model
            m.status = SPEC[(m.status, action)]
            if action is A.DISPATCH:
                m.lead, m.co, m.answered = lead, frozenset(co), frozenset()
            elif action is A.RETURN:
                m.lead, m.co, m.answered = None, frozenset(), frozenset()
            elif action is A.REQUEST_EXTENSION:
                m.pending = True
            elif action in (A.DECIDE_EXTENSION, A.REPLY, A.MERGE):
                # A reply or a merge withdraws an extension still waiting for a decision.
                m.pending = False
            elif action is A.FOLLOW_UP:
                m.followed_up = True
            elif action is A.REOPEN:
                m.reopen_count += 1
                m.followed_up = False

        @rule(action=st.sampled_from(list(Action)), actor=st.sampled_from(ACTORS), data=st.data())
        def anyone_tries_anything(self, action, actor, data):
            self._try(action, actor, data)

        @rule(data=st.data())
        def someone_entitled_acts(self, data):
            entitled = [
                (action, name)
                for action in Action
                for name in ACTORS
                if expected_error(self.model, action, db.user(name)) is None
            ]
            assert entitled, f"no one can act on an appeal in {self.model}"
            action, name = data.draw(st.sampled_from(entitled), label="entitled")
            self._try(action, name, data)

        @invariant()
        def database_matches_model(self):
            if not hasattr(self, "model"):
                return
            last = self.last
            assert last.status == self.model.status.value
            assert last.lead == self.model.lead
            assert last.co == self.model.co
            assert last.pending_extensions == int(self.model.pending)
            assert last.reopen_count == self.model.reopen_count
            assert last.events[0] == "appeal.submitted"

    return AppealWorkflow


def test_random_walk_through_the_real_services(db):
    run_state_machine_as_test(
        make_machine(db),
        settings=settings(
            max_examples=15,
            stateful_step_count=15,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
