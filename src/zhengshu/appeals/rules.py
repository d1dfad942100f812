"""The rules an appeal service needs besides the database, built once from settings."""

from __future__ import annotations

from dataclasses import dataclass

from zhengshu.appeals.deadlines import DEFAULT_HANDLE_DAYS, DEFAULT_URGENCY_CAP_DAYS, DeadlinePolicy
from zhengshu.settings import Settings
from zhengshu.workdays import WorkCalendar, default_calendar


@dataclass(frozen=True)
class AppealRules:
    deadlines: DeadlinePolicy

    @classmethod
    def default(cls) -> AppealRules:
        return cls(DeadlinePolicy(default_calendar()))

    @classmethod
    def from_settings(cls, settings: Settings) -> AppealRules:
        calendar = (
            WorkCalendar.from_file(settings.calendar_file) if settings.calendar_file else default_calendar()
        )
        policy = DeadlinePolicy(
            calendar,
            handle_days={**DEFAULT_HANDLE_DAYS, **settings.deadline_days},
            urgency_cap_days={**DEFAULT_URGENCY_CAP_DAYS, **settings.urgency_cap_days},
        )
        return cls(policy)
