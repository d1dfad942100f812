"""Dates as people and documents write them: 2024-05-01, 2024/5/1, 2024.5.1, 2024年5月1日,
二〇二四年三月十五日 and 20240501, full-width digits too. The one reader of a typed date, for the
application form, the pre-review and the policy library's metadata."""

from __future__ import annotations

import re
from datetime import date

from zhengshu.text.normalize import fold_width
from zhengshu.text.numerals import chinese_to_int

__all__ = ["EARLIEST_YEAR", "LATEST_YEAR", "DateProblem", "day_or_none", "read_day"]

EARLIEST_YEAR = 1900
LATEST_YEAR = 2200

_YEAR = r"[0-9]{4}|[〇○零一二三四五六七八九]{4}"
_PART = r"[0-9]{1,2}|[一二三四五六七八九十]{1,3}"
_DAY = re.compile(
    rf"(?P<y>{_YEAR})\s*(?:[-/.]|年)\s*(?P<m>{_PART})\s*(?:[-/.]|月)\s*(?P<d>{_PART})\s*日?"
    r"|(?P<y2>[0-9]{4})(?P<m2>[0-9]{2})(?P<d2>[0-9]{2})"
)


class DateProblem(ValueError):
    """A date that cannot be read or does not exist; the message says why, in Chinese."""


def read_day(text: str) -> date:
    """The date written, or DateProblem saying what is wrong ("2023年2月没有30日")."""
    found = _DAY.fullmatch(fold_width(text).strip())
    if found is None:
        raise DateProblem("日期格式应为“年-月-日”，如 2024-05-01")
    year = chinese_to_int(found["y"] or found["y2"])
    month = chinese_to_int(found["m"] or found["m2"])
    day = chinese_to_int(found["d"] or found["d2"])
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise DateProblem(f"年份{year}不合理")
    if not 1 <= month <= 12:
        raise DateProblem(f"月份应在1至12之间，填写的是{month}")
    try:
        return date(year, month, day)
    except ValueError:
        raise DateProblem(f"{year}年{month}月没有{day}日") from None


def day_or_none(text: str) -> date | None:
    """The date written, or None when it is no date."""
    try:
        return read_day(text)
    except DateProblem:
        return None
