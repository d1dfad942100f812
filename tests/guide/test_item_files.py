"""Reading item files: the 广东政务服务网 export and the project's own JSONL, Excel workbooks with a
FAQ sheet, the values a guide writes (limits, materials), and a report row by row for broken files."""

from __future__ import annotations

import pytest
from tests.guide.guide_files import GOOD_ROW, jsonl, native, workbook
from tests.shared_data import SHARED_DATA

from zhengshu.errors import InvalidInput
from zhengshu.guide import item_files
from zhengshu.guide.item_files import read_item_file
from zhengshu.guide.item_rows import ItemFile
from zhengshu.guide.item_values import material_from_line, read_count, read_limit, read_list
from zhengshu.guide.life_events import ENTERPRISE, PERSON, audience_kinds, derive_life_events
from zhengshu.guide.records import Material

GD_FILE = SHARED_DATA / "service_items" / "gd_service_items_2262.jsonl"


@pytest.fixture(scope="module")
def gd_file() -> ItemFile:
    if not GD_FILE.exists():
        pytest.skip("shared data not available (set ZHENGSHU_SHARED_DATA)")
    return read_item_file(GD_FILE.name, GD_FILE.read_bytes())


def test_the_real_export_reads_without_errors_and_notes_the_names_two_bodies_share(gd_file):
    assert len(gd_file.rows) == 2262 and gd_file.ok
    assert len({r.code for r in gd_file.records}) == 2262
    shared = [row for row in gd_file.rows if any("同名" in note for note in row.notes)]
    # 67 names occur for 2 or 3 items of different bodies: every one after the first is noted.
    assert len(shared) == 69
    first = shared[0]
    assert first.record is not None and "不同实施主体的同一事项" in first.notes[0]


def test_an_exported_item_maps_to_the_record(gd_file):
    record = next(r for r in gd_file.records if r.code == "11440000006939756B2440101007000")
    assert record.name == "临时价格干预范围事项提价申报"
    assert record.department == "广东省发展和改革委员会"
    assert record.item_type == "行政许可" and record.level == "省级"
    assert (record.legal_limit_days, record.promised_limit_days) == (30, 7)
    assert record.place == "广州市越秀区东风中路305号5号楼808房"  # the "办理地点：" label is gone
    assert record.materials == (Material("提价申报申请报告"),)
    assert record.courier is True and record.visits == 0
    assert "企业法人" in record.audiences and record.themes == ("其他",)


def test_exported_limits_in_calendar_days_and_counterless_items_are_kept_as_written(gd_file):
    calendar = [r for r in gd_file.records if r.legal_limit_text]
    assert len(calendar) == 11 and all(r.legal_limit_days is None for r in calendar)
    assert {r.legal_limit_text for r in calendar} >= {"90个自然日"}
    counterless = [r for r in gd_file.records if r.extra.get("no_counter")]
    assert len(counterless) == 824 and all(r.place == "" for r in counterless)
    assert sum(1 for r in gd_file.records if not r.materials) == 1446 + 7  # "无", and empty lists


def test_life_events_are_found_for_the_export(gd_file):
    by_code = {r.code: r for r in gd_file.records}
    found = [r for r in gd_file.records if r.life_events]
    assert len(found) > 600
    assert all(r.extra.get("life_events_derived") for r in found)
    permit = by_code["11440100007482567N3440104012005"]  # 无线电频率使用许可（变更）
    assert permit.life_events == ()


def test_native_lines_read_materials_as_objects_or_plain_names_and_faqs():
    data = jsonl(
        native(
            "LG-001",
            "生育登记",
            materials=[
                {
                    "name": "结婚证",
                    "form": "原件及复印件",
                    "copies": "2份",
                    "medium": "纸质",
                    "optional": "否",
                },
                "居民身份证 原件 1份 电子版",
                "户口簿（如有）",
            ],
            legal_limit="即办",
            promised_limit_days=0,
            faqs=[{"question": "要两个人去吗？", "answer": "不用，一方即可。"}],
            themes="生小孩、生育收养",
            life_events=["出生"],
            audiences=["自然人"],
        )
    )
    [record] = read_item_file("items.jsonl", data).records
    assert record.materials == (
        Material("结婚证", "原件和复印件", 2, "纸质", False),
        Material("居民身份证", "原件", 1, "电子"),
        Material("户口簿", optional=True),
    )
    assert record.legal_limit_days == 0 and record.promised_limit_days == 0
    assert record.faqs[0].answer == "不用，一方即可。"
    assert record.themes == ("生小孩", "生育收养") and record.life_events == ("出生",)
    assert "life_events_derived" not in record.extra  # the line named its own


