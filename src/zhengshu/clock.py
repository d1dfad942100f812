"""The one source of the current time (Asia/Shanghai), so tests and jobs agree on "now"."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    return datetime.now(TZ)


def local(moment: datetime) -> datetime:
    """SQLite returns naive datetimes (stored as local time); attach the zone back."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=TZ)
    return moment.astimezone(TZ)


def day_start(day: date) -> datetime:
    """Midnight in Asia/Shanghai at the start of ``day``."""
    return datetime.combine(day, time.min, tzinfo=TZ)
