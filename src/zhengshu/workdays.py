"""Working-day arithmetic on the PRC statutory calendar (法定节假日与调休).

Appeal deadlines are counted in working days, so weekend days that are official
working days (调休上班) count and weekdays inside a holiday do not. The published
arrangement comes from `chinese_calendar`; an operator can load a year it does not
know yet. For a year nobody has loaded, the product rule is to say so rather than
guess silently: strict methods raise `UnknownCalendarYear`, arithmetic methods count
that year as Monday-Friday and flag the result as estimated.
"""

from __future__ import annotations

import calendar
import functools
import json
from bisect import bisect_left
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import MAXYEAR, MINYEAR, date, timedelta
from pathlib import Path
from typing import Any

import chinese_calendar

__all__ = [
    "UnknownCalendarYear",
    "WorkCalendar",
    "WorkdayCount",
    "WorkdayResult",
    "YearOverrides",
    "default_calendar",
]


class UnknownCalendarYear(Exception):
    """The statutory arrangement for `year` is neither in the library nor loaded."""

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(f"{year}年的法定节假日安排尚未载入，无法精确计算工作日")


@dataclass(frozen=True)
class WorkdayResult:
    day: date
    # True when a day counted fell in an unknown year (counted as Mon-Fri);
    # callers must present the deadline as provisional.
    estimated: bool


@dataclass(frozen=True)
class WorkdayCount:
    days: int
    estimated: bool


@dataclass(frozen=True)
class YearOverrides:
    """A year's published arrangement: holidays, and weekend days made working days."""

    holidays: frozenset[date]
    workdays: frozenset[date]


@dataclass(frozen=True)
class _YearTable:
    year: int
    estimated: bool
    # cumulative[i] = working days among the first i days of the year, so any
    # count inside a year is one subtraction and any advance is one bisect.
    cumulative: tuple[int, ...]

    @property
    def length(self) -> int:
        return len(self.cumulative) - 1

    @property
    def total(self) -> int:
        return self.cumulative[-1]

    def is_workday(self, day_of_year: int) -> bool:
        return self.cumulative[day_of_year] > self.cumulative[day_of_year - 1]

    def day(self, day_of_year: int) -> date:
        return date(self.year, 1, 1) + timedelta(days=day_of_year - 1)


