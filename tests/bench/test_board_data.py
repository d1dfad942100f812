"""The generated appeals of the dashboard benchmark agree with the rules of the product: statuses with
timestamps and deadlines, communities with streets, departments with categories, notices with missed
deadlines, closure audits with replies; numbers follow the daily counter; a seed gives the same data."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import undefer

from zhengshu.appeals import board_cube
from zhengshu.appeals.board_filters import parse_filters
from zhengshu.appeals.board_totals import totals
from zhengshu.appeals.closure_models import ClosureAudit
from zhengshu.appeals.models import Appeal, NumberCounter, SupervisionNotice
from zhengshu.appeals.numbers import take_numbers
from zhengshu.appeals.routing import STREET_OFFICE, default_routes
from zhengshu.appeals.rules import AppealRules
from zhengshu.appeals.supervision import issue_overdue_notices
from zhengshu.appeals.vocabulary import CATEGORIES, NoticeKind
from zhengshu.appeals.workflow import OPEN_STATUSES, Status
from zhengshu.bench import board_data
from zhengshu.bench.board_data import generate
from zhengshu.clock import TZ, local, now
from zhengshu.db import create_db_engine, reading, transaction
from zhengshu.migrate import upgrade
from zhengshu.org.models import Community, Department
from zhengshu.org.street_map import locate, schematic_map

APPEALS = 2000
DAYS = 120


@pytest.fixture
def generated(db: Any) -> tuple[Any, board_data.Generated, list[Appeal]]:
    reported: list[tuple[int, int]] = []
    result = generate(
        db.engine, APPEALS, DAYS, seed=7, progress=lambda done, total: reported.append((done, total))
    )
    assert reported and reported[-1] == (APPEALS, APPEALS)
    with reading(db.factory) as session:
        query = select(Appeal).options(undefer(Appeal.search_terms)).order_by(Appeal.id)
        appeals = list(session.scalars(query))
    return db, result, appeals


def test_counts_numbers_and_counter(generated: Any) -> None:
    db, result, appeals = generated
    assert result.appeals == len(appeals) == APPEALS
    numbers = [a.number for a in appeals]
    assert len(set(numbers)) == APPEALS
    for appeal in appeals:
        assert appeal.number[:6] == f"{local(appeal.created_at):%y%m%d}"
    today = now().date()
    first_day = min(local(a.created_at).date() for a in appeals)
    assert first_day >= today - timedelta(days=DAYS - 1)
    with transaction(db.factory) as session:
        counters = dict(session.execute(select(NumberCounter.day, NumberCounter.last)).all())
        by_day = Counter(local(a.created_at).date() for a in appeals)
        assert counters == {day: count for day, count in by_day.items()}
        # Intake after the generation goes on after the generated numbers of the day.
        next_today = take_numbers(session, today, 1)[0]
    assert int(next_today[6:]) == by_day.get(today, 0) + 1


def _before(*moments: datetime | None) -> bool:
    present = [m for m in moments if m is not None]
    return all(a <= b for a, b in zip(present, present[1:], strict=False))


def test_statuses_agree_with_timestamps(generated: Any) -> None:
    _db, _result, appeals = generated
    moment = now()
    for a in appeals:
        status = Status(a.status)
        stamps = [a.created_at, a.dispatched_at, a.accepted_at, a.replied_at, a.closed_at]
        assert _before(*stamps), a.number
        assert all(s <= moment for s in stamps if s is not None)
        assert a.updated_at >= max(s for s in stamps if s is not None)
        assert a.updated_at <= moment
        assert a.version >= 1
        assert status is not Status.MERGED and a.merged_into_id is None
        if status is Status.SUBMITTED:
            assert a.dispatched_at is None and a.lead_department_id is None and a.version == 1
        if status is Status.RETURNED:
            assert a.dispatched_at is not None and a.lead_department_id is None and a.due_at is None
        if status in (Status.DISPATCHED, Status.HANDLING, Status.REPLIED, Status.CLOSED):
            assert a.lead_department_id is not None and a.due_at is not None and a.accept_due_at is not None
            assert a.accept_due_at > a.dispatched_at
        if status is Status.DISPATCHED:
            assert a.accepted_at is None and a.replied_at is None
        if status is Status.HANDLING:
            assert a.accepted_at is not None and a.replied_at is None and a.closed_at is None
        if status is Status.REPLIED:
            assert a.replied_at is not None and a.closed_at is None and a.reply
        if status is Status.CLOSED:
            assert a.closed_at is not None and a.replied_at is not None and a.reply
        else:
            assert a.satisfaction is None and a.closed_at is None
        assert a.reopen_count in (0, 1)


def test_shares_are_realistic(generated: Any) -> None:
    _db, _result, appeals = generated
    statuses = Counter(a.status for a in appeals)
    closed = [a for a in appeals if a.status == Status.CLOSED.value]
    assert 0.9 < len(closed) / APPEALS < 0.995
    assert sum(statuses[s.value] for s in OPEN_STATUSES) > 0
    followed = sum(a.satisfaction is not None for a in closed) / len(closed)
    assert 0.7 < followed < 0.9
    satisfied = Counter(a.satisfaction for a in closed if a.satisfaction)
    assert satisfied.most_common(1)[0][0] == "satisfied"
    assert 0.005 < sum(a.reopen_count for a in appeals) / APPEALS < 0.06
    accepted = [a for a in appeals if a.accepted_at is not None and a.reopen_count == 0]
    on_time = sum(a.accepted_at <= a.accept_due_at for a in accepted) / len(accepted)
    assert 0.85 < on_time < 0.97
    replied = [a for a in appeals if a.replied_at is not None and a.reopen_count == 0]
    in_time = sum(a.replied_at <= a.due_at for a in replied) / len(replied)
    assert 0.83 < in_time < 0.96
    located = sum(a.latitude is not None for a in appeals) / APPEALS
    assert 0.33 < located < 0.47
    assert set(a.category for a in appeals) <= set(CATEGORIES)
    weekdays = Counter(local(a.created_at).weekday() for a in appeals)
    assert weekdays[2] > weekdays[6]  # fewer appeals on Sundays
    for a in appeals:
        assert a.appellant_phone.startswith(board_data.PHONE_PREFIX) and a.appellant_name.startswith("压测")
        assert a.appellant_phone_last4 == a.appellant_phone[-4:]
        assert a.search_terms


def test_places_and_departments(generated: Any) -> None:
    db, _result, appeals = generated
    with reading(db.factory) as session:
        community_streets = dict(session.execute(select(Community.id, Community.street_id)).all())
        departments = {d.id: d for d in session.scalars(select(Department))}
    routes = default_routes()
    shapes = schematic_map()
    for a in appeals:
        assert a.street_id is not None
        if a.community_id is not None:
            assert community_streets[a.community_id] == a.street_id
        if a.latitude is not None:
            assert locate(shapes, a.longitude, a.latitude) == a.street.code
        if a.lead_department_id is not None:
            department = departments[a.lead_department_id]
            if routes.target(a.category) == STREET_OFFICE:
                assert department.kind == "street" and department.street_id == a.street_id
            else:
                assert department.code == routes.target(a.category)


def test_notices_follow_missed_deadlines(generated: Any) -> None:
    db, result, appeals = generated
    by_id = {a.id: a for a in appeals}
    with reading(db.factory) as session:
        notices = list(session.scalars(select(SupervisionNotice)))
    assert len(notices) == result.supervision_notices > 0
    moment = now()
    for notice in notices:
        appeal = by_id[notice.appeal_id]
        assert notice.due_at < notice.issued_at <= moment
        assert notice.department_id == appeal.lead_department_id
        if notice.kind == NoticeKind.OVERDUE_ACCEPT.value:
            assert notice.due_at == appeal.accept_due_at
            assert appeal.accepted_at is None or appeal.accepted_at > notice.issued_at
        elif appeal.reopen_count == 0:
            assert notice.due_at == appeal.due_at
            assert appeal.replied_at is None or appeal.replied_at > notice.issued_at
    # The overdue job finds nothing to issue but deadlines missed within its own interval.
    with transaction(db.factory) as session:
        issue_overdue_notices(session, moment)
    with reading(db.factory) as session:
        issued = list(session.scalars(select(SupervisionNotice).where(SupervisionNotice.issued_at == moment)))
    assert all(n.due_at > moment - timedelta(minutes=board_data.JOB_MINUTES) for n in issued)


def test_closure_audits_flag_replies_closed_on_paper(generated: Any) -> None:
    db, result, appeals = generated
    by_id = {a.id: a for a in appeals}
    with reading(db.factory) as session:
        audits = list(session.scalars(select(ClosureAudit)))
    assert len(audits) == result.closure_audits
    replied = sum(a.replied_at is not None for a in appeals)
    assert 0.02 < len(audits) / replied < 0.06
    for audit in audits:
        appeal = by_id[audit.appeal_id]
        assert audit.flagged and audit.appeal_id in by_id
        assert appeal.status in (Status.REPLIED.value, Status.CLOSED.value, Status.HANDLING.value)
        assert audit.audited_at <= now()
        if appeal.reopen_count == 0:
            assert audit.reply_hash == hashlib.sha256((appeal.reply or "").encode()).hexdigest()
            assert appeal.replied_at <= audit.audited_at


def test_same_seed_same_data(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    moment = datetime(2026, 6, 30, 15, 30, tzinfo=TZ)
    monkeypatch.setattr(board_data, "now", lambda: moment)
    rows = []
    for name in ("a", "b"):
        engine = create_db_engine(f"sqlite:///{tmp_path / name}.db")
        upgrade(engine)
        generate(engine, 300, 30, seed=3, rules=AppealRules.default())
        with engine.connect() as connection:
            columns = (Appeal.number, Appeal.status, Appeal.created_at, Appeal.due_at, Appeal.title)
            rows.append(connection.execute(select(*columns).order_by(Appeal.number)).all())
            assert local(connection.execute(select(func.max(Appeal.created_at))).scalar_one()) <= moment
        engine.dispose()
    assert rows[0] == rows[1] and len(rows[0]) == 300


def test_dashboard_summary_counts_what_is_generated_after_it(db: Any) -> None:
    """Generated appeals are stamped in the past, yet the dashboards' summary built before them
    counts them at the next read."""
    generate(db.engine, 100, 10, seed=1)
    with transaction(db.factory) as session:
        board_cube.refresh(session)
    generate(db.engine, 150, 10, seed=2)
    board_cube.ensure_fresh(db.factory)
    with reading(db.factory) as session:
        filters = parse_filters(session, first=(now().date() - timedelta(days=20)).isoformat())
        assert totals(session, filters)[0]["received"] == 250
