"""One parser for the days people type: format, range (2000-01-01 to today) and periods."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from zhengshu.appeals.days import EARLIEST, MAX_PERIOD_DAYS, parse_day, parse_period
from zhengshu.clock import now
from zhengshu.errors import InvalidInput

FALLBACK = date(2026, 1, 31)


def test_empty_text_gives_the_default_and_a_day_is_read_as_typed():
    assert parse_day("", default=FALLBACK) == FALLBACK
    assert parse_day(None, default=FALLBACK) == FALLBACK
    assert parse_day(" 2026-03-01 ", default=FALLBACK) == date(2026, 3, 1)
    assert parse_day(EARLIEST.isoformat(), default=FALLBACK) == EARLIEST
    assert parse_day(now().date().isoformat(), default=FALLBACK) == now().date()


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("2026-02-30", "日期格式应为 YYYY-MM-DD"),
        ("yesterday", "日期格式应为 YYYY-MM-DD"),
        ("0001-01-01", "日期须在 2000-01-01 至今天"),
        ("1999-12-31", "日期须在 2000-01-01 至今天"),
        ("9999-12-31", "日期须在 2000-01-01 至今天"),
        ((now().date() + timedelta(days=1)).isoformat(), "至今天"),
    ],
)
def test_bad_or_out_of_range_days_are_refused_in_chinese(text, words):
    with pytest.raises(InvalidInput, match=words):
        parse_day(text, default=FALLBACK)


def test_a_future_day_only_where_allowed_and_never_near_year_9999():
    tomorrow = now().date() + timedelta(days=1)
    assert parse_day(tomorrow.isoformat(), default=FALLBACK, allow_future=True) == tomorrow
    with pytest.raises(InvalidInput, match="日期须在"):
        parse_day("9999-12-31", default=FALLBACK, allow_future=True)


def test_a_period_defaults_to_the_last_30_days_and_is_bounded():
    today = now().date()
    assert parse_period("", "") == (today - timedelta(days=29), today)
    assert parse_period("", "2000-01-05") == (EARLIEST, date(2000, 1, 5))
    assert parse_period("2026-01-01", "2026-01-31") == (date(2026, 1, 1), date(2026, 1, 31))
    with pytest.raises(InvalidInput, match="开始日期不能晚于结束日期"):
        parse_period("2026-03-10", "2026-03-01")
    with pytest.raises(InvalidInput, match=f"最长 {MAX_PERIOD_DAYS} 天"):
        parse_period("2020-01-01", "2026-01-01")
    with pytest.raises(InvalidInput, match="结束日期须在"):
        parse_period("", "9999-12-31")
    with pytest.raises(InvalidInput, match="开始日期格式应为"):
        parse_period("2026-13-01", "")