class WorkCalendar:
    """Statutory working days, with optional operator-loaded years.

    Loaded years take precedence over the library, so an operator can also correct
    a year the library has wrong.
    """

    def __init__(self, extra: Mapping[int, YearOverrides] | None = None) -> None:
        self._extra: dict[int, YearOverrides] = dict(extra or {})
        for year, overrides in self._extra.items():
            _check_overrides(year, overrides)
        # Filled lazily; a race only builds the same table twice, so no lock.
        self._tables: dict[int, _YearTable] = {}

    @classmethod
    def from_file(cls, path: str | Path) -> WorkCalendar:
        """Load `{"2027": {"holidays": [...], "workdays": [...]}}` (ISO dates)."""
        source = Path(path)
        try:
            raw = json.loads(source.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{source}: not valid JSON: {exc}") from exc
        try:
            return cls(_parse_extra(raw))
        except ValueError as exc:
            raise ValueError(f"{source}: {exc}") from exc

    def knows_year(self, year: int) -> bool:
        return MINYEAR <= year <= MAXYEAR and not self._table(year).estimated

    def is_workday(self, day: date) -> bool:
        table = self._table(day.year)
        if table.estimated:
            raise UnknownCalendarYear(day.year)
        return table.is_workday(_day_of_year(day))

    def is_workday_or_estimate(self, day: date) -> tuple[bool, bool]:
        """(is working day, estimated); never raises for an unknown year."""
        table = self._table(day.year)
        return table.is_workday(_day_of_year(day)), table.estimated

    def add_workdays(self, start: date, days: int) -> WorkdayResult:
        """The day `days` working days after `start`; start itself is not counted.

        days=0 gives `start` when it is a working day, else the next working day.
        """
        if days < 0:
            raise ValueError(f"days must be >= 0, got {days}")
        if days == 0:
            return self.next_workday(start)
        return self._advance(start.year, _day_of_year(start), days)

    def next_workday(self, day: date) -> WorkdayResult:
        """The first working day on or after `day`."""
        # Counting from the day before makes `day` itself eligible.
        return self._advance(day.year, _day_of_year(day) - 1, 1)

    def workdays_between(self, start: date, end: date) -> WorkdayCount:
        """Working days in (start, end]; negative when end < start."""
        if end < start:
            backwards = self._count_forward(end, start)
            return WorkdayCount(-backwards.days, backwards.estimated)
        return self._count_forward(start, end)

    def _advance(self, year: int, after_day_of_year: int, count: int) -> WorkdayResult:
        """First day with `count` (>= 1) working days after the given day of `year`."""
        estimated = False
        while True:
            table = self._table(year)
            if after_day_of_year < table.length:
                # Only years whose days are actually examined may mark the estimate.
                estimated = estimated or table.estimated
                target = table.cumulative[after_day_of_year] + count
                if target <= table.total:
                    found = bisect_left(table.cumulative, target)
                    return WorkdayResult(table.day(found), estimated)
                count = target - table.total
            year += 1
            after_day_of_year = 0

    def _count_forward(self, start: date, end: date) -> WorkdayCount:
        total = 0
        estimated = False
        for year in range(start.year, end.year + 1):
            table = self._table(year)
            low = _day_of_year(start) if year == start.year else 0
            high = _day_of_year(end) if year == end.year else table.length
            if high > low:
                total += table.cumulative[high] - table.cumulative[low]
                estimated = estimated or table.estimated
        return WorkdayCount(total, estimated)

    def _table(self, year: int) -> _YearTable:
        table = self._tables.get(year)
        if table is None:
            table = self._build_table(year)
            self._tables[year] = table
        return table

    def _build_table(self, year: int) -> _YearTable:
        is_working, estimated = self._classifier(year)
        first = date(year, 1, 1)
        cumulative = [0]
        for offset in range(366 if calendar.isleap(year) else 365):
            cumulative.append(cumulative[-1] + is_working(first + timedelta(days=offset)))
        return _YearTable(year, estimated, tuple(cumulative))

    def _classifier(self, year: int) -> tuple[Callable[[date], bool], bool]:
        overrides = self._extra.get(year)
        if overrides is not None:
            return functools.partial(_is_workday_with, overrides), False
        if _library_knows(year):
            return _library_is_workday, False
        return _is_weekday, True


@functools.cache
def default_calendar() -> WorkCalendar:
    """The process-wide calendar without operator data (tables are built once)."""
    return WorkCalendar()


def _day_of_year(day: date) -> int:
    return day.timetuple().tm_yday


def _is_weekday(day: date) -> bool:
    return day.weekday() < 5


def _is_workday_with(overrides: YearOverrides, day: date) -> bool:
    if day in overrides.workdays:
        return True
    return _is_weekday(day) and day not in overrides.holidays


def _library_is_workday(day: date) -> bool:
    return bool(chinese_calendar.is_workday(day))


def _library_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def _check_overrides(year: int, overrides: YearOverrides) -> None:
    for kind, days in (("holidays", overrides.holidays), ("workdays", overrides.workdays)):
        stray = sorted(day for day in days if day.year != year)
        if stray:
            listed = ", ".join(day.isoformat() for day in stray)
            raise ValueError(f"{year}: {kind} contains dates outside {year}: {listed}")
    both = sorted(overrides.holidays & overrides.workdays)
    if both:
        listed = ", ".join(day.isoformat() for day in both)
        raise ValueError(f"{year}: dates listed as both holiday and workday: {listed}")


def _parse_extra(raw: Any) -> dict[int, YearOverrides]:
    if not isinstance(raw, dict):
        raise ValueError("expected an object keyed by year")
    return {_parse_year(key): _parse_year_entry(key, value) for key, value in raw.items()}


def _parse_year(key: str) -> int:
    if not (key.isascii() and key.isdigit() and len(key) == 4 and int(key) >= MINYEAR):
        raise ValueError(f"{key!r} is not a four-digit year")
    return int(key)


def _parse_year_entry(key: str, value: Any) -> YearOverrides:
    if not isinstance(value, dict):
        raise ValueError(f"{key}: expected an object with 'holidays' and 'workdays'")
    # Reject unknown keys so a typo such as "holiday" cannot silently drop a list.
    if set(value) != {"holidays", "workdays"}:
        raise ValueError(f"{key}: keys must be exactly 'holidays' and 'workdays', got {sorted(value)}")
    return YearOverrides(
        holidays=_parse_dates(value["holidays"], f"{key}.holidays"),
        workdays=_parse_dates(value["workdays"], f"{key}.workdays"),
    )


def _parse_dates(items: Any, where: str) -> frozenset[date]:
    if not isinstance(items, list):
        raise ValueError(f"{where}: expected a list of ISO dates")
    parsed: set[date] = set()
    for item in items:
        if not isinstance(item, str):
            raise ValueError(f"{where}: {item!r} is not an ISO date string")
        try:
            parsed.add(date.fromisoformat(item))
        except ValueError as exc:
            raise ValueError(f"{where}: {item!r} is not an ISO date (YYYY-MM-DD)") from exc
    return frozenset(parsed)
