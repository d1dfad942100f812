"""The daily briefs: what each picks and why, how they are stored, the .docx and the command."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from docx import Document
from sqlalchemy import func, select
from tests.appeals.helpers import submit
from typer.testing import CliRunner

from zhengshu.appeals import brief_criteria, briefs
from zhengshu.appeals.brief_docx import render_docx
from zhengshu.appeals.brief_signals import assess, rising_cases
from zhengshu.appeals.library_models import DailyBrief
from zhengshu.appeals.models import Appeal
from zhengshu.audit import AuditEvent
from zhengshu.cli import app
from zhengshu.clock import TZ, now
from zhengshu.db import transaction
from zhengshu.errors import InvalidInput

CREDIT_CODE = "91350100M000100Y43"
DAY = now().date() - timedelta(days=3)


def at(day, minute: int) -> datetime:
    return datetime.combine(day, time(9, 0), tzinfo=TZ) + timedelta(minutes=minute)


def filed(session, db, day, minute: int, phone: int, **fields) -> Appeal:
    reopened = fields.pop("reopen_count", 0)
    appeal = submit(session, db.user("operator"), appellant_phone=f"138000000{phone:02d}", **fields)
    appeal.created_at = at(day, minute)
    appeal.reopen_count = reopened
    return appeal


@pytest.fixture
def day_of_appeals(db):
    """Six appeals with signals and one without on DAY, and what came before them."""
    with transaction(db.factory) as session:
        numbers = {
            "gas": filed(
                session,
                db,
                DAY,
                1,
                1,
                urgency="critical",
                category="城乡建设",
                title="小区燃气泄漏",
                content="楼道里燃气泄漏味道很重，随时可能爆炸，联系电话13800000001。",
            ),
            "lift": filed(
                session,
                db,
                DAY,
                2,
                2,
                category="城乡建设",
                title="电梯又坏了",
                content="电梯困人半小时，楼里老人小孩很多。",
            ),
            "theft": filed(
                session, db, DAY, 3, 3, category="公共安全", title="电动车被偷", content="车棚电动车被偷。"
            ),
            "plain": filed(
                session,
                db,
                DAY,
                4,
                4,
                type="consultation",
                category="政务服务",
                title="公租房申请进度",
                content="想了解公租房申请进度。",
            ),
            "again": filed(session, db, DAY, 5, 5, title="楼下商铺音响太吵", content="每天放音乐到很晚。"),
            "reopened": filed(
                session, db, DAY, 6, 6, reopen_count=1, title="排水沟堵塞", content="一下雨就积水。"
            ),
            "cluster": filed(
                session,
                db,
                DAY,
                7,
                7,
                category="市容环卫",
                title="凤凰大道路灯不亮",
                content="凤凰大道路灯一到晚上就不亮，路上很黑。",
            ),
        }
        filed(session, db, DAY - timedelta(days=10), 0, 5, title="商铺音响扰民", content="音响声音很吵。")
        filed(
            session,
            db,
            DAY - timedelta(days=1),
            0,
            8,
            category="市容环卫",
            title="凤凰大道路灯不亮",
            content="凤凰大道的路灯晚上不亮，路上很黑。",
        )
        filed(
            session,
            db,
            DAY - timedelta(days=2),
            0,
            9,
            category="市容环卫",
            title="凤凰大道路灯坏了",
            content="凤凰大道路灯坏了，晚上不亮。",
        )
        return {name: appeal.number for name, appeal in numbers.items()}


def test_the_daily_five_picks_by_the_documented_criteria_with_a_reason_each(db, day_of_appeals):
    n = day_of_appeals
    with transaction(db.factory) as session:
        content = briefs.generate(session, DAY)[0].content
    items = content["items"]
    assert [i["number"] for i in items] == [n["gas"], n["lift"], n["cluster"], n["theft"], n["again"]]
    assert n["plain"] not in [i["number"] for i in items]
    assert content["total"] == 7 and content["candidates"] == 6
    assert "按得分列出前 5 件" in content["message"]
    why = {i["number"]: i["why"] for i in items}
    assert "特急件" in why[n["gas"]] and "“燃气”" in why[n["gas"]] and "“爆炸”" in why[n["gas"]]
    assert "“困人”" in why[n["lift"]] and "“老人”" in why[n["lift"]]
    assert "公共安全" in why[n["theft"]]
    assert "同一诉求人 90 天内第 2 次反映" in why[n["again"]]
    assert n["reopened"] not in why  # 1.5 like "again", filed a minute later
    assert items[0]["score"] == 3 + 2 + 0.5
    assert "13800000001" not in str(content) and "138****0001" in items[0]["summary"]


def test_a_growing_cluster_and_the_same_matter_are_reasons(db, day_of_appeals):
    with transaction(db.factory) as session:
        appeals = list(session.scalars(select(Appeal).where(Appeal.created_at >= briefs.day_bounds(DAY)[0])))
        start, end = briefs.day_bounds(DAY)
        found = assess(session, appeals, start, rising_cases(session, end))
    by_number = {a.number: found[a.id] for a in appeals}
    cluster = by_number[day_of_appeals["cluster"]]
    assert cluster.signals == ["repeat", "cluster"]
    assert "同一社区同类事项 30 天内已有 2 件" in cluster.why
    assert "类案上升：“凤凰大道路灯" in cluster.why and "3 件、3 人反映" in cluster.why
    assert "cluster" not in by_number[day_of_appeals["gas"]].signals
    reopened = by_number[day_of_appeals["reopened"]]
    assert (reopened.signals, reopened.why) == (["repeat"], "已重办 1 次")


def test_the_enterprise_brief_counts_by_type_street_and_industry_and_lists_the_overdue(db):
    with transaction(db.factory) as session:
        factory_appeal = filed(
            session,
            db,
            DAY,
            1,
            1,
            is_enterprise=True,
            enterprise_name="深圳市鼎盛精密制造有限公司",
            enterprise_credit_code=CREDIT_CODE,
            title="园区停水影响生产",
            content="停水两天，生产线停工。",
        )
        filed(
            session,
            db,
            DAY,
            2,
            2,
            type="consultation",
            is_enterprise=True,
            enterprise_name="深圳市甲乙有限公司",
            enterprise_credit_code=CREDIT_CODE,
            title="咨询开办事项",
            content="想了解开办流程。",
        )
        late = filed(
            session,
            db,
            DAY - timedelta(days=20),
            0,
            3,
            is_enterprise=True,
            enterprise_name="深圳市丙丁物流有限公司",
            enterprise_credit_code=CREDIT_CODE,
            title="货车通行证办理",
            content="办理很慢。",
        )
        late.status, late.due_at = "dispatched", at(DAY - timedelta(days=2), 0)
        filed(session, db, DAY, 3, 4, title="不是企业诉求")
        numbers = factory_appeal.number, late.number
    with transaction(db.factory) as session:
        content = briefs.generate(session, DAY)[1].content
    assert content["total"] == 2
    assert content["by_type"] == [["投诉", 1], ["咨询", 1]]
    assert content["by_street"] == [["平湖街道", 2]]
    assert content["by_industry"] == [["制造业", 1], ["未识别", 1]]
    assert [r["number"] for r in content["notable"]] == [numbers[0]]
    assert "“影响生产”" in content["notable"][0]["why"]
    assert [r["number"] for r in content["overdue"]] == [numbers[1]]
    assert content["overdue"][0]["late"] == "2 天"


def test_industry_keywords_and_unknown():
    assert brief_criteria.industry_of("深圳市远航餐饮管理有限公司", "") == "住宿餐饮"
    assert brief_criteria.industry_of(None, "我司仓储物流受限行影响") == "交通物流"
    assert brief_criteria.industry_of("深圳市甲乙有限公司", "咨询") == "未识别"


def test_a_day_without_appeals_gives_a_brief_that_says_so(db):
    quiet = DAY - timedelta(days=30)
    with transaction(db.factory) as session:
        five, enterprise = (b.content for b in briefs.generate(session, quiet))
    assert five["items"] == [] and "无新受理诉求" in five["message"]
    assert enterprise["appeals"] == [] and "无新受理企业诉求" in enterprise["message"]
    text = "\n".join(p.text for p in Document(_docx_file(five)).paragraphs)
    assert "无新受理诉求" in text


def _docx_file(content):
    import io

    return io.BytesIO(render_docx(content))


def test_the_docx_is_laid_out_like_a_government_brief(db, day_of_appeals):
    with transaction(db.factory) as session:
        five = briefs.generate(session, DAY)[0].content
    document = Document(_docx_file(five))
    paragraphs = document.paragraphs
    assert paragraphs[0].text == "民生诉求每日5条" and paragraphs[0].style.name == "简报红头"
    assert str(paragraphs[0].style.font.color.rgb) == "C00000"
    assert paragraphs[1].text == briefs.issue_label(DAY)
    assert briefs.date_label(DAY) in paragraphs[2].text
    headings = [p.text for p in paragraphs if p.style.name == "简报一级标题"]
    assert headings == ["一、总体情况", "二、重点关注诉求", "三、一览表"]
    body = document.styles["简报正文"].element.xml
    assert 'w:eastAsia="仿宋"' in body
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["序号", "编号", "诉求", "街道", "关注理由"]
    assert table.rows[1].cells[1].text == day_of_appeals["gas"]
    everything = "\n".join(p.text for p in paragraphs)
    assert "13800000001" not in everything and "张三" not in everything


def test_briefs_are_stored_once_per_day_and_kind_and_regenerated_on_demand(db, day_of_appeals):
    with transaction(db.factory) as session:
        assert briefs.ensure(session, DAY) is True
        assert briefs.ensure(session, DAY) is False
        briefs.generate(session, DAY, db.user("leader"))
    with transaction(db.factory) as session:
        stored = session.scalars(select(DailyBrief).where(DailyBrief.day == DAY)).all()
        events = session.scalar(select(func.count()).where(AuditEvent.action == "daily_brief.generated"))
    assert sorted(b.kind for b in stored) == ["daily_five", "enterprise"]
    assert {b.revision for b in stored} == {2}
    assert events == 4


@pytest.mark.parametrize(
    ("day", "words"), [(datetime(2999, 1, 1).date(), "尚未到来"), (datetime(1, 1, 1).date(), "2000-01-01")]
)
def test_future_and_too_early_days_are_refused_and_nothing_is_stored(db, day, words):
    with pytest.raises(InvalidInput, match=words), transaction(db.factory) as session:
        briefs.generate(session, day)
    with db.factory() as session:
        assert session.scalar(select(func.count()).select_from(DailyBrief)) == 0


def test_building_a_brief_stores_nothing(db, day_of_appeals):
    with transaction(db.factory) as session:
        built = briefs.build(session, DAY)
    assert set(built) == set(briefs.BriefKind)
    assert built[briefs.BriefKind.DAILY_FIVE]["day"] == DAY.isoformat()
    with db.factory() as session:
        assert session.scalar(select(func.count()).select_from(DailyBrief)) == 0
        assert session.scalar(select(func.count()).where(AuditEvent.action == "daily_brief.generated")) == 0


def test_the_command_writes_both_docx_and_refuses_a_bad_date(db, monkeypatch, tmp_path, day_of_appeals):
    monkeypatch.setenv("ZHENGSHU_DATABASE_URL", db.url)
    monkeypatch.setenv("ZHENGSHU_DEV", "1")
    runner = CliRunner()
    result = runner.invoke(app, ["brief", "daily", "--date", DAY.isoformat(), "--output", str(tmp_path)])
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == sorted([f"企业诉求每日速报_{DAY}.docx", f"民生诉求每日5条_{DAY}.docx"])
    assert str(tmp_path) in result.output.replace("\n", "")
    bad = runner.invoke(app, ["brief", "daily", "--date", "yesterday"])
    assert bad.exit_code == 1 and "日期格式应为 YYYY-MM-DD" in bad.output


def test_the_scheduler_generates_yesterdays_briefs_once(db):
    from zhengshu.jobs import generate_daily_briefs

    assert generate_daily_briefs(db.factory) is True
    assert generate_daily_briefs(db.factory) is False
    with transaction(db.factory) as session:
        days = session.scalars(select(DailyBrief.day)).all()
    assert days == [now().date() - timedelta(days=1)] * 2
