"""Class cases: places read from text, clustering by place and matter, the heat index, the service,
and the bench command's input checks."""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta

import pytest
from tests.appeals.helpers import submit
from tests.shared_data import APPEALS_DATA
from typer.testing import CliRunner

from zhengshu.appeals.class_cases import class_cases, growing_cases, growing_cluster_of, period
from zhengshu.appeals.hotspot_heat import growth, heat_parts, score
from zhengshu.appeals.hotspots import Message, cluster_messages
from zhengshu.appeals.places_in_text import PlaceKind, extract_places
from zhengshu.bench.hotspots import read_messages
from zhengshu.cli import app
from zhengshu.clock import now
from zhengshu.db import transaction
from zhengshu.errors import InvalidInput

DATA = APPEALS_DATA
HOTSPOT_CSV = DATA / "teddycup2020_hotspot_messages.csv"
START = datetime(2026, 3, 2, 9, 0)

# Invented appeals: two matters at two places, the same matter at other places, and strays.
GARBAGE = [
    ("翠湖花园小区垃圾站臭气熏天", "翠湖花园小区北门垃圾站每天堆满垃圾，臭气熏天，无人清运。"),
    ("投诉翠湖花园垃圾站垃圾不清运", "坂田街道翠湖花园小区的垃圾站长期不清运，夏天臭味严重。"),
    ("翠湖花园小区垃圾站臭味扰民", "我们是翠湖花园的业主，小区垃圾站臭味太大，请督促清运。"),
    ("反映翠湖花园垃圾站臭气问题", "翠湖花园小区垃圾站垃圾堆积，臭气影响居民开窗。"),
]
NOISE = [
    ("五和大道夜间施工噪音扰民", "五和大道工地每晚十二点后还在施工，噪音很大，无法休息。"),
    ("投诉五和大道工地夜间施工噪音", "五和大道旁的工地深夜施工，打桩噪音扰民。"),
    ("五和大道施工噪音太大影响休息", "五和大道工地夜间施工噪音扰民，希望限制施工时间。"),
]
OTHER_PLACE_GARBAGE = [
    ("碧海华庭小区垃圾站臭气熏天", "碧海华庭小区北门垃圾站每天堆满垃圾，臭气熏天，无人清运。"),
]
STRAYS = [
    ("咨询新生儿医保办理流程", "孩子刚出生，想了解新生儿参加医保需要哪些材料。"),
    ("公交站台广告牌破损", "地铁站出口附近的公交站台广告牌玻璃破裂，存在隐患。"),
]


def messages(groups, start=START, likes=None):
    result = []
    for index, (title, body) in enumerate(groups):
        result.append(
            Message(
                id=f"M{index}",
                title=title,
                body=body,
                created_at=start + timedelta(hours=index),
                appellant=f"U{index}",
                likes=likes,
            )
        )
    return result


def test_places_are_read_from_text_without_a_list_of_names():
    found = {p.name: p.kind for p in extract_places("龙岗区翠湖花园小区门口的星河路上垃圾堆积，靠近实验小学")}
    assert found == {
        "翠湖花园小区": PlaceKind.ESTATE,
        "星河路": PlaceKind.ROAD,
        "实验小学": PlaceKind.SCHOOL,
    }
    # The administrative prefix and the verb before a name are not part of it.
    assert [p.name for p in extract_places("反映A3区丽景新城小区停车难")] == ["丽景新城小区"]
    assert [p.key for p in extract_places("丽景新城小区")] == ["丽景新城"]


def test_words_that_only_point_at_a_place_are_no_place():
    assert extract_places("我们小区门口这条路太堵了，整个小区都受影响") == []
    assert extract_places("街道办事处和城管局") == []


def test_the_same_matter_at_the_same_place_is_one_class_case():
    given = messages(GARBAGE + NOISE + OTHER_PLACE_GARBAGE + STRAYS)
    clustering = cluster_messages(given)
    groups = sorted(sorted(given[i].title for i in c.members) for c in clustering.clusters)
    assert groups == sorted([sorted(t for t, _ in GARBAGE), sorted(t for t, _ in NOISE)])
    places = {c.place.name if c.place else None for c in clustering.clusters}
    assert places == {"翠湖花园小区", "五和大道"}


