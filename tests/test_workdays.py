"""Working days on the PRC statutory calendar, checked against the published notices."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhengshu.workdays import (
    UnknownCalendarYear,
    WorkCalendar,
    WorkdayCount,
    WorkdayResult,
    YearOverrides,
    default_calendar,
)

CAL = default_calendar()

# A made-up 2027 arrangement (the real one is not published yet): New Year's Day
# Friday 2027-01-01 off, and one hypothetical working Sunday.
HYPOTHETICAL_2027 = {
    "2027": {
        "holidays": ["2027-01-01"],
        "workdays": ["2027-01-10"],
    }
}


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def _write(tmp_path: Path, payload: object) -> Path:
    path = tmp_path / "extra.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    return path


# --- the real arrangements (国务院办公厅 notices), hand-checked ---------------------


def test_national_day_2025() -> None:
    assert all(not CAL.is_workday(day) for day in _days(date(2025, 10, 1), date(2025, 10, 8)))
    assert date(2025, 9, 28).weekday() == 6 and CAL.is_workday(date(2025, 9, 28))
    assert date(2025, 10, 11).weekday() == 5 and CAL.is_workday(date(2025, 10, 11))
    assert not CAL.is_workday(date(2025, 10, 12))


def test_spring_festival_2025() -> None:
    assert all(not CAL.is_workday(day) for day in _days(date(2025, 1, 28), date(2025, 2, 4)))
    assert date(2025, 1, 26).weekday() == 6 and CAL.is_workday(date(2025, 1, 26))
    assert date(2025, 2, 8).weekday() == 5 and CAL.is_workday(date(2025, 2, 8))


def test_spring_festival_2026() -> None:
    assert all(not CAL.is_workday(day) for day in _days(date(2026, 2, 15), date(2026, 2, 23)))
    assert date(2026, 2, 14).weekday() == 5 and CAL.is_workday(date(2026, 2, 14))
    assert date(2026, 2, 28).weekday() == 5 and CAL.is_workday(date(2026, 2, 28))


def test_national_day_2024() -> None:
    assert all(not CAL.is_workday(day) for day in _days(date(2024, 10, 1), date(2024, 10, 7)))
    assert CAL.is_workday(date(2024, 9, 29)) and CAL.is_workday(date(2024, 10, 12))


def test_agrees_with_library_for_every_day_2024_to_2026() -> None:
    for day in _days(date(2024, 1, 1), date(2026, 12, 31)):
        assert CAL.is_workday(day) == chinese_calendar.is_workday(day), day


def test_five_workdays_over_national_day_2025() -> None:
    # 10-01..08 off; 10-09 Thu (1), 10-10 Fri (2), 10-11 Sat 调休 (3), 10-12 Sun off,
    # 10-13 Mon (4), 10-14 Tue (5). The brief's guess of 10-13 was one day short.
    assert CAL.add_workdays(date(2025, 9, 30), 5) == WorkdayResult(date(2025, 10, 14), False)


def test_workdays_between_over_spring_festival_2025() -> None:
    # (01-24 Fri, 02-09 Sun]: 01-26 Sun, 01-27 Mon, 02-05..07, 02-08 Sat.
    assert CAL.workdays_between(date(2025, 1, 24), date(2025, 2, 9)) == WorkdayCount(6, False)


# --- counting conventions ----------------------------------------------------------


def test_one_workday_from_friday_is_monday() -> None:
    assert CAL.add_workdays(date(2025, 3, 7), 1).day == date(2025, 3, 10)


def test_one_workday_from_friday_before_adjusted_saturday() -> None:
    assert CAL.add_workdays(date(2025, 10, 10), 1).day == date(2025, 10, 11)


def test_zero_days_on_workday_is_start() -> None:
    assert CAL.add_workdays(date(2025, 9, 28), 0) == WorkdayResult(date(2025, 9, 28), False)


def test_zero_days_on_holiday_is_next_workday() -> None:
    assert CAL.add_workdays(date(2025, 10, 1), 0).day == date(2025, 10, 9)
    assert CAL.next_workday(date(2025, 10, 1)).day == date(2025, 10, 9)


def test_negative_days_rejected() -> None:
    with pytest.raises(ValueError):
        CAL.add_workdays(date(2025, 1, 2), -1)


def test_workdays_between_sign() -> None:
    assert CAL.workdays_between(date(2025, 3, 7), date(2025, 3, 7)) == WorkdayCount(0, False)
    assert CAL.workdays_between(date(2025, 3, 7), date(2025, 3, 10)).days == 1
    assert CAL.workdays_between(date(2025, 3, 10), date(2025, 3, 7)).days == -1


def test_crosses_year_boundary_between_known_years() -> None:
    # 2024-12-31 Tue, 2025-01-01 holiday, 01-02 Thu, 01-03 Fri.
    assert CAL.add_workdays(date(2024, 12, 30), 3) == WorkdayResult(date(2025, 1, 3), False)


# --- years the library does not know -----------------------------------------------


def test_unknown_year_is_reported() -> None:
    assert CAL.knows_year(2026) and not CAL.knows_year(2027)
    with pytest.raises(UnknownCalendarYear) as caught:
        CAL.is_workday(date(2027, 1, 4))
    assert caught.value.year == 2027
    assert "2027年" in str(caught.value)


def test_unknown_year_estimates_weekdays() -> None:
    assert CAL.is_workday_or_estimate(date(2027, 1, 1)) == (True, True)
    assert CAL.is_workday_or_estimate(date(2027, 1, 2)) == (False, True)
    assert CAL.is_workday_or_estimate(date(2025, 10, 11)) == (True, False)


def test_deadline_into_2027_is_estimated() -> None:
    # 2026-12-28..31 (4), then 2027 as Mon-Fri: 01-01 (5), 01-04..08 (6..10).
    assert CAL.add_workdays(date(2026, 12, 25), 10) == WorkdayResult(date(2027, 1, 8), True)
    assert CAL.workdays_between(date(2026, 12, 25), date(2027, 1, 8)) == WorkdayCount(10, True)


def test_estimate_only_when_unknown_days_are_counted() -> None:
    assert CAL.add_workdays(date(2026, 12, 30), 1) == WorkdayResult(date(2026, 12, 31), False)
    assert CAL.add_workdays(date(2026, 12, 31), 0) == WorkdayResult(date(2026, 12, 31), False)
    assert CAL.add_workdays(date(2026, 12, 31), 1) == WorkdayResult(date(2027, 1, 1), True)
    assert CAL.workdays_between(date(2026, 12, 1), date(2026, 12, 31)).estimated is False


# --- operator-loaded years ---------------------------------------------------------


def test_loaded_year_is_not_estimated(tmp_path: Path) -> None:
    cal = WorkCalendar.from_file(_write(tmp_path, HYPOTHETICAL_2027))
    assert cal.knows_year(2027)
    assert not cal.is_workday(date(2027, 1, 1))
    assert cal.is_workday(date(2027, 1, 10))
    # 12-28..31 (4), 01-04..08 (5..9), 01-10 Sun 调休 (10).
    assert cal.add_workdays(date(2026, 12, 25), 10) == WorkdayResult(date(2027, 1, 10), False)


def test_overrides_take_precedence_over_library() -> None:
    day = date(2025, 3, 10)
    cal = WorkCalendar({2025: YearOverrides(holidays=frozenset({day}), workdays=frozenset())})
    assert not cal.is_workday(day)
    assert CAL.is_workday(day)


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        ({"2027": {"holidays": ["2026-12-31"], "workdays": []}}, "outside 2027"),
        ({"2027": {"holidays": [], "workdays": ["2028-01-02"]}}, "outside 2027"),
        ({"2027": {"holidays": ["2027-01-01"], "workdays": ["2027-01-01"]}}, "both"),
        ({"2027": {"holidays": ["2027-13-01"], "workdays": []}}, "not an ISO date"),
        ({"2027": {"holidays": [20270101], "workdays": []}}, "not an ISO date"),
        ({"2027": {"holiday": [], "workdays": []}}, "keys must be"),
        ({"2027": {"holidays": "2027-01-01", "workdays": []}}, "expected a list"),
        ({"27": {"holidays": [], "workdays": []}}, "four-digit year"),
        ({"2027": []}, "expected an object"),
        (["2027-01-01"], "keyed by year"),
    ],
)
def test_invalid_extra_file(tmp_path: Path, payload: object, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        WorkCalendar.from_file(_write(tmp_path, payload))


def test_malformed_json(tmp_path: Path) -> None:
    path = tmp_path / "extra.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="not valid JSON"):
        WorkCalendar.from_file(path)


def test_default_calendar_is_shared() -> None:
    assert default_calendar() is default_calendar()


# --- properties over the known years -----------------------------------------------

known_days = st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 9, 30))
spans = st.integers(min_value=1, max_value=60)


def _naive_add(start: date, days: int) -> date:
    """Day-by-day oracle straight from the library."""
    day = start
    while days:
        day += timedelta(days=1)
        days -= chinese_calendar.is_workday(day)
    return day


@given(known_days, spans)
def test_add_matches_day_by_day_oracle(start: date, days: int) -> None:
    assert CAL.add_workdays(start, days) == WorkdayResult(_naive_add(start, days), False)


@given(known_days, spans)
def test_add_is_monotone_in_days(start: date, days: int) -> None:
    # From 0 to 1 only non-strict: on a rest day both give the next working day.
    assert CAL.add_workdays(start, 0).day <= CAL.add_workdays(start, 1).day
    assert CAL.add_workdays(start, days).day < CAL.add_workdays(start, days + 1).day


@given(known_days, spans)
def test_between_inverts_add(start: date, days: int) -> None:
    end = CAL.add_workdays(start, days).day
    assert CAL.workdays_between(start, end) == WorkdayCount(days, False)
    assert CAL.workdays_between(end, start) == WorkdayCount(-days, False)
    assert CAL.is_workday(end)


@given(known_days)
def test_next_workday_is_first_workday_on_or_after(day: date) -> None:
    found = CAL.next_workday(day).day
    assert CAL.is_workday(found)
    assert all(not CAL.is_workday(skipped) for skipped in _days(day, found - timedelta(days=1)))
