"""The overdue job (one 督办单 per missed deadline, however often it runs) and the near-due and
overdue lists."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from sqlalchemy import func, select
from tests.appeals.helpers import submit

from zhengshu.appeals import handling, queries
from zhengshu.appeals.models import Appeal, SupervisionNotice
from zhengshu.appeals.rules import AppealRules
from zhengshu.appeals.supervision import issue_overdue_notices
from zhengshu.audit import AuditEvent, events_for
from zhengshu.clock import TZ
from zhengshu.db import transaction

RULES = AppealRules.default()


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


def end_of(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), TZ)


class Desk:
    """Acts on appeals at chosen moments, as the people of the centre would."""

    def __init__(self, db, monkeypatch: pytest.MonkeyPatch) -> None:
        self.db = db
        self.monkeypatch = monkeypatch

    def at(self, moment: datetime) -> Desk:
        self.monkeypatch.setattr(handling, "now", lambda: moment)
        return self

    def new(self, **overrides) -> int:
        with transaction(self.db.factory) as session:
            return submit(session, self.db.user("operator"), **overrides).id

    def do(self, service, appeal_id: int, actor: str, *args, **kwargs):
        with transaction(self.db.factory) as session:
            return service(session, appeal_id, self.db.user(actor), *args, **kwargs)

    def dispatched(self, moment: datetime, *, lead: str = "zjj", **overrides) -> int:
        appeal_id = self.new(**overrides)
        self.at(moment).do(handling.dispatch, appeal_id, "dispatcher", RULES, department_code=lead)
        return appeal_id

    def accepted(self, moment: datetime, **overrides) -> int:
        appeal_id = self.dispatched(moment, **overrides)
        self.do(handling.accept, appeal_id, "admin")
        return appeal_id

    def run_job(self, moment: datetime) -> int:
        with transaction(self.db.factory) as session:
            return issue_overdue_notices(session, at=moment)

    def notices(self, appeal_id: int | None = None) -> list[tuple[int, str, datetime | None]]:
        with transaction(self.db.factory) as session:
            query = select(SupervisionNotice).order_by(SupervisionNotice.id)
            if appeal_id is not None:
                query = query.where(SupervisionNotice.appeal_id == appeal_id)
            return [(n.appeal_id, n.kind, n.due_at) for n in session.scalars(query)]

    def supervised_events(self) -> int:
        with transaction(self.db.factory) as session:
            return session.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "appeal.supervised")
            )

    def ids(self, query, viewer: str, moment: datetime) -> list[int]:
        with transaction(self.db.factory) as session:
            return [a.id for a in query(session, self.db.user(viewer), at=moment).items]


@pytest.fixture
def desk(db, monkeypatch) -> Desk:
    return Desk(db, monkeypatch)


# Dispatched Tuesday 2025-09-30 10:00, a normal complaint: accept by the end of 10-09 (after
# National Day), handle by the end of 10-21 (the 调休 Saturday 10-11 counts).
DISPATCHED = at(2025, 9, 30)
ACCEPT_DUE = end_of(date(2025, 10, 9))
HANDLE_DUE = end_of(date(2025, 10, 21))


def test_nothing_before_a_deadline_passes(desk):
    appeal_id = desk.dispatched(DISPATCHED)
    assert desk.run_job(ACCEPT_DUE) == 0  # due at 23:59:59 is not yet missed at 23:59:59
    assert desk.notices() == [] and desk.supervised_events() == 0
    assert desk.run_job(at(2025, 10, 10, 0, 0)) == 1
    assert desk.notices() == [(appeal_id, "overdue_accept", ACCEPT_DUE)]


def test_one_notice_per_missed_deadline_however_often_the_job_runs(desk, db):
    late_twice = desk.dispatched(DISPATCHED)
    late_handle = desk.accepted(DISPATCHED, lead="cgj")
    on_time = desk.accepted(at(2025, 10, 20))  # due 11-03

    assert desk.run_job(at(2025, 10, 10)) == 1
    assert desk.notices() == [(late_twice, "overdue_accept", ACCEPT_DUE)]
    for hour in (11, 12, 18):
        assert desk.run_job(at(2025, 10, 10, hour)) == 0
    # Accepted late, it then misses its handling deadline too: a second, different notice.
    desk.at(at(2025, 10, 13)).do(handling.accept, late_twice, "handler_zjj")
    assert desk.run_job(at(2025, 10, 22, 9)) == 2
    assert desk.run_job(at(2025, 10, 22, 10)) == 0
    assert desk.run_job(at(2025, 11, 1, 9)) == 0
    assert desk.notices() == [
        (late_twice, "overdue_accept", ACCEPT_DUE),
        (late_twice, "overdue_handle", HANDLE_DUE),
        (late_handle, "overdue_handle", HANDLE_DUE),
    ]
    assert desk.notices(on_time) == []
    assert desk.supervised_events() == 3
    with transaction(db.factory) as session:
        notice = session.scalars(
            select(SupervisionNotice).where(SupervisionNotice.appeal_id == late_handle)
        ).one()
        assert notice.department_id == db.user("handler_cgj").department_id
        assert notice.issued_by_id is None and notice.issued_at == at(2025, 10, 22, 9)
        assert "办理时限" in notice.message
        [event] = [e for e in events_for(session, "appeal", late_handle) if e.action == "appeal.supervised"]
        assert event.actor_id is None and event.actor_label.startswith("系统")
        assert event.data == {"kind": "overdue_handle"} and event.at == at(2025, 10, 22, 9)
    assert desk.run_job(at(2025, 11, 4, 9)) == 1  # now on_time has missed 11-03 too
    assert desk.notices(on_time) == [(on_time, "overdue_handle", end_of(date(2025, 11, 3)))]


def test_job_changes_no_appeal(desk, db):
    appeal_id = desk.accepted(DISPATCHED)
    with transaction(db.factory) as session:
        before = session.get_one(Appeal, appeal_id).version
    desk.run_job(at(2025, 11, 1))
    with transaction(db.factory) as session:
        appeal = session.get_one(Appeal, appeal_id)
        assert (appeal.status, appeal.version) == ("handling", before)


def test_closed_and_replied_and_unsent_appeals_are_ignored(desk):
    closed = desk.accepted(DISPATCHED)
    desk.do(handling.reply, closed, "handler_zjj", text="已处理")
    replied = desk.accepted(DISPATCHED)
    desk.do(handling.reply, replied, "handler_zjj", text="已处理")
    desk.do(handling.approve, closed, "reviewer")
    desk.new()  # never dispatched: no deadline at all
    returned = desk.dispatched(DISPATCHED)
    desk.do(handling.return_appeal, returned, "handler_zjj", reason="非本单位职责")
    assert desk.run_job(at(2026, 1, 1)) == 0
    assert desk.notices() == []


def test_missed_again_after_an_extension_gives_a_new_notice(desk):
    appeal_id = desk.accepted(DISPATCHED)
    assert desk.run_job(at(2025, 10, 22)) == 1
    desk.at(at(2025, 10, 22, 11)).do(
        handling.request_extension, appeal_id, "handler_zjj", days=3, reason="需协调"
    )
    desk.do(handling.decide_extension, appeal_id, "supervisor", RULES, approve=True)
    extended = end_of(date(2025, 10, 24))  # 10-22, 10-23, 10-24 after the old deadline
    # Inside the extension, nothing new.
    assert desk.run_job(at(2025, 10, 24, 18)) == 0
    assert desk.run_job(at(2025, 10, 25, 8)) == 1
    assert desk.run_job(at(2025, 10, 26, 8)) == 0
    assert desk.notices(appeal_id) == [
        (appeal_id, "overdue_handle", HANDLE_DUE),
        (appeal_id, "overdue_handle", extended),
    ]


def test_reopened_appeal_missed_again_gives_a_new_notice(desk):
    appeal_id = desk.accepted(DISPATCHED)
    assert desk.run_job(at(2025, 10, 22)) == 1
    desk.do(handling.reply, appeal_id, "handler_zjj", text="已处理")
    desk.do(handling.approve, appeal_id, "reviewer")
    desk.at(at(2025, 11, 3)).do(handling.reopen, appeal_id, "reviewer", RULES, reason="问题未解决")
    assert desk.run_job(at(2025, 11, 10)) == 0
    assert desk.run_job(at(2025, 11, 18)) == 1
    assert [kind for _, kind, _ in desk.notices(appeal_id)] == ["overdue_handle", "overdue_handle"]


def test_redispatched_appeal_gets_a_new_accept_deadline_and_notice(desk):
    appeal_id = desk.dispatched(DISPATCHED)
    assert desk.run_job(at(2025, 10, 10)) == 1
    desk.do(handling.return_appeal, appeal_id, "handler_zjj", reason="非本单位职责")
    desk.at(at(2025, 10, 13)).do(handling.dispatch, appeal_id, "dispatcher", RULES, department_code="cgj")
    assert desk.run_job(at(2025, 10, 14, 12)) == 0
    assert desk.run_job(at(2025, 10, 15, 0, 1)) == 1
    assert desk.notices(appeal_id)[-1] == (appeal_id, "overdue_accept", end_of(date(2025, 10, 14)))


def test_urgent_accept_deadline_in_clock_hours(desk):
    appeal_id = desk.dispatched(at(2025, 10, 1, 9), urgency="urgent")
    assert desk.run_job(at(2025, 10, 1, 12, 59)) == 0
    assert desk.run_job(at(2025, 10, 1, 13, 1)) == 1
    assert desk.notices(appeal_id) == [(appeal_id, "overdue_accept", at(2025, 10, 1, 13))]


def test_never_accepted_appeal_past_both_deadlines_gets_both_notices(desk):
    appeal_id = desk.dispatched(DISPATCHED)
    assert desk.ids(queries.overdue, "supervisor", at(2025, 10, 22)) == [appeal_id]
    desk.run_job(at(2025, 10, 22))
    assert sorted(kind for _, kind, _ in desk.notices(appeal_id)) == ["overdue_accept", "overdue_handle"]


# --- near-due and overdue lists ---------------------------------------------------------------


def test_near_due_and_overdue_lists(desk):
    moment = at(2025, 10, 21, 12)
    overdue = desk.accepted(at(2025, 9, 29))  # due 10-20
    near = desk.accepted(DISPATCHED)  # due 10-21 23:59:59, within 24 hours
    near_unaccepted = desk.dispatched(DISPATCHED, lead="cgj")
    later = desk.accepted(at(2025, 10, 10))  # due 10-23
    replied = desk.accepted(at(2025, 9, 29))
    desk.do(handling.reply, replied, "handler_zjj", text="已处理")
    closed = desk.accepted(at(2025, 9, 29))
    desk.do(handling.reply, closed, "handler_zjj", text="已处理")
    desk.do(handling.approve, closed, "reviewer")

    assert desk.ids(queries.overdue, "supervisor", moment) == [overdue]
    assert sorted(desk.ids(queries.near_due, "supervisor", moment)) == sorted([near, near_unaccepted])
    assert later not in desk.ids(queries.near_due, "supervisor", moment)
    # Handlers see only their own department's.
    assert desk.ids(queries.overdue, "handler_zjj", moment) == [overdue]
    assert desk.ids(queries.near_due, "handler_zjj", moment) == [near]
    assert desk.ids(queries.near_due, "handler_cgj", moment) == [near_unaccepted]
    assert desk.ids(queries.overdue, "handler_cgj", moment) == []
    # A day later the near ones are overdue, and the later one is near.
    next_day = at(2025, 10, 22, 12)
    assert sorted(desk.ids(queries.overdue, "supervisor", next_day)) == sorted(
        [overdue, near, near_unaccepted]
    )
    assert desk.ids(queries.near_due, "supervisor", next_day) == []
    assert desk.ids(queries.near_due, "supervisor", at(2025, 10, 23, 0, 0)) == [later]
    # Ordered by deadline, earliest first.
    assert desk.ids(queries.overdue, "supervisor", at(2025, 10, 30))[:1] == [overdue]


def test_supervision_notices_list_follows_what_the_viewer_may_read(desk):
    ours = desk.accepted(DISPATCHED)
    theirs = desk.accepted(DISPATCHED, lead="cgj")
    desk.run_job(at(2025, 10, 22))
    desk.do(handling.supervise, ours, "supervisor", message="请说明超期原因")
    with transaction(desk.db.factory) as session:
        every = queries.supervision_notices(session, desk.db.user("supervisor"))
        assert sorted(n.appeal_id for n in every) == sorted([ours, theirs, ours])
        mine = queries.supervision_notices(session, desk.db.user("handler_zjj"))
        assert [(n.appeal_id, n.kind) for n in mine] == [(ours, "manual"), (ours, "overdue_handle")]