def test_a_broken_jsonl_file_is_reported_row_by_row():
    data = jsonl(
        native("A-1", "高龄津贴申领"),
        '{"code": "A-2", "name": 没有引号}',
        "[1, 2]",
        native("", "", ""),
        native("A-1", "别的事项"),
        native("A-3", "高龄津贴申领"),  # same name, same body as line 1
        native("A-4", "高龄津贴申领", department="区残疾人联合会"),  # another body: a note only
        native("A-5", "低保申请", legal_limit="另行通知", colour="红"),
        native("A 6", "特困供养", materials={"name": "x"}),
        native("A-7", "名" * 301, visits="很多", online_url="javascript:alert(1)"),
        "",
    )
    found = read_item_file("items.jsonl", data)
    errors = {row.row: row.errors for row in found.rows if row.errors}
    assert "不是合法的 JSON" in errors[2][0]
    assert errors[3] == ["应为一个 JSON 对象 {…}"]
    assert errors[4] == ["缺少事项编码", "缺少事项名称", "缺少实施主体"]
    assert errors[5] == ["事项编码“A-1”与第 1 行重复"]
    assert errors[6] == ["实施主体“区民政局”下事项名称“高龄津贴申领”与第 1 行重复"]
    assert any("只能包含字母、数字" in e for e in errors[9]) and any("申请材料" in e for e in errors[9])
    assert "事项名称过长（最多 300 个字符）" in errors[10] and any("到现场次数" in e for e in errors[10])
    assert "网上办理地址应为以 http:// 或 https:// 开头的网址" in errors[10]
    assert set(errors) == {2, 3, 4, 5, 6, 9, 10} and not found.ok
    notes = {row.row: row.notes for row in found.rows if row.notes}
    assert "与第 1 行（区民政局）同名" in notes[7][0]
    assert any("无法识别为工作日数" in n for n in notes[8]) and any("colour" in n for n in notes[8])
    low = next(r for r in found.records if r.code == "A-5")
    assert low.legal_limit_days is None and low.legal_limit_text == "另行通知"


def test_an_excel_workbook_with_a_faq_sheet():
    other = ["LG-MZ-002", "老年人优待证办理", "区民政局", "公共服务", "年满60周岁", "居民身份证 原件 1份"]
    data = workbook(
        [GOOD_ROW, other],
        faqs=[["LG-MZ-001", "子女能代办吗？", "可以，带委托书。"], ["LG-MZ-001", "多久到账？", "次月。"]],
    )
    found = read_item_file("事项.xlsx", data)
    assert found.ok and found.format == "xlsx"
    first, second = found.records
    assert first.materials == (
        Material("居民身份证", "原件", 1, "纸质"),
        Material("银行账户", "复印件", 1),
        Material("户口簿", "复印件", 1, optional=True, note="户籍在外区的提交"),
    )
    assert (first.legal_limit_days, first.promised_limit_days) == (20, 10)
    assert [f.question for f in first.faqs] == ["子女能代办吗？", "多久到账？"]
    assert first.life_events == ("退休养老",) and first.audiences == ("自然人",)
    assert second.faqs == () and second.name == "老年人优待证办理"
    # The sheet's row numbers: a title row, then the header, so the first item is row 3.
    assert [row.row for row in found.rows] == [3, 4, 2, 3]


def test_excel_rows_and_faq_rows_with_problems_are_reported_with_their_sheet():
    data = workbook(
        [GOOD_ROW, ["LG-MZ-001", "重复编码", "区民政局"], ["", "没有编码的事项", "区民政局"]],
        faqs=[["NOPE", "问？", "答。"], ["LG-MZ-001", "只有问题", None]],
        title=None,
    )
    found = read_item_file("事项.xlsx", data)
    where = {row.where: row.errors for row in found.rows if row.errors}
    assert where == {
        "第 3 行": ["事项编码“LG-MZ-001”与第 2 行重复"],
        "第 4 行": ["缺少事项编码"],
        "常见问题 第 2 行": ["事项编码“NOPE”不在事项表中"],
        "常见问题 第 3 行": ["缺少问题或回答"],
    }


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("items.csv", b"a,b", "不支持的文件类型"),
        ("items.jsonl", b"", "文件是空的"),
        ("items.jsonl", b"\n\n", "文件中没有事项"),
        ("items.jsonl", "编码".encode("gbk"), "UTF-8"),
        ("items.xlsx", b"PK\x03\x04 not really a workbook", "无法读取该 Excel 文件"),
        ("items.xlsx", workbook([], title=None), "文件中没有事项"),
    ],
)
def test_unreadable_files_are_refused_in_chinese(name, data, message):
    with pytest.raises(InvalidInput, match=message):
        read_item_file(name, data)


