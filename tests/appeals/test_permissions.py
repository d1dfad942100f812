"""Who may read and act on an appeal: departments, co-handlers, roles, leaders and the public."""

from __future__ import annotations

import pytest
from tests.appeals.helpers import submit

from zhengshu.appeals import handling, merging, queries
from zhengshu.appeals.access import can_read, can_see_pii, get_readable
from zhengshu.appeals.models import Appeal
from zhengshu.appeals.rules import AppealRules
from zhengshu.appeals.vocabulary import Satisfaction
from zhengshu.appeals.workflow import ACTION_ROLES, Action, Status
from zhengshu.audit import events_for
from zhengshu.db import transaction
from zhengshu.errors import IllegalTransition, NotFound, PermissionDenied
from zhengshu.org.roles import Permission, Role, has_permission

RULES = AppealRules.default()
ALL_USERS = [
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


def run(db, service, appeal_id, actor, *args, **kwargs):
    with transaction(db.factory) as session:
        return service(session, appeal_id, db.user(actor), *args, **kwargs)


def new_appeal(db, **overrides) -> int:
    with transaction(db.factory) as session:
        return submit(session, db.user("operator"), **overrides).id


def in_status(db, status: str, *, lead: str = "zjj", co: tuple[str, ...] = ("cgj",)) -> int:
    appeal_id = new_appeal(db)
    if status == "submitted":
        return appeal_id
    if status == "merged":
        main = in_status(db, "submitted")
        with transaction(db.factory) as session:
            number = session.get_one(Appeal, main).number
        run(db, merging.merge, appeal_id, "admin", main_number=number)
        return appeal_id
    run(db, handling.dispatch, appeal_id, "dispatcher", RULES, department_code=lead, co_department_codes=co)
    if status == "dispatched":
        return appeal_id
    if status == "returned":
        run(db, handling.return_appeal, appeal_id, "admin", reason="非本单位职责")
        return appeal_id
    run(db, handling.accept, appeal_id, "admin")
    if status == "handling":
        return appeal_id
    if status == "extension_pending":
        run(db, handling.request_extension, appeal_id, "admin", days=3, reason="需要协调")
        return appeal_id
    run(db, handling.reply, appeal_id, "admin", text="已处理完毕")
    if status == "replied":
        return appeal_id
    run(db, handling.approve, appeal_id, "admin")
    assert status == "closed"
    return appeal_id


def fingerprint(db, appeal_id):
    with transaction(db.factory) as session:
        appeal = session.get_one(Appeal, appeal_id)
        return appeal.status, appeal.version, len(events_for(session, "appeal", appeal_id))


def visible_ids(db, viewer: str, **filters) -> set[int]:
    with transaction(db.factory) as session:
        return {a.id for a in queries.search(session, db.user(viewer), size=200, **filters).items}


# One call per action, made legal by the status the appeal is brought to first.
CALLS = {
    Action.DISPATCH: ("submitted", lambda s, i, u: handling.dispatch(s, i, u, RULES, department_code="zjj")),
    Action.ACCEPT: ("dispatched", lambda s, i, u: handling.accept(s, i, u)),
    Action.RETURN: ("dispatched", lambda s, i, u: handling.return_appeal(s, i, u, reason="非本单位职责")),
    Action.CO_HANDLER_OPINION: (
        "handling",
        lambda s, i, u: handling.co_handler_opinion(s, i, u, opinion="同意"),
    ),
    Action.REQUEST_EXTENSION: (
        "handling",
        lambda s, i, u: handling.request_extension(s, i, u, days=2, reason="需要协调"),
    ),
    Action.DECIDE_EXTENSION: (
        "extension_pending",
        lambda s, i, u: handling.decide_extension(s, i, u, RULES, approve=True),
    ),
    Action.SUPERVISE: ("handling", lambda s, i, u: handling.supervise(s, i, u, message="请加快办理")),
    Action.REPLY: ("handling", lambda s, i, u: handling.reply(s, i, u, text="已处理")),
    Action.APPROVE: ("replied", lambda s, i, u: handling.approve(s, i, u)),
    Action.SEND_BACK: ("replied", lambda s, i, u: handling.send_back(s, i, u, reason="答复不完整")),
    Action.FOLLOW_UP: (
        "closed",
        lambda s, i, u: handling.follow_up(s, i, u, satisfaction=Satisfaction.SATISFIED),
    ),
    Action.REOPEN: ("closed", lambda s, i, u: handling.reopen(s, i, u, RULES, reason="问题未解决")),
    # The main appeal is filed in the same transaction: a refused merge leaves nothing behind.
    Action.MERGE: ("submitted", lambda s, i, u: merging.merge(s, i, u, main_number=submit(s).number)),
    Action.CLOSE_WITH_MAIN: ("merged", lambda s, i, u: merging.close_one_with_main(s, i, u)),
}


def test_calls_cover_every_action():
    assert set(CALLS) == set(Action)


# --- departments ------------------------------------------------------------------------------


def test_handler_cannot_read_another_departments_appeal(db):
    ours = in_status(db, "handling", lead="zjj", co=())
    theirs = in_status(db, "handling", lead="cgj", co=())
    undispatched = new_appeal(db)
    with transaction(db.factory) as session:
        zjj = db.user("handler_zjj")
        assert get_readable(session.get(Appeal, ours), zjj).id == ours
        for other in (theirs, undispatched):
            appeal = session.get(Appeal, other)
            assert not can_read(zjj, appeal) and not can_see_pii(zjj, appeal)
            # Indistinguishable from an appeal that does not exist.
            with pytest.raises(NotFound) as hidden:
                get_readable(appeal, zjj)
            with pytest.raises(NotFound) as missing:
                get_readable(session.get(Appeal, 999_999), zjj)
            assert hidden.value.message == missing.value.message
        assert can_see_pii(zjj, session.get(Appeal, ours))
    assert visible_ids(db, "handler_zjj") == {ours}
    assert visible_ids(db, "handler_cgj") == {theirs}
    assert visible_ids(db, "handler_pinghu") == set()
    # Filters cannot widen what a handler sees.
    with transaction(db.factory) as session:
        cgj_id = db.user("handler_cgj").department_id
        assert queries.search(session, db.user("handler_zjj"), department_id=cgj_id).total == 0
        number = session.get_one(Appeal, theirs).number
        assert queries.search(session, db.user("handler_zjj"), keyword=number).total == 0
        assert queries.search(session, db.user("handler_cgj"), keyword=number).total == 1


@pytest.mark.parametrize(
    "action",
    [Action.ACCEPT, Action.RETURN, Action.REPLY, Action.REQUEST_EXTENSION, Action.CO_HANDLER_OPINION],
)
def test_handler_cannot_act_on_another_departments_appeal(db, action):
    status, call = CALLS[action]
    appeal_id = in_status(db, status, lead="cgj", co=("jd003",))
    before = fingerprint(db, appeal_id)
    with transaction(db.factory) as session, pytest.raises(NotFound):
        call(session, appeal_id, db.user("handler_zjj"))
    assert fingerprint(db, appeal_id) == before


def test_co_handler_reads_but_cannot_take_lead_actions(db):
    appeal_id = in_status(db, "dispatched", lead="zjj", co=("cgj",))
    with transaction(db.factory) as session:
        assert get_readable(session.get(Appeal, appeal_id), db.user("handler_cgj")).id == appeal_id
    assert appeal_id in visible_ids(db, "handler_cgj")
    before = fingerprint(db, appeal_id)
    for action in (Action.ACCEPT, Action.RETURN):
        with transaction(db.factory) as session, pytest.raises(PermissionDenied, match="主办单位"):
            CALLS[action][1](session, appeal_id, db.user("handler_cgj"))
    assert fingerprint(db, appeal_id) == before

    run(db, handling.accept, appeal_id, "handler_zjj")
    before = fingerprint(db, appeal_id)
    for action in (Action.REPLY, Action.REQUEST_EXTENSION):
        with transaction(db.factory) as session, pytest.raises(PermissionDenied, match="主办单位"):
            CALLS[action][1](session, appeal_id, db.user("handler_cgj"))
    assert fingerprint(db, appeal_id) == before
    # Its own part, the opinion, it may give; the lead department may not give one for it.
    run(db, handling.co_handler_opinion, appeal_id, "handler_cgj", opinion="已配合处理")
    with transaction(db.factory) as session, pytest.raises(PermissionDenied, match="协办单位"):
        handling.co_handler_opinion(session, appeal_id, db.user("handler_zjj"), opinion="代写意见")


def test_only_the_lead_department_accepts(db):
    appeal_id = in_status(db, "dispatched", lead="jd003", co=("cgj",))
    with transaction(db.factory) as session, pytest.raises(PermissionDenied):
        handling.accept(session, appeal_id, db.user("handler_cgj"))
    with transaction(db.factory) as session, pytest.raises(NotFound):
        handling.accept(session, appeal_id, db.user("handler_zjj"))
    appeal = run(db, handling.accept, appeal_id, "handler_pinghu")
    assert appeal.status == Status.HANDLING
    with transaction(db.factory) as session:
        [event] = [e for e in events_for(session, "appeal", appeal_id) if e.action == "appeal.accepted"]
        assert event.actor_id == db.user("handler_pinghu").id
        assert event.actor_label == "handler_pinghu（平湖街道办事处）"


# --- roles ------------------------------------------------------------------------------------


@pytest.mark.parametrize("action", list(Action))
def test_roles_without_the_action_are_denied(db, action):
    status, call = CALLS[action]
    appeal_id = in_status(db, status, lead="zjj", co=("cgj",))
    before = fingerprint(db, appeal_id)
    denied = [name for name in ALL_USERS if Role(db.user(name).role) not in ACTION_ROLES[action]]
    assert "leader" in denied
    for name in denied:
        user = db.user(name)
        with transaction(db.factory) as session:
            readable = can_read(user, session.get_one(Appeal, appeal_id))
        expected = PermissionDenied if readable else NotFound
        with transaction(db.factory) as session, pytest.raises(expected) as caught:
            call(session, appeal_id, user)
        if expected is PermissionDenied and Role(user.role) is not Role.HANDLER:
            assert Role(user.role).label in caught.value.message and action.label in caught.value.message
    assert fingerprint(db, appeal_id) == before


@pytest.mark.parametrize("action", list(Action))
def test_every_entitled_role_may_take_the_action(db, action):
    """The counterpart: the denials above are about the role, not about an impossible call."""
    status, call = CALLS[action]
    user_of = {
        Role.HANDLER: "handler_cgj" if action is Action.CO_HANDLER_OPINION else "handler_zjj",
        Role.DISPATCHER: "dispatcher",
        Role.REVIEWER: "reviewer",
        Role.SUPERVISOR: "supervisor",
        Role.HOTLINE_OPERATOR: "operator",
        Role.ADMIN: "admin",
    }
    for role in sorted(ACTION_ROLES[action]):
        appeal_id = in_status(db, status, lead="zjj", co=("cgj",))
        before = fingerprint(db, appeal_id)
        with transaction(db.factory) as session:
            call(session, appeal_id, db.user(user_of[role]))
        after = fingerprint(db, appeal_id)
        assert after[2] == before[2] + 1 and after[1] > before[1], role


def test_leader_reads_everything_and_acts_on_nothing(db):
    ids = {
        status: in_status(db, status, lead="jd003", co=("cgj",))
        for status in ("submitted", "dispatched", "returned", "handling", "replied", "closed")
    }
    leader = db.user("leader")
    assert visible_ids(db, "leader") == set(ids.values())
    with transaction(db.factory) as session:
        for appeal_id in ids.values():
            appeal = get_readable(session.get(Appeal, appeal_id), leader)
            # Reading is not seeing the appellant's personal information.
            assert not can_see_pii(leader, appeal)
    for action, (status, call) in CALLS.items():
        appeal_id = ids.get(status) or in_status(db, status, lead="jd003", co=("cgj",))
        before = fingerprint(db, appeal_id)
        with transaction(db.factory) as session, pytest.raises(PermissionDenied, match="领导无权"):
            call(session, appeal_id, leader)
        assert fingerprint(db, appeal_id) == before, action


def test_read_all_roles_see_every_appeal_handlers_only_theirs(db):
    a = in_status(db, "dispatched", lead="zjj", co=("jd003",))
    b = in_status(db, "dispatched", lead="cgj", co=())
    c = new_appeal(db)
    for name in ("operator", "dispatcher", "reviewer", "supervisor", "leader", "admin"):
        assert visible_ids(db, name) == {a, b, c}, name
    assert visible_ids(db, "handler_zjj") == {a}
    assert visible_ids(db, "handler_pinghu") == {a}
    assert visible_ids(db, "handler_cgj") == {b}
    with transaction(db.factory) as session:
        assert [
            a.id for a in queries.search(session, db.user("handler_pinghu"), status="dispatched").items
        ] == [a]
        assert queries.search(session, db.user("handler_pinghu"), status="handling").total == 0


def test_another_department_learns_nothing_from_an_extension_request(db):
    appeal_id = in_status(db, "extension_pending", lead="zjj", co=())
    with transaction(db.factory) as session, pytest.raises(NotFound):
        handling.request_extension(session, appeal_id, db.user("handler_cgj"), days=2, reason="试探")


def test_another_department_cannot_request_an_extension(db):
    appeal_id = in_status(db, "handling", lead="zjj", co=())
    before = fingerprint(db, appeal_id)
    with transaction(db.factory) as session, pytest.raises(NotFound):
        handling.request_extension(session, appeal_id, db.user("handler_cgj"), days=2, reason="试探")
    assert fingerprint(db, appeal_id) == before


def test_refusal_order_permission_before_transition(db):
    """A handler asking for an action his role cannot take learns the role rule, not the status."""
    appeal_id = in_status(db, "closed", lead="zjj", co=())
    with transaction(db.factory) as session, pytest.raises(PermissionDenied):
        handling.reopen(session, appeal_id, db.user("handler_zjj"), RULES, reason="想重办")
    with transaction(db.factory) as session, pytest.raises(IllegalTransition):
        handling.reply(session, appeal_id, db.user("handler_zjj"), text="再答复一次")


# --- public tracking --------------------------------------------------------------------------


def test_track_needs_the_exact_last_four_digits(db):
    with transaction(db.factory) as session:
        appeal = submit(session, appellant_phone="13812345678")
        number = appeal.number
        other = submit(session, appellant_phone="13900000000").number
    with transaction(db.factory) as session:
        assert queries.track(session, number, "5678").id == appeal.id
        assert queries.track(session, f"  {number} ", " 5678 ").id == appeal.id
        for wrong in ("5679", "8765", "0000", "678", "45678", "56 78", "abcd", "５６７８", "", "    "):
            assert queries.track(session, number, wrong) is None, wrong
        # Another appeal's digits do not open this one, nor this one's digits another.
        assert queries.track(session, number, "0000") is None
        assert queries.track(session, other, "5678") is None
        assert queries.track(session, other, "0000").number == other
        for unknown in ("99999999999", "", "250101000001"):
            assert queries.track(session, unknown, "5678") is None


# --- lists and queues -------------------------------------------------------------------------


def test_every_role_that_decides_extensions_opens_the_supervision_list():
    """Extensions are decided on the supervision page, which also lists the deadlines."""
    for role in ACTION_ROLES[Action.DECIDE_EXTENSION]:
        assert has_permission(role, Permission.SUPERVISION_LIST), role
    for role in Role:
        if has_permission(role, Permission.SUPERVISION_LIST):
            assert has_permission(role, Permission.APPEAL_WATCH_DEADLINES), role


@pytest.mark.parametrize("name", sorted(queries.QUEUES))
def test_queues_open_for_the_roles_the_table_names(db, name):
    in_status(db, "handling", lead="zjj", co=())
    spec = queries.QUEUES[name]
    for username in ALL_USERS:
        user = db.user(username)
        with transaction(db.factory) as session:
            if not has_permission(user.role, spec.permission):
                assert not queries.may_open_queue(user, name)
                with pytest.raises(PermissionDenied):
                    queries.queue(session, user, name)
            elif spec.needs_department and user.department_id is None:
                assert not queries.may_open_queue(user, name)
                with pytest.raises(NotFound):
                    queries.queue(session, user, name)
            else:
                assert queries.may_open_queue(user, name)
                assert queries.queue(session, user, name).page == 1


def test_deadline_queues_are_for_readers_of_all_and_handlers_of_their_own(db):
    lists = {"overdue", "near-due"}
    for username in ALL_USERS:
        assert {n for n in lists if queries.may_open_queue(db.user(username), n)} == lists, username
    with transaction(db.factory) as session, pytest.raises(NotFound):
        queries.queue(session, db.user("supervisor"), "nothing")


def test_supervision_list_for_supervisors_dispatchers_reviewers_leaders_handlers_admin(db):
    allowed = {"dispatcher", "handler_zjj", "handler_cgj", "handler_pinghu", "reviewer"}
    allowed |= {"supervisor", "leader", "admin"}
    for username in ALL_USERS:
        with transaction(db.factory) as session:
            if username in allowed:
                assert queries.supervision_list(session, db.user(username)) == []
            else:
                with pytest.raises(PermissionDenied):
                    queries.supervision_list(session, db.user(username))


def test_search_keyword_wildcards_match_literally(db):
    titles = [
        "满意度100%的小区",
        "满意度100的小区",
        "a_b 路段积水",
        "axb 路段积水",
        "反斜杠\\问题",
        "反斜杠问题",
    ]
    ids = {title: new_appeal(db, title=title) for title in titles}
    assert visible_ids(db, "admin", keyword="%") == {ids["满意度100%的小区"]}
    assert visible_ids(db, "admin", keyword="100%") == {ids["满意度100%的小区"]}
    assert visible_ids(db, "admin", keyword="_") == {ids["a_b 路段积水"]}
    assert visible_ids(db, "admin", keyword="a_b") == {ids["a_b 路段积水"]}
    assert visible_ids(db, "admin", keyword="\\") == {ids["反斜杠\\问题"]}
    assert visible_ids(db, "admin", keyword="100") == {ids["满意度100%的小区"], ids["满意度100的小区"]}
    assert queries.escape_like("5%_\\") == "5\\%\\_\\\\"
