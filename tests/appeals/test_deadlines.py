"""Deadlines set at dispatch, in working days on the statutory calendar (调休 included)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import chinese_calendar
import pytest
from tests.appeals.helpers import submit

from zhengshu.appeals import handling
from zhengshu.appeals.deadlines import DEFAULT_HANDLE_DAYS, DeadlinePolicy
from zhengshu.appeals.models import Appeal
from zhengshu.appeals.rules import AppealRules
from zhengshu.clock import TZ
from zhengshu.db import transaction
from zhengshu.settings import Settings
from zhengshu.workdays import default_calendar

RULES = AppealRules.default()


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


def end_of(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), TZ)


def nth_workday_after(start: date, n: int) -> date:
    """Reference implementation straight from chinese_calendar (known years only)."""
    day = start
    while n:
        day += timedelta(days=1)
        n -= chinese_calendar.is_workday(day)
    return day


def dispatch_at(db, monkeypatch, moment: datetime, rules: AppealRules = RULES, **appeal) -> Appeal:
    """File an appeal and dispatch it at `moment`; returns it as stored."""
    monkeypatch.setattr(handling, "now", lambda: moment)
    with transaction(db.factory) as session:
        appeal_id = submit(session, db.user("operator"), **appeal).id
    with transaction(db.factory) as session:
        handling.dispatch(session, appeal_id, db.user("dispatcher"), rules, department_code="zjj")
    with transaction(db.factory) as session:
        return session.get_one(Appeal, appeal_id)


def test_calendar_facts_the_tests_rely_on():
    # National Day 2025: 10-01..10-08 off; Sunday 09-28 and Saturday 10-11 are working days.
    assert all(chinese_calendar.is_holiday(date(2025, 10, d)) for d in range(1, 9))
    assert chinese_calendar.is_workday(date(2025, 9, 28)) and date(2025, 9, 28).weekday() == 6
    assert chinese_calendar.is_workday(date(2025, 10, 11)) and date(2025, 10, 11).weekday() == 5
    # Spring Festival 2026: 02-15..02-23 off; Saturdays 02-14 and 02-28 are working days.
    assert all(chinese_calendar.is_holiday(date(2026, 2, d)) for d in range(15, 24))
    assert chinese_calendar.is_workday(date(2026, 2, 14)) and date(2026, 2, 14).weekday() == 5
    assert chinese_calendar.is_workday(date(2026, 2, 28)) and date(2026, 2, 28).weekday() == 5
    assert chinese_calendar.is_workday(date(2026, 2, 24))
    # 2027 is not published in the bundled calendar: deadlines into it are estimates.
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2027, 1, 4))


def test_complaint_across_national_day_counts_the_working_saturday(db, monkeypatch):
    appeal = dispatch_at(db, monkeypatch, at(2025, 9, 30), type="complaint")
    # 10-09, 10-10, 10-11 (调休 Saturday), 10-13 … 10-17, 10-20, 10-21.
    assert appeal.due_at == end_of(date(2025, 10, 21)) == end_of(nth_workday_after(date(2025, 9, 30), 10))
    # Without the working Saturday it would be 10-22.
    assert appeal.accept_due_at == end_of(date(2025, 10, 9))
    assert appeal.dispatched_at == at(2025, 9, 30)
    assert appeal.due_estimated is False


def test_dispatch_on_a_holiday_counts_from_the_next_working_day(db, monkeypatch):
    appeal = dispatch_at(db, monkeypatch, at(2025, 10, 3, 15), type="consultation")
    assert appeal.due_at == end_of(date(2025, 10, 11))  # 10-09, 10-10, 10-11 (Saturday, 调休)
    assert appeal.accept_due_at == end_of(date(2025, 10, 9))


@pytest.mark.parametrize(
    ("dispatched", "appeal_type", "due", "accept_due"),
    [
        # Friday before the festival: Saturday 02-14 works, then nothing until 02-24; Saturday 02-28 works.
        (at(2026, 2, 13), "complaint", date(2026, 3, 5), date(2026, 2, 14)),
        (at(2026, 2, 13), "consultation", date(2026, 2, 25), date(2026, 2, 14)),
        (at(2026, 2, 13), "help", date(2026, 2, 27), date(2026, 2, 14)),
        (at(2026, 2, 14, 17), "help", date(2026, 2, 28), date(2026, 2, 24)),
        (at(2026, 2, 18), "consultation", date(2026, 2, 26), date(2026, 2, 24)),
        (at(2026, 2, 13), "report", date(2026, 3, 12), date(2026, 2, 14)),
    ],
)
def test_spring_festival_2026(db, monkeypatch, dispatched, appeal_type, due, accept_due):
    appeal = dispatch_at(db, monkeypatch, dispatched, type=appeal_type)
    days = DEFAULT_HANDLE_DAYS[appeal_type]
    assert due == nth_workday_after(dispatched.date(), days)
    assert appeal.due_at == end_of(due)
    assert appeal.accept_due_at == end_of(accept_due) == end_of(nth_workday_after(dispatched.date(), 1))
    assert appeal.due_estimated is False


@pytest.mark.parametrize(
    "appeal_type", ["complaint", "report", "help", "consultation", "suggestion", "praise"]
)
def test_urgent_appeals_take_at_most_two_working_days(db, monkeypatch, appeal_type):
    appeal = dispatch_at(db, monkeypatch, at(2025, 9, 30, 16, 30), type=appeal_type, urgency="urgent")
    assert appeal.due_at == end_of(date(2025, 10, 10))  # 10-09, 10-10
    assert appeal.accept_due_at == at(2025, 9, 30, 20, 30)  # 4 clock hours, holiday or not


def test_urgent_cap_does_not_lengthen_a_shorter_type():
    policy = DeadlinePolicy(default_calendar(), handle_days={"consultation": 1})
    assert policy.working_days_for("consultation", "urgent") == 1
    assert policy.working_days_for("complaint", "urgent") == 2
    assert policy.working_days_for("complaint", "normal") == 10


def test_critical_appeal_accepted_within_one_hour(db, monkeypatch):
    appeal = dispatch_at(db, monkeypatch, at(2025, 10, 1, 23, 30), type="complaint", urgency="critical")
    assert appeal.accept_due_at == at(2025, 10, 2, 0, 30)
    assert appeal.due_at == end_of(date(2025, 10, 9))
    assert appeal.due_estimated is False


def test_dispatch_in_december_2026_lands_in_2027_as_an_estimate(db, monkeypatch):
    appeal = dispatch_at(db, monkeypatch, at(2026, 12, 15), type="report")
    # 12-16 … 12-31 are 12 working days; 2027 is counted Monday to Friday: 01-01, 01-04, 01-05.
    assert appeal.due_at == end_of(date(2027, 1, 5))
    assert appeal.due_estimated is True
    assert appeal.accept_due_at == end_of(date(2026, 12, 16))


def test_december_deadline_within_2026_is_exact(db, monkeypatch):
    appeal = dispatch_at(db, monkeypatch, at(2026, 12, 15), type="complaint")
    assert appeal.due_at == end_of(date(2026, 12, 29)) == end_of(nth_workday_after(date(2026, 12, 15), 10))
    assert appeal.due_estimated is False


def test_settings_override_deadline_days(db, monkeypatch):
    rules = AppealRules.from_settings(
        Settings(dev=True, deadline_days={"complaint": 3}, urgency_cap_days={"urgent": 1})
    )
    appeal = dispatch_at(db, monkeypatch, at(2025, 9, 30), rules, type="complaint")
    assert appeal.due_at == end_of(date(2025, 10, 11))  # the 调休 Saturday
    other = dispatch_at(db, monkeypatch, at(2025, 9, 30), rules, type="report")
    assert other.due_at == end_of(nth_workday_after(date(2025, 9, 30), 15))
    urgent = dispatch_at(db, monkeypatch, at(2025, 9, 30), rules, type="report", urgency="urgent")
    assert urgent.due_at == end_of(date(2025, 10, 9))
    # The override belongs to those rules only: the defaults are untouched.
    assert AppealRules.default().deadlines.working_days_for("complaint", "normal") == 10
    assert AppealRules.default().deadlines.working_days_for("report", "urgent") == 2
    assert DEFAULT_HANDLE_DAYS["complaint"] == 10


def test_extension_counts_working_days_from_the_current_deadline(db, monkeypatch):
    # Friday 09-26, consultation: 09-28 (Sunday, 调休), 09-29, 09-30.
    appeal = dispatch_at(db, monkeypatch, at(2025, 9, 26), type="consultation")
    assert appeal.due_at == end_of(date(2025, 9, 30))
    with transaction(db.factory) as session:
        handling.accept(session, appeal.id, db.user("handler_zjj"))
    with transaction(db.factory) as session:
        handling.request_extension(
            session, appeal.id, db.user("handler_zjj"), days=3, reason="节日期间无法联系"
        )
    with transaction(db.factory) as session:
        handling.decide_extension(session, appeal.id, db.user("supervisor"), RULES, approve=True)
    with transaction(db.factory) as session:
        assert session.get_one(Appeal, appeal.id).due_at == end_of(date(2025, 10, 11))


def test_reopen_sets_a_fresh_deadline_from_the_reopening(db, monkeypatch):
    appeal = dispatch_at(db, monkeypatch, at(2025, 9, 1), type="help")
    for step in ("accept", "reply", "approve"):
        with transaction(db.factory) as session:
            user = db.user("reviewer" if step == "approve" else "handler_zjj")
            kwargs = {"text": "已处理"} if step == "reply" else {}
            getattr(handling, step)(session, appeal.id, user, **kwargs)
    monkeypatch.setattr(handling, "now", lambda: at(2026, 2, 13))
    with transaction(db.factory) as session:
        reopened = handling.reopen(session, appeal.id, db.user("reviewer"), RULES, reason="问题反复")
        assert reopened.due_at == end_of(date(2026, 2, 27))
        assert reopened.due_estimated is False
