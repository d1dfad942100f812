"""Deadlines of an appeal in working days, by type and urgency, on the statutory calendar."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from zhengshu.appeals.vocabulary import AppealType, Urgency
from zhengshu.clock import TZ
from zhengshu.workdays import WorkCalendar

DEFAULT_HANDLE_DAYS = {
    AppealType.CONSULTATION.value: 3,
    AppealType.HELP.value: 5,
    AppealType.COMPLAINT.value: 10,
    AppealType.REPORT.value: 15,
    AppealType.SUGGESTION.value: 10,
    AppealType.PRAISE.value: 3,
}
# Urgent appeals are handled within at most this many working days, whatever their type.
DEFAULT_URGENCY_CAP_DAYS = {Urgency.URGENT.value: 2, Urgency.CRITICAL.value: 1}
# Time to accept (签收) after dispatch, in clock hours for urgent ones; one working day otherwise.
ACCEPT_HOURS = {Urgency.URGENT.value: 4, Urgency.CRITICAL.value: 1}
# Appeals due within this many hours show on the near-due list.
NEAR_DUE_HOURS = 24


@dataclass(frozen=True)
class Deadline:
    at: datetime
    estimated: bool


@dataclass(frozen=True)
class DeadlinePolicy:
    calendar: WorkCalendar
    handle_days: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_HANDLE_DAYS))
    urgency_cap_days: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_URGENCY_CAP_DAYS))

    def working_days_for(self, appeal_type: str, urgency: str) -> int:
        days = self.handle_days.get(appeal_type, DEFAULT_HANDLE_DAYS[appeal_type])
        cap = self.urgency_cap_days.get(urgency)
        return min(days, cap) if cap is not None else days

    def end_of_workday(self, start: datetime, days: int) -> Deadline:
        """The end of the working day that is `days` working days after `start`."""
        result = self.calendar.add_workdays(start.astimezone(TZ).date(), days)
        return Deadline(datetime.combine(result.day, time(23, 59, 59), TZ), result.estimated)

    def handle_deadline(self, dispatched_at: datetime, appeal_type: str, urgency: str) -> Deadline:
        return self.end_of_workday(dispatched_at, self.working_days_for(appeal_type, urgency))

    def accept_deadline(self, dispatched_at: datetime, urgency: str) -> Deadline:
        hours = ACCEPT_HOURS.get(urgency)
        if hours is not None:
            return Deadline(dispatched_at + timedelta(hours=hours), False)
        return self.end_of_workday(dispatched_at, 1)

    def extend(self, due_at: datetime, days: int) -> Deadline:
        return self.end_of_workday(due_at, days)