def test_a_workbook_without_the_required_columns_is_refused():
    import io

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["事项名称", "受理条件"])
    sheet.append(["生育登记", "夫妻"])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(InvalidInput, match="缺少必需的列：事项编码、实施主体"):
        read_item_file("事项.xlsx", buffer.getvalue())


def test_size_and_row_limits(monkeypatch):
    monkeypatch.setattr(item_files, "MAX_FILE_BYTES", 100)
    with pytest.raises(InvalidInput, match="文件过大"):
        read_item_file("items.jsonl", b" " * 101)
    monkeypatch.undo()
    monkeypatch.setattr(item_files, "MAX_ROWS", 2)
    with pytest.raises(InvalidInput, match="一次最多导入 2 个事项"):
        read_item_file("items.jsonl", jsonl(native("A-1", "一"), native("A-2", "二"), native("A-3", "三")))


@pytest.mark.parametrize(
    ("value", "days", "text", "readable"),
    [
        ("20(工作日)", 20, "", True),
        ("20个工作日", 20, "", True),
        ("20", 20, "", True),
        (20.0, 20, "", True),
        ("即办", 0, "", True),
        ("无", None, "", True),
        ("90(自然日)", None, "90个自然日", True),
        ("30天", None, "30天", True),
        ("另行通知", None, "另行通知", False),
    ],
)
def test_time_limits(value, days, text, readable):
    limit = read_limit(value)
    assert (limit.days, limit.text, limit.readable) == (days, text, readable)


@pytest.mark.parametrize("value", [-1, 2.5, 99_999, True])
def test_absurd_time_limits_are_errors(value):
    with pytest.raises(ValueError, match="时限"):
        read_limit(value)


def test_material_lines():
    assert material_from_line("1. 申请表 原件 两份 纸质或电子 必需") == Material(
        "申请表", "原件", 2, "纸质或电子"
    )
    assert material_from_line("营业执照 副本 复印件 1份 可选 备注：加盖公章") == Material(
        "营业执照 副本", "复印件", 1, "", True, "加盖公章"
    )
    assert material_from_line("（2）近期免冠照片（可选）") == Material("近期免冠照片", optional=True)
    assert material_from_line("  ") is None
    assert read_count("三份", "份数") == 3
    with pytest.raises(ValueError, match="不是整数"):
        read_count("若干", "份数")
    assert read_list("就业、创业；退休\n就业") == ("就业", "创业", "退休")


def test_life_events_and_audiences():
    assert derive_life_events("出生医学证明补发", "", ()) == ("出生", "证件办理")
    assert derive_life_events("律师执业许可", "", ("职业资格",)) == ()
    assert "创业/开办企业" in derive_life_events("个体工商户设立登记", "", ())
    assert derive_life_events("某事项", "", ("交通出行",)) == ("出行",)
    assert audience_kinds(["自然人"]) == (PERSON,)
    assert audience_kinds(["企业法人", "非法人企业"]) == (ENTERPRISE,)
    assert audience_kinds(["自然人", "社会组织法人"]) == (PERSON, ENTERPRISE)
    assert audience_kinds([]) == (PERSON, ENTERPRISE)


# --- values of the wrong kind, numbers that are none, formulas -----------------------------------


def test_numbers_json_reads_as_infinite_or_nan_are_row_errors_in_chinese():
    data = "\n".join(
        [
            '{"code": "N-1", "name": "一", "department": "区民政局", "legal_limit_days": 1e400}',
            '{"code": "N-2", "name": "二", "department": "区民政局", "promised_limit_days": NaN}',
            '{"code": "N-3", "name": "三", "department": "区民政局", "visits": -Infinity}',
            '{"code": "N-4", "name": "四", "department": "区民政局", "visits": ' + "9" * 5000 + "}",
            '{"code": "N-5", "name": "五", "department": "区民政局", "legal_limit_days": 20.0}',
        ]
    ).encode()
    found = read_item_file("items.jsonl", data)
    errors = {row.row: row.errors for row in found.rows if row.errors}
    assert errors == {
        1: ["不是合法的 JSON：数值 1e400 超出范围"],
        2: ["不是合法的 JSON：NaN 不是数值"],
        3: ["不是合法的 JSON：-Infinity 不是数值"],
        4: ["不是合法的 JSON：数值过长"],
    }
    assert found.rows[4].record is not None and found.rows[4].record.legal_limit_days == 20


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan")])
def test_the_value_readers_refuse_numbers_that_are_none(value):
    # What an API body's JSON (read by Python's json, which allows them) can hand the readers.
    with pytest.raises(ValueError, match="时限应为 0 到 3650 之间的整数个工作日"):
        read_limit(value)
    with pytest.raises(ValueError, match="份数应为整数"):
        read_count(value, "份数")


