"""The day's weak-signal detection over stored appeals, its idempotence, and decisions on warnings."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select, update
from tests.appeals.helpers import submit

from zhengshu.appeals.models import Appeal
from zhengshu.appeals.signal_models import SignalRun, SignalWarning, WarningKind, WarningStatus
from zhengshu.appeals.warnings import decide, detect_day, detect_once, warnings_for
from zhengshu.audit import events_for
from zhengshu.clock import TZ, now
from zhengshu.db import transaction
from zhengshu.errors import IllegalTransition, InvalidInput, PermissionDenied

DAY = now().date() - timedelta(days=2)
BACKGROUND_TITLES = (
    "路面破损坑洼",
    "楼道灯不亮",
    "绿化带杂草丛生",
    "围墙开裂",
    "下水道堵塞",
    "人行道地砖松动",
)


def seed(session, day: date, count: int, **overrides) -> list[int]:
    ids = []
    for index in range(count):
        appeal = submit(session, **overrides)
        moment = datetime.combine(day, time(9, 0), TZ) + timedelta(minutes=index)
        session.execute(update(Appeal).where(Appeal.id == appeal.id).values(created_at=moment))
        ids.append(appeal.id)
    return ids


def background(session, days: int = 57) -> None:
    """One 城乡建设 appeal a day in 平湖街道 (none at weekends), different titles."""
    for offset in range(days, 0, -1):
        day = DAY - timedelta(days=offset)
        if day.weekday() < 5:
            seed(
                session, day, 1, category="城乡建设", title=BACKGROUND_TITLES[offset % len(BACKGROUND_TITLES)]
            )


def test_a_burst_raises_street_and_community_warnings_with_explanation_and_appeals(db):
    with transaction(db.factory) as session:
        background(session)
        burst = seed(session, DAY, 9, category="城乡建设", title="工地夜间施工噪音")
        outcome = detect_day(session, DAY, actor=None)
    assert outcome.appeals == 9 and outcome.created >= 2
    with transaction(db.factory) as session:
        found = {w.kind: w for w in warnings_for(session, DAY)}
        street = found[WarningKind.STREET]
        assert street.explanation.startswith("平湖街道·城乡建设：今日 9 件，基线 ")
        assert "系数" in street.explanation and "P=" in street.explanation
        assert sorted(street.appeal_ids) == sorted(burst)
        assert street.observed == 9 and street.expected < 3 and street.p_value < 0.0005
        assert len(street.history) == 28 and street.history[-1] == {
            "day": DAY.isoformat(),
            "count": 9,
            "expected": street.history[-1]["expected"],
        }
        community = found[WarningKind.COMMUNITY]
        assert community.label == "平湖街道凤凰社区·城乡建设"
        assert street.status == WarningStatus.OPEN
        assert [e.action for e in events_for(session, "signal_warning", street.id)] == ["signal.raised"]


def test_a_quiet_day_raises_nothing(db):
    with transaction(db.factory) as session:
        background(session)
        seed(session, DAY, 1, category="城乡建设", title="路面破损坑洼")
        outcome = detect_day(session, DAY, actor=None)
        assert outcome.created == 0
        assert warnings_for(session, DAY) == []


def test_running_a_day_again_adds_nothing(db):
    with transaction(db.factory) as session:
        background(session, days=14)
        seed(session, DAY, 6, category="城乡建设", title="工地夜间施工噪音")
        first = detect_day(session, DAY, actor=None)
    with transaction(db.factory) as session:
        second = detect_day(session, DAY, actor=db.user("leader"))
        assert detect_once(session, DAY) is None
    assert first.created > 0 and second.created == 0 and second.existing == first.created
    with db.factory() as session:
        assert session.scalar(select(func.count()).select_from(SignalWarning)) == first.created
        assert session.scalar(select(func.count()).select_from(SignalRun)) == 1


def test_a_day_without_appeals_is_recorded_with_a_clear_message(db):
    with transaction(db.factory) as session:
        outcome = detect_day(session, DAY, actor=None)
    assert outcome.appeals == 0 and outcome.created == 0
    assert "没有登记诉求" in outcome.message
    with db.factory() as session:
        run = session.scalar(select(SignalRun).where(SignalRun.day == DAY))
        assert run is not None and run.warnings == 0


def test_an_emerging_term_is_flagged_with_its_appeals(db):
    with transaction(db.factory) as session:
        background(session, days=28)
        ids = [
            *seed(
                session,
                DAY,
                2,
                category="城乡建设",
                title="电梯困人无人处理",
                street="布吉街道",
                community=None,
            ),
            *seed(
                session, DAY, 2, category="市容环卫", title="小区电梯困人", street="坂田街道", community=None
            ),
            *seed(
                session, DAY, 1, category="城乡建设", title="又见电梯困人", street="龙城街道", community=None
            ),
        ]
        detect_day(session, DAY, actor=None)
        terms = [w for w in warnings_for(session, DAY) if w.kind == WarningKind.TERM]
    flagged = {w.term: w for w in terms}
    assert "困人" in flagged or "电梯" in flagged
    warning = flagged.get("困人") or flagged["电梯"]
    assert sorted(warning.appeal_ids) == sorted(ids)
    assert "此前八周未出现" in warning.explanation


def test_acknowledge_and_dismiss_are_audited_and_follow_the_table(db):
    with transaction(db.factory) as session:
        background(session, days=14)
        seed(session, DAY, 6, category="城乡建设", title="工地夜间施工噪音")
        detect_day(session, DAY, actor=None)
        warning_id = warnings_for(session, DAY)[0].id
    with transaction(db.factory) as session:
        warning = decide(
            session, warning_id, WarningStatus.ACKNOWLEDGED, actor=db.user("leader"), note="已转城建"
        )
        assert warning.status == WarningStatus.ACKNOWLEDGED
    with transaction(db.factory) as session:
        decide(session, warning_id, WarningStatus.DISMISSED, actor=db.user("supervisor"))
    with pytest.raises(IllegalTransition), transaction(db.factory) as session:
        decide(session, warning_id, WarningStatus.ACKNOWLEDGED, actor=db.user("leader"))
    with pytest.raises(PermissionDenied), transaction(db.factory) as session:
        decide(session, warning_id, WarningStatus.DISMISSED, actor=db.user("handler_zjj"))
    with db.factory() as session:
        events = events_for(session, "signal_warning", warning_id)
        assert [e.action for e in events] == ["signal.raised", "signal.acknowledged", "signal.dismissed"]
        assert events[1].data == {"from": "open", "note": "已转城建"}
        assert events[1].actor_label == "leader"


def test_bad_dates_are_refused_in_chinese(db):
    with pytest.raises(InvalidInput, match="2000-01-01"), transaction(db.factory) as session:
        detect_day(session, date(1, 1, 1), actor=None)
    with pytest.raises(InvalidInput, match="未来"), transaction(db.factory) as session:
        detect_day(session, now().date() + timedelta(days=1), actor=None)
    with pytest.raises(PermissionDenied), transaction(db.factory) as session:
        detect_day(session, DAY, actor=db.user("handler_zjj"))
