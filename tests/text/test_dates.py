"""The one reader of a typed date: digits or Chinese numerals, separators or 年月日, full width too,
and a Chinese reason for a date that cannot be read or does not exist."""

from __future__ import annotations

from datetime import date

import pytest

from zhengshu.policy.metadata import parse_chinese_day
from zhengshu.text.dates import DateProblem, day_or_none, read_day


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("2024-05-01", date(2024, 5, 1)),
        ("2024/5/1", date(2024, 5, 1)),
        ("2024.5.1", date(2024, 5, 1)),
        ("2024年5月1日", date(2024, 5, 1)),
        ("2024 年 5 月 1 日", date(2024, 5, 1)),
        ("20240501", date(2024, 5, 1)),
        ("二〇二四年三月十五日", date(2024, 3, 15)),
        ("二〇二四年十二月三十一日", date(2024, 12, 31)),
        ("２０２４－０５－０１", date(2024, 5, 1)),
        ("  2024-05-01\u3000", date(2024, 5, 1)),
    ],
)
def test_dates_as_people_and_documents_write_them(typed: str, day: date) -> None:
    assert read_day(typed) == day
    assert parse_chinese_day(typed) == day  # the policy library reads them the same way


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("2023-02-29", "2023年2月没有29日"),
        ("二〇二三年二月三十日", "2023年2月没有30日"),
        ("2024-13-01", "月份应在1至12之间"),
        ("1850-01-01", "年份1850不合理"),
        ("三月", "日期格式应为"),
        ("2024-05", "日期格式应为"),
        ("", "日期格式应为"),
    ],
)
def test_a_date_that_cannot_be_read_says_why(typed: str, reason: str) -> None:
    with pytest.raises(DateProblem, match=reason):
        read_day(typed)
    assert day_or_none(typed) is None and parse_chinese_day(typed) is None