def test_text_fields_take_text_only():
    gd = {"TASK_CODE": "G-1", "TASK_NAME": ["x"], "DEPT_NAME": {"a": 1}, "handle_time": "5(工作日)"}
    found = read_item_file(
        "items.jsonl",
        jsonl(
            gd,
            native("A-1", 5),
            native("A-2", "名称", fee=10, themes=["就业", 1]),
            native("A-3", "材料", materials=[{"name": 5}], faqs=[{"question": 1, "answer": "是"}]),
            native("A-4", "链接", extra={"x": 1}, consult_phone=12345),
        ),
    )
    errors = {row.row: row.errors for row in found.rows}
    # No "['x']" made a name; a value of the wrong kind is not reported missing as well.
    assert errors[1] == ["事项名称：应为文字", "实施主体：应为文字"]
    assert errors[2] == ["事项名称：应为文字"]
    assert errors[3] == ["收费：应为文字", "主题：应为文字列表"]
    assert errors[4] == ["申请材料：申请材料的 name 应为文字", "常见问题：第 1 条的问题和回答应为文字"]
    assert errors[5] == ["咨询电话：应为文字"]


def test_the_export_s_text_fields_are_all_text():
    """The real export writes every text field as a string or null: the rule costs it nothing."""
    if not GD_FILE.exists():
        pytest.skip("shared data not available (set ZHENGSHU_SHARED_DATA)")
    found = read_item_file(GD_FILE.name, GD_FILE.read_bytes())
    assert found.ok and len(found.records) == 2262


def _with_saved_value(data: bytes, formula: str, value: str) -> bytes:
    """The workbook as Excel saves it: the formula with the text it computed (openpyxl saves none)."""
    import io
    import re
    import zipfile

    cell = re.compile(rf'<c r="(?P<ref>[A-Z]+[0-9]+)"><f>{formula}</f><v\s*/?>(?:</v>)?</c>')
    source, target = io.BytesIO(data), io.BytesIO()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for entry in old.infolist():
            content = old.read(entry.filename)
            if entry.filename == "xl/worksheets/sheet1.xml":
                text, count = cell.subn(
                    rf'<c r="\g<ref>" t="str"><f>{formula}</f><v>{value}</v></c>', content.decode()
                )
                assert count == 1
                content = text.encode()
            new.writestr(entry, content)
    return target.getvalue()


def test_a_formula_without_a_saved_value_is_named_not_read_as_empty():
    row = list(GOOD_ROW)
    row[1] = '=CONCATENATE("高龄","津贴")'
    other = ["LG-MZ-002", "老年人优待证办理", "区民政局", "=1+1"]
    data = workbook([row, other], faqs=[["LG-MZ-002", '="问"', "答。"]], title=None)
    found = read_item_file("事项.xlsx", data)
    where = {r.where: r.errors for r in found.rows if r.errors}
    formula = "是公式，文件中没有保存它的计算结果：请在 Excel 中打开并保存后再导入，或把公式“粘贴为数值”"
    assert where == {
        "第 2 行": [f"“事项名称”（第 B 列）{formula}"],
        "第 3 行": [f"“事项类型”（第 D 列）{formula}"],
        "常见问题 第 2 行": [f"“问题”（第 B 列）{formula}"],
    }


def test_a_formula_is_read_as_the_value_excel_saved():
    row = list(GOOD_ROW)
    row[1] = "=A5"
    data = _with_saved_value(workbook([row], title=None), "A5", "高龄老人津贴申领")
    found = read_item_file("事项.xlsx", data)
    assert found.ok and found.records[0].name == "高龄老人津贴申领"


def test_one_reader_of_working_days():
    """The limit reader of item_values is the only one: records' second copy, which read
    "30天" as 30 working days, is gone."""
    from zhengshu.guide import records

    assert not hasattr(records, "working_days")
    assert read_limit("30天").days is None
