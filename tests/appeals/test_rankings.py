"""The ten domains, housing estates and communities with most appeals, with their drill-down."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from tests.appeals.helpers import submit

from zhengshu.appeals.class_cases import period
from zhengshu.appeals.models import Appeal
from zhengshu.appeals.rankings import UNCATEGORISED, drill_down, rankings
from zhengshu.clock import now
from zhengshu.db import transaction


def _appeal(session, title, content, category=None, community="凤凰社区", street="平湖街道"):
    appeal = submit(session, title=title, content=content, street=street, community=community)
    appeal.category = category
    return appeal


def _seed(session):
    for _ in range(3):
        _appeal(session, "翠湖花园小区垃圾站臭气熏天", "翠湖花园小区垃圾站无人清运。", "市容环卫")
    _appeal(session, "碧海华庭停车难", "碧海华庭小区车位不足，我们小区天天堵。", "城乡建设")
    _appeal(session, "星河路路灯不亮", "星河路路灯坏了一个月。", "城乡建设")
    _appeal(session, "咨询社保转移", "社保如何转移到外地。", None)
    session.flush()


def test_domains_estates_and_communities_are_ranked_by_count(db):
    with transaction(db.factory) as session:
        _seed(session)
        result = rankings(session, period())
    assert result.total == 6
    domains = [(r.label, r.count) for r in result.domains]
    assert domains == [("市容环卫", 3), ("城乡建设", 2), (UNCATEGORISED, 1)]
    assert result.domains[0].share == 0.5
    # Estates are read from the text: one count per appeal, "我们小区" names none.
    assert [(r.key, r.count) for r in result.estates] == [("翠湖花园", 3), ("碧海华庭", 1)]
    assert [(r.label, r.count) for r in result.communities] == [("平湖街道·凤凰社区", 6)]
    assert all(r.previous == 0 and r.change == r.count for r in result.domains)


def test_the_period_before_is_counted_for_comparison(db):
    with transaction(db.factory) as session:
        _seed(session)
        older = _appeal(session, "翠湖花园小区垃圾站又满了", "翠湖花园垃圾站。", "市容环卫")
        session.flush()
        session.execute(
            update(Appeal).where(Appeal.id == older.id).values(created_at=now() - timedelta(days=40))
        )
        result = rankings(session, period(days=30))
    top = result.domains[0]
    assert (top.label, top.count, top.previous, top.change) == ("市容环卫", 3, 1, 2)


def test_each_row_drills_down_to_its_appeals(db):
    with transaction(db.factory) as session:
        _seed(session)
        span = period()
        estate = drill_down(session, span, "estate", "翠湖花园")
        assert [a.title for a in estate] == ["翠湖花园小区垃圾站臭气熏天"] * 3
        domain = drill_down(session, span, "domain", "城乡建设")
        assert {a.title for a in domain} == {"碧海华庭停车难", "星河路路灯不亮"}
        assert [a.title for a in drill_down(session, span, "domain", UNCATEGORISED)] == ["咨询社保转移"]
        community_id = str(estate[0].community_id)
        assert len(drill_down(session, span, "community", community_id)) == 6
        assert drill_down(session, span, "nonsense", "x") == []


def test_rankings_only_count_what_the_viewer_may_read(db):
    with transaction(db.factory) as session:
        _seed(session)
        result = rankings(session, period(), db.user("handler_cgj"))
    assert result.total == 0 and result.domains == [] and result.estates == []
