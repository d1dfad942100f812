"""Importing and editing items on SQLite and PostgreSQL: all or nothing, upsert by code, materials
and FAQs replaced, idempotent re-import, one audit event per import, the officer's edit."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from tests.guide.guide_files import emptied, guide_officer, jsonl, native
from tests.shared_data import SHARED_DATA

from zhengshu.audit import AuditEvent
from zhengshu.db import reading, transaction
from zhengshu.errors import InvalidInput, NotFound, PermissionDenied
from zhengshu.guide.catalog import all_records, item_record, items_signature
from zhengshu.guide.demo import SAMPLE_NOTE, load_demo
from zhengshu.guide.importing import edit_item, import_items
from zhengshu.guide.item_files import read_item_file
from zhengshu.guide.models import ServiceFaq, ServiceItem, ServiceMaterial
from zhengshu.guide.records import Faq, ItemRecord, Material

GD_FILE = SHARED_DATA / "service_items" / "gd_service_items_2262.jsonl"


@pytest.fixture
def guide_db(db):
    with emptied(db):
        yield db


def counts(db) -> tuple[int, int, int]:
    with reading(db.factory) as session:
        return tuple(  # type: ignore[return-value]
            session.scalar(select(func.count()).select_from(model)) or 0
            for model in (ServiceItem, ServiceMaterial, ServiceFaq)
        )


def events(db, action: str) -> list[AuditEvent]:
    with reading(db.factory) as session:
        return list(
            session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
        )


def run(db, data: bytes, actor=None, name: str = "items.jsonl"):
    item_file = read_item_file(name, data)
    with transaction(db.factory) as session:
        return import_items(session, item_file, actor, source=name)


TWO_LINES = (
    native(
        "LG-1",
        "高龄津贴申领",
        materials=["居民身份证 原件 1份", "银行卡 复印件 1份"],
        faqs=[{"question": "能代办吗？", "answer": "能。"}],
    ),
    native("LG-2", "老年人优待证办理", materials=["居民身份证 原件 1份"]),
)
TWO = jsonl(*TWO_LINES)


def test_the_demo_loads_once_and_again_changes_nothing(guide_db):
    first = load_demo(guide_db.factory, guide_db.user("admin"))
    assert (first.created, first.updated, first.unchanged) == (20, 0, 0) and first.written
    item_count, material_count, faq_count = counts(guide_db)
    assert item_count == 20 and material_count > 60 and faq_count > 40
    again = load_demo(guide_db.factory)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 20)
    assert counts(guide_db) == (item_count, material_count, faq_count)
    imported = events(guide_db, "guide.items_imported")
    assert len(imported) == 2  # one per import, not one per item
    assert imported[0].data.items() >= {"source": SAMPLE_NOTE, "created": 20, "total": 20}.items()
    assert imported[0].actor_label == "admin" and imported[1].actor_label == "系统"


def test_a_file_with_any_bad_row_writes_nothing(guide_db):
    run(guide_db, TWO)
    before = counts(guide_db)
    changed = native("LG-1", "高龄津贴申领", fee="不收费")
    report = run(guide_db, jsonl(changed, native("LG-3", ""), native("LG-4", "新事项")))
    assert not report.ok and not report.written
    assert [(row.row, row.errors) for row in report.rejected] == [(2, ["缺少事项名称"])]
    assert report.summary() == "导入失败：1 行有错误，本次未导入任何事项"
    assert counts(guide_db) == before
    with reading(guide_db.factory) as session:
        assert item_record(session, "LG-1").fee == ""  # the good row's change was not applied
        with pytest.raises(NotFound, match="未找到编码为“LG-4”的服务事项"):
            item_record(session, "LG-4")
    assert len(events(guide_db, "guide.items_imported")) == 1


def test_a_changed_item_is_updated_with_its_materials_and_faqs_replaced(guide_db):
    run(guide_db, TWO)
    changed = native(
        "LG-1",
        "高龄津贴申领",
        materials=["居民身份证 原件 1份", "户口簿 复印件 1份 可选", "委托书 原件 1份 可选"],
        faqs=[],
    )
    report = run(
        guide_db, jsonl(changed, native("LG-2", "老年人优待证办理", materials=["居民身份证 原件 1份"]))
    )
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    with reading(guide_db.factory) as session:
        record = item_record(session, "LG-1")
        assert [m.name for m in record.materials] == ["居民身份证", "户口簿", "委托书"]
        assert record.materials[1] == Material("户口簿", "复印件", 1, optional=True)
        assert record.faqs == ()
    assert counts(guide_db) == (2, 4, 0)


def test_records_made_in_code_are_checked_like_a_file(guide_db):
    records = [
        ItemRecord("LG-9", "生育登记", "区卫生健康局", faqs=(Faq("要结婚证吗？", "要。"),)),
        ItemRecord("LG-9", "生育登记（重复）", "区卫生健康局"),
    ]
    with transaction(guide_db.factory) as session:
        report = import_items(session, records, None)
    assert [row.errors for row in report.rejected] == [["事项编码“LG-9”与第 1 行重复"]]
    assert counts(guide_db) == (0, 0, 0)


def test_only_guide_officers_import_and_edit(guide_db):
    item_file = read_item_file("items.jsonl", TWO)
    with transaction(guide_db.factory) as session, pytest.raises(PermissionDenied, match="政务服务专员"):
        import_items(session, item_file, guide_db.user("operator"))
    officer = guide_officer(guide_db)
    with transaction(guide_db.factory) as session:
        import_items(session, item_file, officer)
    with transaction(guide_db.factory) as session, pytest.raises(PermissionDenied):
        edit_item(session, "LG-1", {"fee": "10元"}, guide_db.user("policy"))


def test_an_officer_edits_one_item_and_it_is_audited(guide_db):
    run(guide_db, TWO)
    officer = guide_officer(guide_db)
    with transaction(guide_db.factory) as session:
        record = edit_item(
            session, "LG-1", {"fee": "不收费", "legal_limit": "20个工作日", "themes": ["老年人"]}, officer
        )
    assert record.fee == "不收费" and record.legal_limit_days == 20 and record.themes == ("老年人",)
    assert record.life_events == ("退休养老",)
    [event] = events(guide_db, "guide.item_edited")
    assert event.subject_type == "service_item" and event.subject_id == record.extra["id"]
    assert event.data["changed"] == ["fee", "legal_limit_days", "themes"]
    assert event.data["fields"] == ["收费", "法定时限", "主题"]
    assert event.actor_id == officer.id
    with reading(guide_db.factory) as session:
        assert session.scalar(select(ServiceItem.source).where(ServiceItem.code == "LG-1")) == "人工修改"
    # The same values again change nothing and record nothing.
    with transaction(guide_db.factory) as session:
        edit_item(session, "LG-1", {"fee": "不收费"}, officer)
    assert len(events(guide_db, "guide.item_edited")) == 1
    # Life events the table found are found again for an edited name.
    with transaction(guide_db.factory) as session:
        renamed = edit_item(session, "LG-2", {"name": "新生儿入户"}, officer)
    assert renamed.life_events == ("出生", "证件办理")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"code": "LG-X"}, "事项编码不能修改"),
        ({"name": ""}, "缺少事项名称"),
        ({"colour": "红"}, "无法修改的字段：colour"),
        ({"materials": "居民身份证 原件 1份", "visits": "许多"}, "到现场次数"),
        ({"legal_limit": -3}, "时限应为 0 到"),
        # An extra that is no object is refused like an imported row's, not a crash.
        ({"extra": "x"}, "其他信息：应为对象"),
        ({"extra": 5}, "其他信息：应为对象"),
        ({"extra": [1]}, "其他信息：应为对象"),
        # What Python's JSON reader makes of 1e400 and NaN in a request body.
        ({"legal_limit_days": float("inf")}, "法定时限：时限应为 0 到 3650"),
        ({"promised_limit_days": float("nan")}, "承诺时限：时限应为 0 到 3650"),
        ({"visits": float("inf")}, "到现场次数：应为整数"),
        # Text fields take text: no "5" or "['x']" stored as a name.
        ({"name": 5}, "事项名称：应为文字"),
        ({"name": ["x"]}, "事项名称：应为文字"),
        ({"department": {"a": 1}}, "实施主体：应为文字"),
        ({"materials": [{"name": 5}]}, "申请材料的 name 应为文字"),
    ],
)
def test_bad_edits_are_refused_in_chinese(guide_db, changes, message):
    run(guide_db, TWO)
    with transaction(guide_db.factory) as session, pytest.raises(InvalidInput, match=message):
        edit_item(session, "LG-1", changes, guide_db.user("admin"))
    with transaction(guide_db.factory) as session, pytest.raises(NotFound):
        edit_item(session, "NO-SUCH", {"fee": "1元"}, guide_db.user("admin"))


def test_the_real_export_imports_in_one_go_and_again_unchanged(guide_db):
    if not GD_FILE.exists():
        pytest.skip("shared data not available (set ZHENGSHU_SHARED_DATA)")
    data = GD_FILE.read_bytes()
    report = run(guide_db, data, name=GD_FILE.name)
    assert (report.created, report.updated, report.unchanged) == (2262, 0, 0)
    assert len(report.rows) == 69 and report.ok  # notes only: names two bodies share
    with reading(guide_db.factory) as session:
        records = all_records(session)
        assert len(records) == 2262 and all(isinstance(r.extra["id"], int) for r in records)
        assert sum(len(r.materials) for r in records) == counts(guide_db)[1]
        one = item_record(session, "11440000006939756B2440101007000")
        assert one.legal_limit_days == 30 and one.materials == (Material("提价申报申请报告"),)
    again = run(guide_db, data, name=GD_FILE.name)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2262)


def test_the_command_prints_the_row_report_and_exits_1_when_rejected(guide_db, monkeypatch, tmp_path):
    from typer.testing import CliRunner

    from zhengshu.cli import app

    monkeypatch.setenv("ZHENGSHU_DATABASE_URL", guide_db.url)
    monkeypatch.setenv("ZHENGSHU_DEV", "1")
    runner = CliRunner()
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(jsonl(native("LG-1", "高龄津贴申领"), native("LG-1", "重复")))
    rejected = runner.invoke(app, ["guide", "import", str(bad)])
    assert rejected.exit_code == 1 and "事项编码“LG-1”与第 1 行重复" in rejected.output
    good = tmp_path / "good.jsonl"
    good.write_bytes(TWO)
    imported = runner.invoke(app, ["guide", "import", str(good)])
    assert imported.exit_code == 0 and "新增 2" in imported.output
    assert counts(guide_db)[0] == 2


def test_an_extra_of_null_is_empty_as_in_a_file(guide_db):
    run(guide_db, jsonl(native("LG-1", "高龄津贴申领", extra={"note": "x"})))
    officer = guide_officer(guide_db)
    with transaction(guide_db.factory) as session:
        record = edit_item(session, "LG-1", {"extra": None}, officer)
    assert "note" not in record.extra


def test_an_edit_cannot_give_an_item_the_name_of_another_of_its_body(guide_db):
    run(guide_db, jsonl(*TWO_LINES, native("LG-3", "高龄津贴申领", department="区残疾人联合会")))
    officer = guide_officer(guide_db)
    with (
        transaction(guide_db.factory) as session,
        pytest.raises(
            InvalidInput, match="实施主体“区民政局”下已有名为“老年人优待证办理”的事项（编码 LG-2）"
        ) as refused,
    ):
        edit_item(session, "LG-1", {"name": "老年人优待证办理"}, officer)
    assert refused.value.errors == {"name": "与同一实施主体的其他事项重名"}
    with (
        transaction(guide_db.factory) as session,
        pytest.raises(InvalidInput, match="已有名为“高龄津贴申领”的事项（编码 LG-3）"),
    ):
        edit_item(session, "LG-1", {"department": "区残疾人联合会"}, officer)
    with reading(guide_db.factory) as session:
        assert item_record(session, "LG-1").name == "高龄津贴申领"
    assert events(guide_db, "guide.item_edited") == []
    # Another body's item may share the name (the same item implemented by two bodies).
    with transaction(guide_db.factory) as session:
        moved = edit_item(
            session, "LG-2", {"department": "区残疾人联合会", "name": "残疾人两项补贴"}, officer
        )
    assert (moved.name, moved.department) == ("残疾人两项补贴", "区残疾人联合会")


def test_an_import_cannot_add_a_name_a_stored_item_of_the_body_has(guide_db):
    run(guide_db, TWO)
    before = counts(guide_db)
    report = run(guide_db, jsonl(native("LG-9", "高龄津贴申领")))
    assert not report.written and counts(guide_db) == before
    assert report.rejected[0].errors == [
        "实施主体“区民政局”下已有名为“高龄津贴申领”的事项（编码 LG-1），同一实施主体下事项名称不能重复"
    ]
    # A file that renames the stored item at the same time may give its old name to a new one.
    swapped = run(guide_db, jsonl(native("LG-1", "高龄津贴申领（旧）"), native("LG-9", "高龄津贴申领")))
    assert swapped.ok and (swapped.created, swapped.updated) == (1, 1)


def test_the_items_signature_changes_with_every_import_and_edit(guide_db):
    with reading(guide_db.factory) as session:
        empty = items_signature(session)
    run(guide_db, TWO)
    officer = guide_officer(guide_db)
    with reading(guide_db.factory) as session:
        imported = items_signature(session)
    with transaction(guide_db.factory) as session:
        edit_item(session, "LG-2", {"fee": "不收费"}, officer)
    with reading(guide_db.factory) as session:
        edited = items_signature(session)
        again = items_signature(session)
    assert len({empty, imported, edited}) == 3 and edited == again
