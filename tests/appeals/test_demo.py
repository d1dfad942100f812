"""The demo loader: a realistic spread of appeals with real, chronological workflow histories."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhengshu.appeals.demo import DEMO_PASSWORD, load_demo
from zhengshu.appeals.demo_plan import Reference, plan_demo
from zhengshu.appeals.demo_staff import DEMO_ACCOUNTS, KEPT_PASSWORD
from zhengshu.appeals.models import Appeal, ExtensionRequest, SupervisionNotice
from zhengshu.appeals.rules import AppealRules
from zhengshu.appeals.vocabulary import CATEGORIES, CATEGORY_DEPARTMENTS
from zhengshu.appeals.workflow import Status
from zhengshu.audit import AuditEvent
from zhengshu.clock import now
from zhengshu.db import transaction
from zhengshu.org.models import Department, Street, User
from zhengshu.text.identifiers import is_valid_credit_code, is_valid_resident_id

RULES = AppealRules.default()
OPEN_AFTER_DISPATCH = {Status.DISPATCHED, Status.HANDLING, Status.REPLIED, Status.CLOSED}


@pytest.fixture
def today() -> datetime:
    return now().replace(microsecond=0)


def _appeals(session: Session) -> list[Appeal]:
    return list(session.scalars(select(Appeal).order_by(Appeal.id)).unique())


def _events(session: Session) -> dict[int, list[AuditEvent]]:
    by_appeal: dict[int, list[AuditEvent]] = defaultdict(list)
    for event in session.scalars(
        select(AuditEvent).where(AuditEvent.subject_type == "appeal").order_by(AuditEvent.id)
    ):
        by_appeal[event.subject_id].append(event)
    return by_appeal


def _counts(session: Session) -> tuple[int, ...]:
    tables = (Appeal, AuditEvent, SupervisionNotice, ExtensionRequest, User)
    return tuple(session.scalar(select(func.count()).select_from(t)) or 0 for t in tables)


def test_small_load_reaches_every_status_with_histories_in_order(db, today):
    summary = load_demo(db.factory, RULES, appeals=60, days=30, today=today)
    assert summary.appeals_created == 60
    # Every status a single appeal's history can reach; 并案 (merged) joins two and is not planned.
    planned = [s for s in Status if s is not Status.MERGED]
    assert all(summary.status_counts[s.value] > 0 for s in planned), summary.status_counts
    with db.factory() as session:
        appeals, events = _appeals(session), _events(session)
    assert len(appeals) == 60
    for appeal in appeals:
        assert today - timedelta(days=30) < appeal.created_at <= today
        assert appeal.number.startswith(f"{appeal.created_at:%y%m%d}")
        history = events[appeal.id]
        assert history[0].action == "appeal.submitted" and history[0].at == appeal.created_at
        assert history[0].data["number"] == appeal.number
        moments = [e.at for e in history]
        assert moments == sorted(moments) and moments[-1] <= today, appeal.external_id
        stamps = [appeal.created_at, appeal.dispatched_at, appeal.accepted_at, appeal.replied_at]
        present = [s for s in stamps if s is not None]
        assert present == sorted(present)
        if appeal.closed_at is not None:
            assert appeal.replied_at is not None and appeal.replied_at <= appeal.closed_at <= today


def test_numbers_are_of_the_day_of_intake(db, today):
    load_demo(db.factory, RULES, appeals=60, days=10, today=today)
    with db.factory() as session:
        rows = session.execute(select(Appeal.number, Appeal.created_at)).tuples().all()
    assert len({number for number, _ in rows}) == len(rows)
    assert all(number[:6] == f"{created:%y%m%d}" for number, created in rows)
    # Intake took numbers of the real day first; past days are numbered without gaps.
    real_day = f"{now():%y%m%d}"
    by_day: dict[str, list[int]] = defaultdict(list)
    for number, _ in rows:
        by_day[number[:6]].append(int(number[6:]))
    for day, sequences in by_day.items():
        if day != real_day:
            assert sorted(sequences) == list(range(1, len(sequences) + 1))


def test_loading_twice_creates_nothing_new(db, today):
    first = load_demo(db.factory, RULES, appeals=60, today=today)
    with db.factory() as session:
        before = _counts(session)
    second = load_demo(db.factory, RULES, appeals=60, today=today)
    with db.factory() as session:
        assert _counts(session) == before
    assert (second.appeals_created, second.appeals_existing, second.users_created) == (0, 60, 0)
    assert second.overdue_notices == 0
    assert second.status_counts == first.status_counts


def test_overdue_appeals_have_supervision_notices(db, today):
    summary = load_demo(db.factory, RULES, appeals=60, today=today)
    with db.factory() as session:
        notices = {(n.appeal_id, n.kind): n for n in session.scalars(select(SupervisionNotice))}
        overdue_handling = session.scalars(
            select(Appeal).where(
                Appeal.status.in_((Status.DISPATCHED.value, Status.HANDLING.value)), Appeal.due_at < today
            )
        ).all()
        overdue_accept = session.scalars(
            select(Appeal).where(Appeal.status == Status.DISPATCHED.value, Appeal.accept_due_at < today)
        ).all()
    assert overdue_handling, "some appeals should be past their handling deadline"
    assert summary.overdue_notices == len(overdue_handling) + len(overdue_accept)
    for appeal in overdue_handling:
        assert notices[(appeal.id, "overdue_handle")].due_at == appeal.due_at
    for appeal in overdue_accept:
        assert notices[(appeal.id, "overdue_accept")].due_at == appeal.accept_due_at


def _street_offices(session: Session) -> dict[int, str]:
    rows = session.execute(select(Department.street_id, Department.code).where(Department.kind == "street"))
    return {street_id: code for street_id, code in rows.tuples() if street_id is not None}


def _right_department(appeal: Appeal, offices: dict[int, str]) -> str:
    assert appeal.category is not None and appeal.street_id is not None
    return CATEGORY_DEPARTMENTS[appeal.category] or offices[appeal.street_id]


def test_larger_load_spreads_over_streets_categories_and_people(db, today):
    load_demo(db.factory, RULES, appeals=200, today=today)
    with db.factory() as session:
        appeals = _appeals(session)
        streets = set(session.scalars(select(Street.id)))
        offices = _street_offices(session)
        approved = select(ExtensionRequest.appeal_id).where(ExtensionRequest.status == "approved")
        extended = set(session.scalars(approved))
    assert {a.street_id for a in appeals} == streets and len(streets) == 11
    assert {a.category for a in appeals} >= set(CATEGORIES)
    assert len({a.community_id for a in appeals}) > 60
    enterprises = [a for a in appeals if a.is_enterprise]
    assert 0.04 <= len(enterprises) / len(appeals) <= 0.2
    assert all(a.enterprise_name for a in enterprises)
    assert all(is_valid_credit_code(a.enterprise_credit_code or "") for a in enterprises)
    with_id = [a.appellant_id_number for a in appeals if a.appellant_id_number]
    assert with_id and all(is_valid_resident_id(number) for number in with_id)
    placed = [a for a in appeals if a.latitude is not None]
    assert 0.15 <= len(placed) / len(appeals) <= 0.45
    assert all(22.55 <= (a.latitude or 0) <= 22.80 and 114.05 <= (a.longitude or 0) <= 114.40 for a in placed)
    phones = [a.appellant_phone for a in appeals]
    assert len(appeals) * 0.7 < len(set(phones)) < len(appeals), "distinct appellants, some calling again"
    for appeal in appeals:
        if Status(appeal.status) not in OPEN_AFTER_DISPATCH:
            continue
        assert appeal.lead_department is not None
        assert appeal.lead_department.code == _right_department(appeal, offices)
        if appeal.reopen_count == 0 and appeal.id not in extended:
            assert appeal.dispatched_at is not None
            due = RULES.deadlines.handle_deadline(appeal.dispatched_at, appeal.type, appeal.urgency)
            accept_due = RULES.deadlines.accept_deadline(appeal.dispatched_at, appeal.urgency)
            assert (appeal.due_at, appeal.accept_due_at) == (due.at, accept_due.at)


def test_steps_are_taken_by_the_department_that_holds_the_appeal(db, today):
    load_demo(db.factory, RULES, appeals=60, today=today)
    with db.factory() as session:
        appeals = {a.id: a for a in _appeals(session)}
        events = _events(session)
        users = {u.id: u for u in session.scalars(select(User))}
        departments = dict(session.execute(select(Department.code, Department.id)).tuples().all())
    accepted = 0
    for appeal_id, history in events.items():
        holder: str | None = None
        for event in history:
            if event.action == "appeal.dispatched":
                holder = event.data["department"]
            elif event.action in ("appeal.accepted", "appeal.returned", "appeal.replied"):
                assert event.actor_id is not None and holder is not None
                actor = users[event.actor_id]
                assert actor.department_id == departments[holder], appeals[appeal_id].external_id
                accepted += event.action == "appeal.accepted"
    assert accepted > 20


def test_demo_logins_keep_existing_accounts(db, today):
    with db.factory() as session:
        existing = {u.username: u.password_hash for u in session.scalars(select(User))}
    summary = load_demo(db.factory, RULES, appeals=0, today=today)
    assert [login.username for login in summary.logins] == [a.username for a in DEMO_ACCOUNTS]
    assert all(len(row) == 4 for row in summary.logins)
    with db.factory() as session:
        after = {u.username: u for u in session.scalars(select(User))}
    for username, password_hash in existing.items():
        assert after[username].password_hash == password_hash
    handler = after["handler"]
    assert handler.role == "handler" and handler.department is not None and handler.department.code == "zjj"
    rows = {login.username: login for login in summary.logins}
    assert rows["handler"].password == DEMO_PASSWORD
    assert rows["handler"].department == "区住房和建设局" and rows["handler"].role == "承办人"
    # The test session's own accounts are not the demo's: their password is not shown.
    assert rows["dispatcher"].password == KEPT_PASSWORD


def test_plan_is_deterministic_with_the_seed(db, today):
    with transaction(db.factory) as session:
        reference = Reference.load(session)
    first = plan_demo(reference, RULES, appeals=40, days=20, seed=3, today=today)
    assert first == plan_demo(reference, RULES, appeals=40, days=20, seed=3, today=today)
    assert first != plan_demo(reference, RULES, appeals=40, days=20, seed=4, today=today)
    assert [p.draft.external_id for p in first] == [f"DEMO-{i:04d}" for i in range(1, 41)]
    assert [p.created_at for p in first] == sorted(p.created_at for p in first)


def test_bad_arguments_are_refused(db):
    from zhengshu.errors import InvalidInput

    with pytest.raises(InvalidInput):
        load_demo(db.factory, RULES, appeals=-1)
    with pytest.raises(InvalidInput):
        load_demo(db.factory, RULES, days=0)
