"""Handling an appeal through the services: the whole path, returns, and refused input that must
leave nothing behind."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import chinese_calendar
import pytest
from sqlalchemy import func, select
from tests.appeals.helpers import submit

from zhengshu.appeals import handling, queries
from zhengshu.appeals.access import get_readable
from zhengshu.appeals.models import Appeal, CoHandler, ExtensionRequest, SupervisionNotice
from zhengshu.appeals.rules import AppealRules
from zhengshu.appeals.vocabulary import Satisfaction
from zhengshu.appeals.workflow import Action, Status
from zhengshu.audit import AuditEvent, events_for
from zhengshu.clock import TZ
from zhengshu.db import transaction
from zhengshu.errors import Conflict, IllegalTransition, InvalidInput, NotFound

RULES = AppealRules.default()


class Clock:
    """A settable "now" for the handling services."""

    def __init__(self, start: datetime) -> None:
        self.at = start

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> datetime:
        self.at += timedelta(**delta)
        return self.at


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    # Friday 2025-09-26, just before National Day; Sunday 2025-09-28 is a 调休 working day.
    fixed = Clock(datetime(2025, 9, 26, 9, 0, tzinfo=TZ))
    monkeypatch.setattr(handling, "now", fixed)
    return fixed


def nth_workday_after(start: date, n: int) -> date:
    """Reference: the n-th statutory working day after start, straight from chinese_calendar."""
    day = start
    while n:
        day += timedelta(days=1)
        n -= chinese_calendar.is_workday(day)
    return day


def end_of(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), TZ)


@dataclass(frozen=True)
class Trace:
    """Everything a refused call could have written about one appeal."""

    status: str
    version: int
    lead_department_id: int | None
    due_at: datetime | None
    co_handlers: tuple[tuple[int, str | None], ...]
    extensions: tuple[tuple[int, str], ...]
    notices: int
    events: int
    all_events: int
    all_appeals: int


def trace(db, appeal_id: int) -> Trace:
    with transaction(db.factory) as session:
        appeal = session.get_one(Appeal, appeal_id)
        return Trace(
            status=appeal.status,
            version=appeal.version,
            lead_department_id=appeal.lead_department_id,
            due_at=appeal.due_at,
            co_handlers=tuple((c.department_id, c.opinion) for c in appeal.co_handlers),
            extensions=tuple((e.id, e.status) for e in queries.extensions_of(session, appeal_id)),
            notices=len(queries.notices_of(session, appeal_id)),
            events=len(events_for(session, "appeal", appeal_id)),
            all_events=session.scalar(select(func.count()).select_from(AuditEvent)),
            all_appeals=session.scalar(select(func.count()).select_from(Appeal)),
        )


def run(db, service, appeal_id: int, actor: str, *args, **kwargs):
    with transaction(db.factory) as session:
        return service(session, appeal_id, db.user(actor), *args, **kwargs)


def new_appeal(db, **overrides) -> int:
    with transaction(db.factory) as session:
        return submit(session, db.user("operator"), **overrides).id


def in_status(db, status: str, *, lead: str = "zjj", co: tuple[str, ...] = ("cgj",)) -> int:
    """An appeal brought to `status` by the entitled users."""
    appeal_id = new_appeal(db)
    if status == "submitted":
        return appeal_id
    run(db, handling.dispatch, appeal_id, "dispatcher", RULES, department_code=lead, co_department_codes=co)
    if status == "dispatched":
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
    run(db, handling.approve, appeal_id, "reviewer")
    assert status == "closed"
    return appeal_id


def actions_of(db, appeal_id: int) -> list[str]:
    with transaction(db.factory) as session:
        return [e.action for e in events_for(session, "appeal", appeal_id)]


# --- the whole path -----------------------------------------------------------------------


def test_happy_path_through_every_action(db, clock):
    appeal_id = new_appeal(db)
    version = trace(db, appeal_id).version
    zjj, cgj, pinghu = "handler_zjj", "handler_cgj", "handler_pinghu"

    appeal = run(
        db,
        handling.dispatch,
        appeal_id,
        "dispatcher",
        RULES,
        department_code="zjj",
        co_department_codes=["cgj", "jd003", "cgj"],
        category="城乡建设",
        note="请核查",
    )
    assert appeal.status == Status.DISPATCHED
    assert appeal.lead_department.code == "zjj"
    assert [c.department.code for c in appeal.co_handlers] == ["cgj", "jd003"]
    assert appeal.category == "城乡建设"
    assert appeal.dispatched_at == clock.at
    # Complaint: 10 working days; Sunday 2025-09-28 counts, 10-01..10-08 do not.
    assert appeal.due_at == end_of(date(2025, 10, 16)) == end_of(nth_workday_after(date(2025, 9, 26), 10))
    assert appeal.accept_due_at == end_of(date(2025, 9, 28))
    assert appeal.due_estimated is False
    with transaction(db.factory) as session:
        [event] = [e for e in events_for(session, "appeal", appeal_id) if e.action == "appeal.dispatched"]
        assert event.data == {
            "from": "submitted",
            "to": "dispatched",
            "department": "zjj",
            "co_departments": ["cgj", "jd003"],
            "note": "请核查",
        }
        assert event.actor_id == db.user("dispatcher").id
        assert event.at == clock.at
        inbox = queries.department_inbox(session, db.user(cgj).department_id)
        assert appeal_id in [a.id for a in inbox.items]

    clock.advance(hours=2)
    appeal = run(db, handling.accept, appeal_id, zjj)
    assert appeal.status == Status.HANDLING and appeal.accepted_at == clock.at

    clock.advance(hours=1)
    run(db, handling.co_handler_opinion, appeal_id, cgj, opinion="已派执法队员夜间巡查")
    with transaction(db.factory) as session:
        opinions = {
            c.department.code: (c.opinion, c.replied_at)
            for c in session.get_one(Appeal, appeal_id).co_handlers
        }
        assert opinions == {"cgj": ("已派执法队员夜间巡查", clock.at), "jd003": (None, None)}
        # The co-handler has done its part; the other co-handler still has it in its inbox.
        assert appeal_id not in [
            a.id for a in queries.department_inbox(session, db.user(cgj).department_id).items
        ]
        assert appeal_id in [
            a.id for a in queries.department_inbox(session, db.user(pinghu).department_id).items
        ]

    clock.advance(days=1)
    request = run(db, handling.request_extension, appeal_id, zjj, days=5, reason="需协调规划部门")
    assert request.status == "pending" and request.requested_by_id == db.user(zjj).id
    with transaction(db.factory) as session:
        assert [r.id for r in queries.pending_extensions(session)] == [request.id]
    old_due = trace(db, appeal_id).due_at

    clock.advance(hours=3)
    decided = run(db, handling.decide_extension, appeal_id, "supervisor", RULES, approve=True, note="同意")
    assert decided.status == "approved" and decided.decided_by_id == db.user("supervisor").id
    assert decided.decision_note == "同意"
    new_due = trace(db, appeal_id).due_at
    assert new_due > old_due
    assert new_due == end_of(nth_workday_after(old_due.date(), 5)) == end_of(date(2025, 10, 23))
    with transaction(db.factory) as session:
        assert queries.pending_extensions(session) == []

    clock.advance(hours=1)
    notice = run(db, handling.supervise, appeal_id, "supervisor", message="群众反映强烈，请加快办理")
    assert notice.kind == "manual" and notice.department_id == db.user(zjj).department_id
    assert notice.issued_by_id == db.user("supervisor").id

    clock.advance(hours=1)
    appeal = run(db, handling.reply, appeal_id, zjj, text="  已责令施工单位夜间停工。  ")
    assert appeal.status == Status.REPLIED and appeal.reply == "已责令施工单位夜间停工。"
    assert appeal.replied_at == clock.at

    clock.advance(hours=1)
    appeal = run(db, handling.send_back, appeal_id, "reviewer", reason="未说明复查结果")
    assert appeal.status == Status.HANDLING and appeal.replied_at is None

    clock.advance(hours=1)
    run(db, handling.reply, appeal_id, zjj, text="已责令停工，经夜间复查已无施工。")
    clock.advance(hours=1)
    appeal = run(db, handling.approve, appeal_id, "reviewer", note="答复完整")
    assert appeal.status == Status.CLOSED and appeal.closed_at == clock.at
    with transaction(db.factory) as session:
        assert appeal_id in [a.id for a in queries.follow_up_queue(session).items]

    clock.advance(days=1)
    appeal = run(
        db, handling.follow_up, appeal_id, "operator", satisfaction=Satisfaction.DISSATISFIED, note="仍有噪音"
    )
    assert appeal.satisfaction == "dissatisfied" and appeal.status == Status.CLOSED

    clock.advance(hours=1)
    appeal = run(db, handling.reopen, appeal_id, "reviewer", RULES, reason="诉求人反映夜间仍施工")
    assert appeal.status == Status.HANDLING and appeal.reopen_count == 1
    assert appeal.closed_at is None and appeal.replied_at is None and appeal.satisfaction is None
    assert appeal.due_at == end_of(nth_workday_after(clock.at.date(), 10))

    clock.advance(hours=1)
    run(db, handling.reply, appeal_id, zjj, text="已再次现场处置并加装噪音监测。")
    clock.advance(hours=1)
    appeal = run(db, handling.approve, appeal_id, "reviewer")
    assert appeal.status == Status.CLOSED and appeal.reopen_count == 1

    steps = [
        Action.DISPATCH,
        Action.ACCEPT,
        Action.CO_HANDLER_OPINION,
        Action.REQUEST_EXTENSION,
        Action.DECIDE_EXTENSION,
        Action.SUPERVISE,
        Action.REPLY,
        Action.SEND_BACK,
        Action.REPLY,
        Action.APPROVE,
        Action.FOLLOW_UP,
        Action.REOPEN,
        Action.REPLY,
        Action.APPROVE,
    ]
    assert actions_of(db, appeal_id) == ["appeal.submitted", *[a.event for a in steps]]
    with transaction(db.factory) as session:
        events = events_for(session, "appeal", appeal_id)
        # Each event says where the appeal came from and went to, and who did it.
        statuses = [(e.data["from"], e.data["to"]) for e in events[1:]]
        assert statuses[0] == ("submitted", "dispatched") and statuses[-1] == ("replied", "closed")
        assert all(statuses[i][1] == statuses[i + 1][0] for i in range(len(statuses) - 1))
        assert [e.at for e in events[1:]] == sorted(e.at for e in events[1:])
        assert events[-4].data["satisfaction"] == "dissatisfied"
        assert events[-3].data["reason"] == "诉求人反映夜间仍施工"
        assert "区住房和建设局" in events[2].actor_label
        final = session.get_one(Appeal, appeal_id)
        assert final.version > version


def test_dispatch_is_one_update_of_the_appeal(db):
    appeal_id = new_appeal(db)
    before = trace(db, appeal_id).version
    run(
        db,
        handling.dispatch,
        appeal_id,
        "dispatcher",
        RULES,
        department_code="zjj",
        co_department_codes=["cgj"],
    )
    assert trace(db, appeal_id).version == before + 1


def test_return_puts_appeal_back_in_the_dispatch_queue(db, clock):
    appeal_id = in_status(db, "dispatched", lead="cgj", co=("jd003",))
    with transaction(db.factory) as session:
        assert appeal_id not in [a.id for a in queries.dispatch_queue(session).items]

    clock.advance(hours=1)
    appeal = run(db, handling.return_appeal, appeal_id, "handler_cgj", reason="  属于住建部门职责  ")
    assert appeal.status == Status.RETURNED
    with transaction(db.factory) as session:
        appeal = session.get_one(Appeal, appeal_id)
        assert appeal.lead_department_id is None and appeal.lead_department is None
        assert appeal.co_handlers == [] and appeal.due_at is None and appeal.accept_due_at is None
        assert session.scalar(select(func.count()).where(CoHandler.appeal_id == appeal_id)) == 0
        queue = queries.dispatch_queue(session)
        assert appeal_id in [a.id for a in queue.items]
        event = events_for(session, "appeal", appeal_id)[-1]
        assert event.action == "appeal.returned"
        assert event.data == {
            "from": "dispatched",
            "to": "returned",
            "reason": "属于住建部门职责",
            "by": "区城市管理和综合执法局",
        }
        # Returned, the appeal is no longer the department's: it cannot even read it.
        with pytest.raises(NotFound):
            get_readable(session.get(Appeal, appeal_id), db.user("handler_cgj"))
        assert queries.department_inbox(session, db.user("handler_cgj").department_id).total == 0

    appeal = run(db, handling.dispatch, appeal_id, "dispatcher", RULES, department_code="zjj")
    assert appeal.status == Status.DISPATCHED and appeal.lead_department.code == "zjj"
    assert appeal.due_at is not None
    with transaction(db.factory) as session:
        assert appeal_id not in [a.id for a in queries.dispatch_queue(session).items]
    assert actions_of(db, appeal_id)[-3:] == ["appeal.dispatched", "appeal.returned", "appeal.dispatched"]


def test_dispatch_queue_puts_the_most_urgent_first(db):
    normal = new_appeal(db, urgency="normal")
    critical = new_appeal(db, urgency="critical")
    urgent = new_appeal(db, urgency="urgent")
    with transaction(db.factory) as session:
        assert [a.id for a in queries.dispatch_queue(session).items] == [critical, urgent, normal]


def test_dispatch_queue_oldest_first_within_an_urgency(db):
    first, second = new_appeal(db), new_appeal(db)
    dispatched = in_status(db, "dispatched")
    with transaction(db.factory) as session:
        assert [a.id for a in queries.dispatch_queue(session).items] == [first, second]
        assert dispatched not in [a.id for a in queries.dispatch_queue(session).items]


def test_boundaries_are_accepted(db):
    one = in_status(db, "handling")
    thirty = in_status(db, "handling")
    assert run(db, handling.request_extension, one, "handler_zjj", days=1, reason="理由").days == 1
    assert run(db, handling.request_extension, thirty, "handler_zjj", days=30, reason="理由").days == 30
    reply = run(db, handling.reply, one, "handler_zjj", text="办" * handling.MAX_REPLY).reply
    assert len(reply) == handling.MAX_REPLY


def test_rejected_extension_keeps_the_deadline(db):
    appeal_id = in_status(db, "extension_pending")
    due = trace(db, appeal_id).due_at
    request = run(
        db, handling.decide_extension, appeal_id, "dispatcher", RULES, approve=False, note="理由不充分"
    )
    assert request.status == "rejected" and request.decision_note == "理由不充分"
    assert trace(db, appeal_id).due_at == due
    # Decided, it no longer blocks a new request.
    again = run(db, handling.request_extension, appeal_id, "handler_zjj", days=2, reason="补充理由")
    assert again.status == "pending"


def test_stale_form_is_a_conflict(db):
    appeal_id = in_status(db, "dispatched")
    version = trace(db, appeal_id).version
    run(db, handling.supervise, appeal_id, "supervisor", message="请尽快签收", expected_version=version)
    before = trace(db, appeal_id)
    with transaction(db.factory) as session, pytest.raises(Conflict, match="已被他人更新"):
        handling.accept(session, appeal_id, db.user("handler_zjj"), expected_version=version)
    assert trace(db, appeal_id) == before
    run(db, handling.accept, appeal_id, "handler_zjj", expected_version=before.version)
    assert trace(db, appeal_id).status == Status.HANDLING


# --- refused input writes nothing -------------------------------------------------------------


def _dispatch(**kwargs):
    def call(session, appeal_id, db):
        options = {"department_code": "zjj", **kwargs}
        return handling.dispatch(session, appeal_id, db.user("dispatcher"), RULES, **options)

    return call


REFUSALS = [
    pytest.param(
        "dispatched",
        lambda s, i, db: handling.return_appeal(s, i, db.user("handler_zjj"), reason="  \n "),
        InvalidInput,
        "reason",
        id="empty-return-reason",
    ),
    pytest.param(
        "handling",
        lambda s, i, db: handling.reply(s, i, db.user("handler_zjj"), text="办" * (handling.MAX_REPLY + 1)),
        InvalidInput,
        "text",
        id="reply-too-long",
    ),
    pytest.param(
        "handling",
        lambda s, i, db: handling.reply(s, i, db.user("handler_zjj"), text=""),
        InvalidInput,
        "text",
        id="empty-reply",
    ),
    pytest.param(
        "handling",
        lambda s, i, db: handling.request_extension(s, i, db.user("handler_zjj"), days=0, reason="理由"),
        InvalidInput,
        "days",
        id="extension-0-days",
    ),
    pytest.param(
        "handling",
        lambda s, i, db: handling.request_extension(s, i, db.user("handler_zjj"), days=31, reason="理由"),
        InvalidInput,
        "days",
        id="extension-31-days",
    ),
    pytest.param(
        "handling",
        lambda s, i, db: handling.request_extension(s, i, db.user("handler_zjj"), days=3, reason=" "),
        InvalidInput,
        "reason",
        id="extension-without-reason",
    ),
    pytest.param(
        "extension_pending",
        lambda s, i, db: handling.request_extension(s, i, db.user("handler_zjj"), days=3, reason="再延"),
        IllegalTransition,
        None,
        id="second-pending-extension",
    ),
    pytest.param(
        "handling",
        lambda s, i, db: handling.decide_extension(s, i, db.user("supervisor"), RULES, approve=True),
        IllegalTransition,
        None,
        id="decide-without-request",
    ),
    pytest.param(
        "submitted", _dispatch(department_code="nosuch"), NotFound, "department", id="unknown-department"
    ),
    pytest.param(
        "submitted",
        _dispatch(co_department_codes=["cgj", "nosuch"]),
        NotFound,
        "department",
        id="unknown-co-department",
    ),
    pytest.param(
        "submitted",
        _dispatch(co_department_codes=["cgj", "zjj"]),
        InvalidInput,
        "co_departments",
        id="lead-also-co-handler",
    ),
    pytest.param("submitted", _dispatch(category="天文"), InvalidInput, "category", id="unknown-category"),
    pytest.param("submitted", _dispatch(note="注" * 2001), InvalidInput, "note", id="dispatch-note-too-long"),
    pytest.param(
        "handling",
        lambda s, i, db: handling.supervise(s, i, db.user("supervisor"), message=""),
        InvalidInput,
        "message",
        id="empty-supervision",
    ),
    pytest.param(
        "handling",
        lambda s, i, db: handling.co_handler_opinion(s, i, db.user("handler_cgj"), opinion="   "),
        InvalidInput,
        "opinion",
        id="empty-co-opinion",
    ),
    pytest.param(
        "replied",
        lambda s, i, db: handling.send_back(s, i, db.user("reviewer"), reason=""),
        InvalidInput,
        "reason",
        id="empty-send-back-reason",
    ),
    pytest.param(
        "closed",
        lambda s, i, db: handling.reopen(s, i, db.user("reviewer"), RULES, reason=""),
        InvalidInput,
        "reason",
        id="empty-reopen-reason",
    ),
    pytest.param(
        "closed",
        lambda s, i, db: handling.accept(s, i, db.user("handler_zjj")),
        IllegalTransition,
        "status",
        id="accept-closed",
    ),
]


@pytest.mark.parametrize(("status", "call", "error", "field"), REFUSALS)
def test_refused_input_writes_nothing(db, status, call, error, field):
    appeal_id = in_status(db, status)
    before = trace(db, appeal_id)
    # The error is caught inside the transaction, which then commits: anything the service had
    # written or left pending before refusing would be stored and show in the trace.
    with transaction(db.factory) as session, pytest.raises(error) as caught:
        call(session, appeal_id, db)
    assert trace(db, appeal_id) == before
    assert caught.value.message and not caught.value.message.isascii()
    if field is not None:
        assert field in caught.value.errors
    # And the same refusal through a rolled-back transaction, as a web request would see it.
    with pytest.raises(error), transaction(db.factory) as session:
        call(session, appeal_id, db)
    assert trace(db, appeal_id) == before


def test_unknown_appeal_is_not_found(db):
    with transaction(db.factory) as session, pytest.raises(NotFound):
        handling.accept(session, 987654, db.user("admin"))
    with transaction(db.factory) as session, pytest.raises(NotFound):
        handling.dispatch(session, 987654, db.user("dispatcher"), RULES, department_code="zjj")


def test_no_pending_extension_outlives_the_handling(db):
    appeal_id = in_status(db, "extension_pending")
    try:
        run(db, handling.reply, appeal_id, "handler_zjj", text="已处理完毕")
    except IllegalTransition:
        return  # refusing to reply while an extension waits would be a fix too
    run(db, handling.approve, appeal_id, "reviewer")
    with transaction(db.factory) as session:
        assert [r for r in queries.pending_extensions(session) if r.appeal_id == appeal_id] == []


def test_notices_and_extensions_belong_to_their_appeal(db):
    first = in_status(db, "extension_pending")
    second = in_status(db, "handling")
    run(db, handling.supervise, second, "supervisor", message="请加快")
    with transaction(db.factory) as session:
        assert [r.appeal_id for r in queries.extensions_of(session, first)] == [first]
        assert queries.extensions_of(session, second) == []
        assert [n.appeal_id for n in queries.notices_of(session, second)] == [second]
        assert session.scalar(select(func.count()).select_from(SupervisionNotice)) == 1
        assert session.scalar(select(func.count()).select_from(ExtensionRequest)) == 1