def test_the_same_wording_at_another_place_is_another_matter():
    twin = [("碧海华庭小区垃圾站臭气熏天", GARBAGE[0][1].replace("翠湖花园", "碧海华庭"))]
    given = messages(GARBAGE[:1] + twin)
    assert cluster_messages(given).clusters == []


def test_nothing_to_cluster_gives_no_class_case():
    assert cluster_messages([]).clusters == []
    assert cluster_messages(messages(STRAYS)).clusters == []


def test_growth_compares_the_last_week_with_the_weekly_baseline():
    end = START + timedelta(days=28)
    steady = [end - timedelta(days=d) for d in (1, 8, 15, 22)]
    value, trend = growth(steady, end)
    assert trend == "steady" and value == pytest.approx(math.log2(2 / 2))
    rising = [end - timedelta(days=d) for d in (1, 2, 3, 4, 20)]
    value, trend = growth(rising, end)
    assert trend == "rising" and value == pytest.approx(math.log2(5 / (1 / 3 + 1)))
    falling = [end - timedelta(days=d) for d in (9, 10, 12, 15, 16, 20)]
    assert growth(falling, end)[1] == "falling"


def test_the_heat_index_follows_its_documented_formula():
    parts = heat_parts(count=10, appellants=8, likes=100, growth_value=1.5, severe_share=0.2)
    expected = 10 * math.log1p(10) + 10 * math.log1p(8) + 5 * math.log1p(100) + 15 + 2
    assert sum(parts.values()) == pytest.approx(expected)


def test_class_cases_are_ranked_by_heat_with_their_figures():
    given = messages(GARBAGE + NOISE, likes=3)
    cases = score(cluster_messages(given).clusters, given, START + timedelta(days=1))
    assert [c.rank for c in cases] == [1, 2]
    first = cases[0]
    assert first.count == 4 and first.appellants == 4 and first.likes == 12
    assert first.place == "翠湖花园小区"
    assert first.heat == pytest.approx(sum(first.parts.values()), abs=0.2)
    assert sorted(first.message_ids) == ["M0", "M1", "M2", "M3"]
    assert first.first_at == START and first.last_at == START + timedelta(hours=3)


def _submit_all(session, groups, street="坂田街道", community=None):
    return [submit(session, title=t, content=b, street=street, community=community) for t, b in groups]


def test_class_cases_of_the_platform_and_the_growing_cluster_question(db):
    with transaction(db.factory) as session:
        garbage = _submit_all(session, GARBAGE)
        _submit_all(session, NOISE + STRAYS)
        numbers = {a.number for a in garbage}
        span = period()
        cases = class_cases(session, span.start, span.end)
        assert [c.count for c in cases] == [4, 3]
        assert set(cases[0].message_ids) == numbers
        assert cases[0].likes is None  # appeals have no likes
        # All arrived this week, none before: the cluster is growing.
        case = growing_cluster_of(session, garbage[0])
        assert case is not None and case.trend == "rising" and set(case.message_ids) == numbers
        assert set(growing_cases(session)) >= numbers
        # A handler outside every appeal's department sees no class case.
        handler_cases = class_cases(session, span.start, span.end, viewer=db.user("handler_cgj"))
        assert handler_cases == []


def test_an_appeal_alone_is_in_no_growing_cluster(db):
    with transaction(db.factory) as session:
        alone = _submit_all(session, STRAYS[:1])[0]
        assert growing_cluster_of(session, alone) is None
        assert growing_cluster_of(session, alone, at=now() + timedelta(days=1)) is None


def test_a_period_must_be_a_real_range():
    today = now().date()
    with pytest.raises(InvalidInput, match="开始日期不能晚于结束日期"):
        period(today, today - timedelta(days=1))
    with pytest.raises(InvalidInput, match="最长"):
        period(today - timedelta(days=800), today)


def _csv(tmp_path, text):
    path = tmp_path / "messages.csv"
    path.write_text(text, encoding="utf-8")
    return path


HEADER = "留言编号,留言用户,留言主题,留言时间,留言详情,反对数,点赞数\n"


