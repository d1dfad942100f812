"""Days typed by a person (YYYY-MM-DD) for briefs, warnings and statistics: one parser for all.

A day is accepted from ``EARLIEST`` (before the platform existed, so nothing to show, and far enough
from year 1 that a day's bounds and look-back windows stay valid dates) up to today; a future day only
where the caller allows it, and never past ``LATEST``. A period is at most ``MAX_PERIOD_DAYS`` long."""

from __future__ import annotations

from datetime import date, timedelta

from zhengshu.clock import now
from zhengshu.errors import InvalidInput

EARLIEST = date(2000, 1, 1)
LATEST = date(9000, 12, 31)
MAX_PERIOD_DAYS = 366
EXAMPLE = "2026-01-31"


def parse_day(
    text: str | None,
    *,
    default: date,
    earliest: date = EARLIEST,
    allow_future: bool = False,
    label: str = "日期",
) -> date:
    """The day ``text`` names; ``default`` when it is empty. ``label`` names the field in messages."""
    if text is None or not text.strip():
        return default
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"{label}格式应为 YYYY-MM-DD，例如 {EXAMPLE}（收到：{text.strip()}）") from None
    latest = LATEST if allow_future else now().date()
    if not earliest <= day <= latest:
        upper = latest.isoformat() if allow_future else f"今天（{latest.isoformat()}）"
        raise InvalidInput(f"{label}须在 {earliest.isoformat()} 至{upper}之间（收到：{day.isoformat()}）")
    return day


def parse_period(
    first: str | None,
    last: str | None,
    *,
    days: int = 30,
    max_days: int = MAX_PERIOD_DAYS,
    earliest: date = EARLIEST,
) -> tuple[date, date]:
    """The first and last day of a period typed as two days; by default the ``days`` days up to the
    last day (today when empty). The first day is not after the last, the span at most ``max_days``."""
    typed_first = parse_day(first, default=earliest, earliest=earliest, label="开始日期")
    last_day = parse_day(last, default=now().date(), earliest=earliest, label="结束日期")
    first_day = typed_first if first and first.strip() else max(earliest, last_day - timedelta(days=days - 1))
    if first_day > last_day:
        raise InvalidInput("开始日期不能晚于结束日期")
    if (last_day - first_day).days + 1 > max_days:
        raise InvalidInput(f"统计区间最长 {max_days} 天，请缩短开始与结束日期之间的间隔")
    return first_day, last_day


def month_of(day: date) -> date:
    """The first day of ``day``'s calendar month."""
    return day.replace(day=1)


def month_end(month: date) -> date:
    """The last day of ``month``'s calendar month."""
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def months_between(first: date, last: date) -> list[date]:
    """The first day of every calendar month from ``first``'s through ``last``'s."""
    months = []
    month = month_of(first)
    while month <= last:
        months.append(month)
        month = month_end(month) + timedelta(days=1)
    return months
