"""The dashboards' numbers: the summary table agrees with the appeals for every measure and filter,
refreshes only what changed, and the map, fast-handling and assessment services read it correctly."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from zhengshu.appeals import board_cube, fast_handling, opinion_map
from zhengshu.appeals.access import can_read
from zhengshu.appeals.assessment import WEIGHTS, assessment, formula, score
from zhengshu.appeals.board_drill import drill_page
from zhengshu.appeals.board_filters import BoardFilters, parse_filters
from zhengshu.appeals.board_measures import COUNTED, MEASURES, STORED
from zhengshu.appeals.board_models import StreetMonthStats
from zhengshu.appeals.board_rates import Rates
from zhengshu.appeals.board_totals import totals
from zhengshu.appeals.closure_models import ClosureAudit
from zhengshu.appeals.demo import load_demo
from zhengshu.appeals.models import Appeal
from zhengshu.appeals.overdue import overdue
from zhengshu.appeals.rules import AppealRules
from zhengshu.appeals.workflow import Status
from zhengshu.clock import day_start, now
from zhengshu.db import transaction
from zhengshu.errors import InvalidInput, NotFound
from zhengshu.org.models import Community, Department, Street

RULES = AppealRules.default()


@pytest.fixture
def demo(db):
    load_demo(db.factory, RULES, appeals=120, days=45, seed=11)
    with transaction(db.factory) as session:
        board_cube.refresh(session)
    return db


def _period(session, **filters) -> BoardFilters:
    first = (now().date() - timedelta(days=60)).isoformat()
    return parse_filters(session, first=first, **filters)


def _live(session, filters: BoardFilters, name: str) -> int:
    condition = MEASURES[name].condition
    query = select(func.count(Appeal.id)).where(*filters.appeal_where(), COUNTED, condition)
    return session.scalar(query) or 0


def test_summary_equals_the_appeals_for_every_measure_and_filter(demo):
    with demo.factory() as session:
        street = session.scalar(select(Street).where(Street.name == "平湖街道"))
        department = session.scalar(select(Department).where(Department.code == "zjj"))
        variants = [
            _period(session),
            _period(session, street=street.code),
            _period(session, type="complaint"),
            _period(session, category="城乡建设"),
            _period(session, department=department.code),
        ]
        for filters in variants:
            summed = totals(session, filters)[0]
            for name in STORED:
                assert summed[name] == _live(session, filters, name), (filters.describe(), name)
        whole = variants[0]
        summed = totals(session, whole)[0]
        assert summed["received"] == 120
        # Every measure that happens in the demo is non-zero, so the equalities above mean something.
        for name in (
            "accepted",
            "closed",
            "closed_on_time",
            "followed_up",
            "satisfied",
            "reopened",
        ):
            assert summed[name] > 0, name


def test_a_drill_down_lists_exactly_the_appeals_it_counts(demo):
    leader = demo.user("leader")
    with demo.factory() as session:
        filters = _period(session)
        summed = totals(session, filters)[0]
        for name in ("received", "closed", "reopened", "dissatisfied"):
            drill, page = drill_page(session, filters, name, leader, now(), size=200)
            assert page.total == summed[name]
            assert not drill.live
        late_closed = summed["closed"] - summed["closed_on_time"]
        _, page = drill_page(session, filters, "closed_late", leader, now())
        assert page.total == late_closed
        # A live measure: every open appeal past its deadline, whenever received.
        moment = now()
        drill, page = drill_page(session, filters, "overdue", leader, moment, size=200)
        assert drill.live
        assert page.total == session.scalar(select(func.count(Appeal.id)).where(overdue(moment))) > 0
        assert all(a.due_at < moment for a in page.items)
        # A handler sees only the own department's appeals behind the same number.
        handler = demo.user("handler_zjj")
        _, own = drill_page(session, filters, "received", handler, now(), size=200)
        assert 0 < own.total < summed["received"]
        assert all(can_read(handler, a) for a in own.items)
        with pytest.raises(InvalidInput):
            drill_page(session, filters, "no_such_measure", leader, now())


def test_refresh_recomputes_only_the_days_that_changed(demo):
    with transaction(demo.factory) as session:
        assert board_cube.needs_refresh(session) is False
        assert board_cube.refresh(session) == board_cube.Refresh(days=0, rebuilt=False)
        appeal = session.scalars(
            select(Appeal).where(Appeal.status == Status.CLOSED.value, Appeal.reopen_count == 0).limit(1)
        ).one()
        day = appeal.created_at.date()
        session.execute(
            update(Appeal)
            .where(Appeal.id == appeal.id)
            .values(reopen_count=1, updated_at=now() + timedelta(seconds=1))
        )
    with transaction(demo.factory) as session:
        assert board_cube.needs_refresh(session) is True
        result = board_cube.refresh(session)
        # The changed appeal's day, and the days of other appeals updated within the overlap.
        assert 1 <= result.days <= 46 and not result.rebuilt
        filters = parse_filters(session, first=day.isoformat(), last=day.isoformat())
        assert totals(session, filters)[0]["reopened"] == _live(session, filters, "reopened")
        assert board_cube.needs_refresh(session) is False


def test_closure_audit_decisions_reach_the_summary(demo):
    with transaction(demo.factory) as session:
        appeal = session.scalars(select(Appeal).where(Appeal.status == Status.CLOSED.value).limit(1)).one()
        audit = ClosureAudit(
            appeal_id=appeal.id,
            reply_hash="x" * 64,
            score=5.0,
            flagged=True,
            reasons=[],
            boilerplate_share=0.9,
            dissatisfied=False,
            repeat_appeals=0,
            audited_at=now() + timedelta(seconds=1),
        )
        session.add(audit)
    filters_args = {"first": (now().date() - timedelta(days=60)).isoformat()}
    with transaction(demo.factory) as session:
        board_cube.refresh(session)
        filters = parse_filters(session, **filters_args)
        assert totals(session, filters)[0]["closed_on_paper"] == 1
        stored = session.get_one(ClosureAudit, audit.id)
        stored.decision = "cleared"
        stored.decided_at = now() + timedelta(seconds=2)
    with transaction(demo.factory) as session:
        board_cube.refresh(session)
        filters = parse_filters(session, **filters_args)
        assert totals(session, filters)[0]["closed_on_paper"] == 0


def test_rebuild_gives_the_same_numbers(demo):
    with demo.factory() as session:
        filters = _period(session)
        before = totals(session, filters, by=["street_id", "category"])
    with transaction(demo.factory) as session:
        assert board_cube.rebuild(session).rebuilt
    with demo.factory() as session:
        after = totals(session, filters, by=["street_id", "category"])
    key = lambda row: (row["street_id"] or 0, row["category"] or "")  # noqa: E731
    assert sorted(before, key=key) == sorted(after, key=key)


def test_map_counts_streets_communities_and_previous_period(demo):
    with demo.factory() as session:
        filters = _period(session)
        population = {"平湖街道": 500_000, "440307006": 250_000}
        streets = opinion_map.streets(session, filters, population)
        assert len(streets) == 11
        assert sum(s.count for s in streets) == 120
        pinghu = next(s for s in streets if s.name == "平湖街道")
        assert pinghu.per_10k == pytest.approx(pinghu.count * 10_000 / 500_000)
        assert next(s for s in streets if s.code == "440307006").population == 250_000
        assert next(s for s in streets if s.code == "440307013").per_10k is None
        # The previous period of 61 days ends the day before this one starts: the demo has nothing there.
        assert all(s.previous == 0 and s.change is None for s in streets)
        daily = opinion_map.trend(session, filters)
        assert daily.unit == "day" and len(daily.points) == filters.days
        assert sum(n for _, n in daily.points) == 120
        assert sum(n for _, n in opinion_map.categories(session, filters)) == 120
        # A street's communities add up to the street.
        narrowed = _period(session, street=pinghu.code)
        communities = opinion_map.communities(session, narrowed)
        assert sum(c.count for c in communities) == pinghu.count
        names = {
            c.name
            for c in session.scalars(select(Community).where(Community.street_id == narrowed.street.id))
        }
        assert names <= {c.name for c in communities}
        points = opinion_map.points(session, filters, limit=10)
        assert 0 < len(points) <= 10
        assert all(113.5 < p.longitude < 115 and 22 < p.latitude < 23.2 for p in points)


def test_change_against_the_previous_period():
    value = opinion_map.AreaValue("1", "甲街道", count=15, previous=10, population=None)
    assert value.change == pytest.approx(0.5)
    assert value.value(opinion_map.MapMeasure.CHANGE) == pytest.approx(0.5)
    assert value.value(opinion_map.MapMeasure.PER_10K) is None
    assert opinion_map.AreaValue("1", "甲", 3, 0, None).change is None


def test_fast_handling_counts_what_is_open_now(demo):
    moment = now()
    with demo.factory() as session:
        filters = _period(session)
        overview = fast_handling.overview(session, filters, moment)
        live = fast_handling.live_conditions(moment)
        for key in ("today", "overdue", "near_due", "overdue_accept"):
            expected = session.scalar(select(func.count(Appeal.id)).where(live[key][1])) or 0
            assert overview.today[key] == expected, key
        assert overview.today["overdue"] > 0
        backlog = {key: n for key, _, n in overview.backlog}
        assert backlog["status_handling"] == session.scalar(
            select(func.count(Appeal.id)).where(Appeal.status == Status.HANDLING.value)
        )
        by_department = fast_handling.due_by_department(session, filters, moment)
        assert sum(r.overdue for r in by_department) == overview.today["overdue"]
        by_street = fast_handling.due_by_street(session, filters, moment)
        assert len(by_street) == 11
        notices = fast_handling.supervision(session, filters)
        assert notices and all(n.appeal.status != Status.CLOSED.value for n in notices)


def test_assessment_scores_follow_the_formula(demo):
    perfect = Rates.of(
        {
            "received": 10,
            "closed": 10,
            "accepted": 10,
            "accepted_on_time": 10,
            "closed_on_time": 10,
            "followed_up": 10,
            "satisfied": 10,
        }
    )
    assert score(perfect) == 100
    poor = Rates.of(
        {
            "received": 10,
            "closed": 10,
            "accepted": 10,
            "accepted_on_time": 5,
            "closed_on_time": 0,
            "followed_up": 10,
            "satisfied": 5,
            "reopened": 5,
            "closed_on_paper": 10,
        }
    )
    # 20×0.5 + 30×0 + 30×0.5 + 10×(1−0.5) + 10×(1−1)
    assert score(poor) == pytest.approx(30)
    assert sum(weight for _, weight, _ in WEIGHTS) == 100
    assert "按时办结率" in formula() and "满分 100" in formula()
    with demo.factory() as session:
        rows = assessment(session, _period(session))
        assert rows and [r.rank for r in rows] == list(range(1, len(rows) + 1))
        enough = [r.score for r in rows if not r.small_sample]
        assert enough == sorted(enough, reverse=True)
        assert all(r.small_sample == (r.rates.closed < 10) for r in rows)


def test_filters_refuse_bad_input_in_chinese(db):
    with db.factory() as session:
        with pytest.raises(InvalidInput, match="格式"):
            parse_filters(session, first="2026-02-30")
        with pytest.raises(InvalidInput, match="不能晚于"):
            parse_filters(session, first="2026-03-02", last="2026-03-01")
        with pytest.raises(InvalidInput, match="最长"):
            parse_filters(session, first="2024-01-01", last="2026-01-01")
        with pytest.raises(NotFound, match="街道代码不存在"):
            parse_filters(session, street="999")
        with pytest.raises(InvalidInput, match="未知的诉求类型"):
            parse_filters(session, type="rumour")
        with pytest.raises(InvalidInput, match="过长"):
            parse_filters(session, category="类" * 65)
        other = session.scalar(select(Community).join(Street).where(Street.name == "坂田街道").limit(1))
        with pytest.raises(InvalidInput, match="不属于"):
            parse_filters(session, street="440307003", community=other.code)
        # A community alone implies its street.
        filters = parse_filters(session, community=other.code)
        assert filters.street is not None and filters.street.name == "坂田街道"
        assert filters.previous().last == filters.first - timedelta(days=1)
        assert filters.previous().days == filters.days
        assert isinstance(filters.first, date)


def test_every_summary_grain_gives_the_same_sums(demo):
    with demo.factory() as session:
        filters = _period(session)  # 61 days: whole months come from the monthly table
        whole = totals(session, filters)[0]
        assert whole["received"] == 120
        for by in (["day"], ["month"], ["community_id"], ["street_id", "type"], ["lead_department_id"]):
            rows = totals(session, filters, by=by)
            for name in ("received", "closed", "satisfied", "handling_seconds"):
                assert sum(row[name] for row in rows) == whole[name], (by, name)
        months = totals(session, filters, by=["month"])
        assert all(row["month"].day == 1 for row in months)
        # A community narrows to the table that has communities.
        community = session.scalars(
            select(Appeal.community_id).where(Appeal.community_id.is_not(None))
        ).first()
        code = session.get_one(Community, community).code
        narrowed = _period(session, community=code)
        assert totals(session, narrowed)[0]["received"] == _live(session, narrowed, "received") > 0
        long = opinion_map.trend(
            session, parse_filters(session, first=(now().date() - timedelta(days=200)).isoformat())
        )
        assert long.unit == "month" and sum(n for _, n in long.points) == 120


def test_appeals_written_with_earlier_timestamps_are_counted(db):
    """The demo (and any loader) stamps appeals in the past: they are new all the same."""
    with transaction(db.factory) as session:
        assert board_cube.refresh(session).rebuilt  # an empty platform, viewed once
    load_demo(db.factory, RULES, appeals=40, days=20, seed=3)
    board_cube.ensure_fresh(db.factory)
    with db.factory() as session:
        filters = _period(session)
        assert totals(session, filters)[0]["received"] == 40 == _live(session, filters, "received")


def test_a_change_spanning_a_whole_month_recomputes_that_month(demo):
    """Days changed from the end of one month to the start of the month after next: the month between
    is recomputed too, so the monthly table agrees with the appeals."""
    with transaction(demo.factory) as session:
        appeals = list(session.scalars(select(Appeal).order_by(Appeal.id).limit(40)))
        first = date(2026, 1, 31)
        for offset, appeal in enumerate(appeals):
            created = day_start(first + timedelta(days=offset % 31)) + timedelta(hours=10)
            appeal.created_at = created
            appeal.updated_at = now() + timedelta(seconds=1)
    with transaction(demo.factory) as session:
        board_cube.refresh(session)
    with demo.factory() as session:
        february = parse_filters(session, first="2026-02-01", last="2026-02-28")
        assert totals(session, february)[0]["received"] == _live(session, february, "received") > 0
        # The whole month comes from the monthly table.
        row = session.scalar(
            select(func.sum(StreetMonthStats.received)).where(StreetMonthStats.month == date(2026, 2, 1))
        )
        assert row == _live(session, february, "received")


def test_merged_appeals_are_not_counted_even_after_their_main_appeal_closes(demo):
    with transaction(demo.factory) as session:
        main, merged = session.scalars(
            select(Appeal).where(Appeal.status == Status.CLOSED.value).order_by(Appeal.id).limit(2)
        ).all()
        merged.merged_into_id = main.id  # as 并案 leaves it, closed with its main appeal
        merged.updated_at = now() + timedelta(seconds=1)
    board_cube.ensure_fresh(demo.factory)
    with demo.factory() as session:
        filters = _period(session)
        assert totals(session, filters)[0]["received"] == 119 == _live(session, filters, "received")
        _, page = drill_page(session, filters, "received", demo.user("leader"), now(), size=200)
        assert page.total == 119


def test_rates_stay_within_bounds_and_small_samples_rank_last(demo):
    with demo.factory() as session:
        filters = _period(session)
        rows = assessment(session, filters)
        for row in rows:
            for name in ("accepted_on_time_rate", "closed_on_time_rate", "satisfaction_rate", "reopen_rate"):
                value = getattr(row.rates, name)
                assert value is None or 0 <= value <= 1, (row.department.name, name, value)
            assert 0 <= row.score <= 100
        flags = [r.small_sample for r in rows]
        assert flags == sorted(flags)  # False (enough closed) before True


def test_control_characters_in_a_filter_are_refused(db):
    with db.factory() as session:
        with pytest.raises(InvalidInput, match="控制字符"):
            parse_filters(session, category="市容\x00环卫")
        with pytest.raises(InvalidInput, match="控制字符"):
            parse_filters(session, street="440307003\x00")
