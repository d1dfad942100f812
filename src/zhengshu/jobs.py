"""Periodic jobs. The embedded tier runs them on a thread of each web process (the job is safe to run
concurrently); a district deployment sets the interval to 0 and runs `zhengshu jobs run` from cron or
a process manager instead. No queue is configured in this release: work runs inline."""

from __future__ import annotations

import logging
import threading

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from zhengshu.appeals.briefs import ensure_previous_day
from zhengshu.appeals.supervision import issue_overdue_notices
from zhengshu.db import transaction

log = logging.getLogger("zhengshu.jobs")


def supervise_overdue(factory: sessionmaker[Session]) -> int:
    with transaction(factory) as session:
        issued = issue_overdue_notices(session)
    if issued:
        log.info("issued %d overdue supervision notices", issued)
    return issued


def generate_daily_briefs(factory: sessionmaker[Session]) -> bool:
    """Yesterday's briefs, once; True when this run generated them."""
    try:
        with transaction(factory) as session:
            generated = ensure_previous_day(session)
    except IntegrityError:  # another process stored them at the same moment
        return False
    if generated:
        log.info("generated the daily briefs")
    return generated


def detect_weak_signals(factory: sessionmaker[Session]) -> bool:
    """Yesterday's weak-signal detection, once; True when this run did it."""
    from datetime import timedelta

    from zhengshu.appeals.warnings import detect_once
    from zhengshu.clock import now

    try:
        with transaction(factory) as session:
            outcome = detect_once(session, now().date() - timedelta(days=1))
    except IntegrityError:  # another process ran the same day at the same moment
        return False
    if outcome is not None:
        log.info("weak signals: %d new warnings for %s", outcome.created, outcome.day.isoformat())
    return outcome is not None


def refresh_boards(factory: sessionmaker[Session]) -> int:
    """The dashboards' summaries, re-reading the last hour even when nothing newer is visible, so an
    update that committed late with an older timestamp is counted; the days recomputed."""
    from zhengshu.appeals.board_cube import JOB_OVERLAP, refresh

    with transaction(factory) as session:
        return refresh(session, overlap=JOB_OVERLAP).days


class PeriodicJobs:
    """Runs the periodic jobs every `interval` seconds on a daemon thread until stopped."""

    def __init__(self, factory: sessionmaker[Session], interval: float) -> None:
        self._factory = factory
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="zhengshu-jobs", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                supervise_overdue(self._factory)
            except Exception:
                log.exception("periodic job failed; will retry next interval")
            try:
                generate_daily_briefs(self._factory)
            except Exception:
                log.exception("daily briefs failed; will retry next interval")
            try:
                detect_weak_signals(self._factory)
            except Exception:
                log.exception("weak-signal detection failed; will retry next interval")
            try:
                refresh_boards(self._factory)
            except Exception:
                log.exception("dashboard summary refresh failed; will retry next interval")