def test_a_csv_with_wrong_columns_or_no_rows_is_refused_in_chinese(tmp_path):
    with pytest.raises(InvalidInput, match="缺少列：留言编号"):
        read_messages(_csv(tmp_path, "id,text\n1,hello\n"))
    with pytest.raises(InvalidInput, match="文件是空的"):
        read_messages(_csv(tmp_path, ""))
    with pytest.raises(InvalidInput, match="没有任何留言"):
        read_messages(_csv(tmp_path, HEADER))
    with pytest.raises(InvalidInput, match="留言时间无法识别"):
        read_messages(_csv(tmp_path, HEADER + "1,U1,标题,昨天,详情,0,0\n"))
    with pytest.raises(InvalidInput, match="无法读取"):
        read_messages(tmp_path / "missing.csv")


def test_the_bench_command_prints_hot_issues_on_stderr_and_one_json_line(tmp_path):
    rows = [
        f"{i},U{i},{t},2026/3/{i + 1} 10:00:00,{b},0,{i}" for i, (t, b) in enumerate(GARBAGE + NOISE + STRAYS)
    ]
    path = _csv(tmp_path, HEADER + "\n".join(rows) + "\n")
    result = CliRunner().invoke(app, ["bench", "hotspots", "--input", str(path), "--workers", "1"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout.strip())
    assert figures["messages"] == 9 and figures["class_cases"] == 2
    # The noise case has fewer appeals but more likes (5+6+7 against 0+1+2+3): it ranks first.
    assert [t["count"] for t in figures["top"]] == [3, 4]
    assert "热点 1" in result.stderr and "留言编号：4, 5, 6" in result.stderr
    assert "留言编号：0, 1, 2, 3" in result.stderr


def test_the_bench_command_fails_clearly_on_a_bad_csv(tmp_path):
    path = _csv(tmp_path, "a,b\n1,2\n")
    result = CliRunner().invoke(app, ["bench", "hotspots", "--input", str(path)])
    assert result.exit_code == 1
    assert "缺少列" in result.stderr and "Traceback" not in result.output


@pytest.mark.skipif(not HOTSPOT_CSV.exists(), reason="shared data not present")
def test_the_real_message_board_csv_is_read_whole():
    found = read_messages(HOTSPOT_CSV)
    assert len(found) > 4000
    assert any(m.likes for m in found)
    assert all(m.created_at.year >= 2017 for m in found)


def test_two_matters_of_one_community_are_two_class_cases_and_communities_never_mix():
    # Invented: a gas leak and a broken lift in one community; the same gas-leak wording elsewhere.
    gas = "{c}社区幸福花园3栋楼道里燃气泄漏，气味很重，担心爆炸，请尽快派人检修燃气管道。"
    lift = "{c}社区幸福花园3栋电梯坏了一个星期，老人上下楼很困难，物业一直不修。"
    given = messages(
        [("幸福花园燃气泄漏", gas.format(c="东湖")), ("幸福花园楼道燃气泄漏", gas.format(c="东湖"))]
        + [("幸福花园电梯故障", lift.format(c="东湖")), ("幸福花园电梯坏了没人修", lift.format(c="东湖"))]
        + [("幸福花园燃气泄漏", gas.format(c="西岭"))]
    )
    clusters = cluster_messages(given).clusters
    groups = sorted(sorted(c.members) for c in clusters)
    assert groups == [[0, 1], [2, 3]]
    assert {c.place.name for c in clusters if c.place} == {"幸福花园"}


def test_the_community_filed_under_separates_the_same_wording_at_two_estates_of_that_name():
    body = "小区门口的路灯坏了很久，晚上一片漆黑，请尽快维修。"
    given = [
        Message(f"M{i}", "幸福花园路灯不亮", "幸福花园" + body, START + timedelta(hours=i), "U", area=area)
        for i, area in enumerate(["东湖社区", "东湖社区", "西岭社区"])
    ]
    clusters = cluster_messages(given).clusters
    assert [c.members for c in clusters] == [[0, 1]]


def test_the_synthetic_bench_set_has_only_distinct_texts():
    from zhengshu.bench.hotspots import synthetic

    given = messages(GARBAGE + NOISE + STRAYS)
    made = synthetic(given, 200)
    assert len(made) == 200 and len({(m.title, m.body) for m in made}) == 200
