"""Several people acting on the same appeal at the same moment: exactly one wins, nothing is lost.

Each thread has its own session and transaction, as web workers do. On PostgreSQL the threads
really overlap; on SQLite (BEGIN IMMEDIATE) they queue, and the result must be the same."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait

import pytest
from sqlalchemy import func, select
from tests.appeals.helpers import submit

from zhengshu.appeals import handling
from zhengshu.appeals.models import Appeal
from zhengshu.appeals.rules import AppealRules
from zhengshu.audit import AuditEvent, events_for
from zhengshu.db import transaction
from zhengshu.errors import Conflict, IllegalTransition

RULES = AppealRules.default()
THREADS = 8
OK = "ok"
# A thread still running after this long is stuck (a lock or pool wait that never ends).
STUCK_AFTER_SECONDS = 120


def in_threads(work: Callable, items: list) -> list:
    """Run work(item) for each item in its own thread; fail instead of hanging on a stuck thread."""
    pool = ThreadPoolExecutor(max_workers=len(items))
    futures = [pool.submit(work, item) for item in items]
    _, stuck = wait(futures, timeout=STUCK_AFTER_SECONDS)
    pool.shutdown(wait=not stuck, cancel_futures=True)
    assert not stuck, f"{len(stuck)} of {len(items)} threads still running after {STUCK_AFTER_SECONDS} s"
    return [f.result() for f in futures]


def new_appeal(db) -> int:
    with transaction(db.factory) as session:
        return submit(session, db.user("operator")).id


def dispatched(db) -> int:
    appeal_id = new_appeal(db)
    with transaction(db.factory) as session:
        handling.dispatch(session, appeal_id, db.user("dispatcher"), RULES, department_code="zjj")
    return appeal_id


def state(db, appeal_id: int) -> tuple[str, int, list[str]]:
    with transaction(db.factory) as session:
        appeal = session.get_one(Appeal, appeal_id)
        return appeal.status, appeal.version, [e.action for e in events_for(session, "appeal", appeal_id)]


def race(db, appeal_id: int, calls: list[Callable], *, preload: bool) -> list[object]:
    """Run the calls at once, each in its own transaction; returns OK or the exception of each.

    With preload, every thread reads the appeal before the start line, so all of them act on the
    same version and the losers can only be stopped by the optimistic lock. (Not on SQLite, where
    a transaction holds the write lock from its first statement.)"""
    barrier = threading.Barrier(len(calls), timeout=30)

    def attempt(call: Callable) -> object:
        try:
            if not preload:
                barrier.wait()
            with transaction(db.factory) as session:
                # Held until the call: the identity map keeps only weak references.
                preloaded = session.get_one(Appeal, appeal_id) if preload else None
                if preload:
                    barrier.wait()
                call(session)
                del preloaded
            return OK
        except Exception as exc:  # noqa: BLE001 - every outcome is reported to the test
            return exc

    return in_threads(attempt, calls)


def outcome_names(outcomes: list[object]) -> Counter[str]:
    return Counter(OK if o == OK else type(o).__name__ for o in outcomes)


def assert_one_winner(outcomes: list[object], losers: tuple[type[Exception], ...]) -> None:
    wins = [o for o in outcomes if o == OK]
    unexpected = [o for o in outcomes if o != OK and not isinstance(o, losers)]
    assert len(wins) == 1, outcome_names(outcomes)
    assert unexpected == [], unexpected


def accept_calls(db, appeal_id: int, n: int = THREADS) -> list[Callable]:
    handler = db.user("handler_zjj")
    return [lambda session: handling.accept(session, appeal_id, handler) for _ in range(n)]


def test_concurrent_accept_postgresql_one_winner_by_optimistic_lock(db):
    if db.backend != "postgresql":
        pytest.skip("only PostgreSQL runs the transactions truly side by side")
    appeal_id = dispatched(db)
    _, version, events = state(db, appeal_id)
    outcomes = race(db, appeal_id, accept_calls(db, appeal_id), preload=True)
    # Everyone read the same version: each loser is stopped by the version check, not the status.
    assert outcome_names(outcomes) == Counter({OK: 1, "Conflict": THREADS - 1})
    assert all("刷新" in o.message for o in outcomes if isinstance(o, Conflict))
    status, after, events_after = state(db, appeal_id)
    assert status == "handling"
    assert after == version + 1
    assert events_after == [*events, "appeal.accepted"]


def test_concurrent_accept_threads_one_winner(db):
    appeal_id = dispatched(db)
    _, version, events = state(db, appeal_id)
    outcomes = race(db, appeal_id, accept_calls(db, appeal_id), preload=False)
    assert_one_winner(outcomes, (Conflict, IllegalTransition))
    status, after, events_after = state(db, appeal_id)
    assert status == "handling"
    assert after == version + 1
    assert events_after.count("appeal.accepted") == 1 and events_after == [*events, "appeal.accepted"]
    with transaction(db.factory) as session:
        assert (
            session.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "appeal.accepted")
            )
            == 1
        )


def test_concurrent_accept_with_the_version_of_the_form(db):
    """Everyone submits the form they loaded (expected_version): late ones are a Conflict."""
    appeal_id = dispatched(db)
    _, version, _ = state(db, appeal_id)
    handler = db.user("handler_zjj")
    calls = [
        lambda session: handling.accept(session, appeal_id, handler, expected_version=version)
        for _ in range(THREADS)
    ]
    outcomes = race(db, appeal_id, calls, preload=False)
    assert_one_winner(outcomes, (Conflict,))
    assert state(db, appeal_id)[1] == version + 1


def test_accept_and_return_race(db):
    """Accepting and returning the same appeal at once: one of them, never both."""
    appeal_id = dispatched(db)
    _, version, events = state(db, appeal_id)
    handler = db.user("handler_zjj")
    calls = [
        (lambda session: handling.accept(session, appeal_id, handler))
        if i % 2
        else (lambda session: handling.return_appeal(session, appeal_id, handler, reason="非本单位职责"))
        for i in range(THREADS)
    ]
    outcomes = race(db, appeal_id, calls, preload=db.backend == "postgresql")
    assert_one_winner(outcomes, (Conflict, IllegalTransition))
    winner = calls[outcomes.index(OK)]
    status, after, events_after = state(db, appeal_id)
    expected = ("handling", "appeal.accepted") if outcomes.index(OK) % 2 else ("returned", "appeal.returned")
    assert (status, events_after[-1]) == expected, winner
    assert after == version + 1 and len(events_after) == len(events) + 1


def dispatch_calls(db, appeal_id: int) -> list[Callable]:
    dispatcher = db.user("dispatcher")
    codes = ["zjj", "cgj", "jd003", "jd006", "swj", "hbj", "jtj", "gaj"][:THREADS]
    return [
        lambda session, code=code: handling.dispatch(
            session, appeal_id, dispatcher, RULES, department_code=code
        )
        for code in codes
    ]


def test_concurrent_dispatch_threads_one_winner(db):
    appeal_id = new_appeal(db)
    outcomes = race(db, appeal_id, dispatch_calls(db, appeal_id), preload=False)
    assert_one_winner(outcomes, (Conflict, IllegalTransition))
    status, _, events = state(db, appeal_id)
    assert status == "dispatched" and events == ["appeal.submitted", "appeal.dispatched"]


def test_concurrent_dispatch_postgresql_losers_get_conflict(db):
    if db.backend != "postgresql":
        pytest.skip("needs overlapping transactions (PostgreSQL)")
    appeal_id = new_appeal(db)
    outcomes = race(db, appeal_id, dispatch_calls(db, appeal_id), preload=True)
    status, _, events = state(db, appeal_id)
    assert status == "dispatched" and events == ["appeal.submitted", "appeal.dispatched"]
    assert_one_winner(outcomes, (Conflict, IllegalTransition))


def test_concurrent_submissions_lose_nothing(db):
    workers, each = 16, 25
    barrier = threading.Barrier(workers, timeout=30)

    def file_many(_: int) -> list[str]:
        barrier.wait()
        numbers = []
        for _ in range(each):
            with transaction(db.factory) as session:
                numbers.append(submit(session).number)
        return numbers

    batches = in_threads(file_many, list(range(workers)))
    numbers = [n for batch in batches for n in batch]
    assert len(numbers) == workers * each
    assert len(set(numbers)) == workers * each
    with transaction(db.factory) as session:
        stored = list(session.scalars(select(Appeal.number)))
        assert sorted(stored) == sorted(numbers)
        submitted = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "appeal.submitted")
        )
        assert submitted == workers * each
    # No intake failed, so within a day the sequence has no gaps: 1..n (a run across midnight
    # has two days).
    by_day: dict[str, list[int]] = {}
    for number in numbers:
        by_day.setdefault(number[:6], []).append(int(number[6:]))
    for sequences in by_day.values():
        assert sorted(sequences) == list(range(1, len(sequences) + 1))
