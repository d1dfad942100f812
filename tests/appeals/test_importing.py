from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhengshu.appeals import importing
from zhengshu.appeals.import_samples import generate_rows, rows_to_csv, rows_to_xlsx
from zhengshu.appeals.importing import ImportReport, import_appeals, read_rows
from zhengshu.appeals.models import Appeal, NumberCounter
from zhengshu.appeals.vocabulary import Channel
from zhengshu.audit import AuditEvent, events_for
from zhengshu.db import transaction
from zhengshu.errors import InvalidInput, PermissionDenied

CREDIT_CODE = "91350100M000100Y43"
CHANNELS = "热线、网站、微信、信件、来访、邮件、移动应用、批量导入"
ENTERPRISE = {"企业名称": "某科技有限公司", "统一社会信用代码": CREDIT_CODE}
COUNTS = {"total": 2, "created": 2, "unchanged": 0}


def row(external_id: str, **overrides: str) -> dict[str, str]:
    values = {
        "外部编号": external_id,
        "渠道": "热线",
        "诉求类型": "投诉",
        "紧急程度": "紧急",
        "分类": "城乡建设",
        "标题": "小区门口夜间施工噪音扰民",
        "诉求内容": "龙岗大道旁工地每晚十一点后仍在施工，噪音很大，影响休息。",
        "诉求人": "张三",
        "联系电话": "138 1234 5678",
        "地址": "平湖街道凤凰大道88号",
        "街道": "平湖街道",
        "社区": "凤凰社区",
    }
    values.update(overrides)
    return values


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def file_bytes(rows: list[dict[str, str]], kind: str) -> tuple[bytes, str]:
    if kind == "xlsx":
        return rows_to_xlsx(rows), "诉求.xlsx"
    return rows_to_csv(rows, encoding=kind), "诉求.csv"


@pytest.mark.parametrize("kind", ["xlsx", "utf-8-sig", "gbk"])
def test_import_with_chinese_headers_and_labels(db, kind):
    rows = [
        row("EXT-1"),
        row("EXT-2", 渠道="网站", 诉求类型="咨询", 紧急程度="一般", **ENTERPRISE),
    ]
    data, filename = file_bytes(rows, kind)
    dispatcher = db.user("dispatcher")
    with transaction(db.factory) as session:
        report = import_appeals(session, read_rows(data, filename), actor=dispatcher, source=filename)
    assert report == ImportReport(total=2, created=2, unchanged=0, errors=[]) and report.ok
    with transaction(db.factory) as session:
        first, second = session.scalars(select(Appeal).order_by(Appeal.external_id))
        assert (first.channel, first.type, first.urgency) == ("hotline", "complaint", "urgent")
        assert first.appellant_phone == "13812345678" and not first.is_enterprise
        assert first.community is not None and first.community.street.name == "平湖街道"
        assert (second.channel, second.type, second.urgency) == ("website", "consultation", "normal")
        assert second.is_enterprise and second.enterprise_credit_code == CREDIT_CODE
        assert second.created_by_id == dispatcher.id
        [event] = events_for(session, "import", 0)
        assert event.action == "appeal.imported" and event.actor_id == dispatcher.id
        assert event.data == {"source": filename, "channel": "import", **COUNTS}
        assert [e.action for e in events_for(session, "appeal", first.id)] == ["appeal.submitted"]


def test_english_headers_enum_values_and_default_channel(db):
    rows = [
        {
            "external_id": "EN-1",
            "Type": "help",
            "urgency": "CRITICAL",
            "title": "路灯不亮",
            "content": "五和大道路灯连续一周不亮，晚上行人很不安全。",
            "appellant_name": "李四",
            "appellant_phone": "0755-28901234",
            "street": "坂田",
            "community": "五和",
            "latitude": "22.65",
            "longitude": "114.06",
            "受理时间": "2024-05-01 09:00",
        }
    ]
    with transaction(db.factory) as session:
        report = import_appeals(session, rows, actor=None)
        assert report.ok and report.created == 1
        appeal = session.scalars(select(Appeal)).one()
        assert (appeal.channel, appeal.type, appeal.urgency) == ("import", "help", "critical")
        assert appeal.community is not None and appeal.community.name == "五和社区"
        assert appeal.latitude == pytest.approx(22.65)


def test_reimport_is_idempotent(db):
    rows = generate_rows(5, seed=3)
    data = rows_to_xlsx(rows)
    with transaction(db.factory) as session:
        assert import_appeals(session, read_rows(data, "a.xlsx"), actor=None).created == 5
    more = rows + generate_rows(2, seed=4)
    with transaction(db.factory) as session:
        again = import_appeals(session, read_rows(data, "a.xlsx"), actor=None)
        assert (again.total, again.created, again.unchanged) == (5, 0, 5)
        both = import_appeals(session, more, actor=None)
        assert (both.total, both.created, both.unchanged) == (7, 2, 5)
    with transaction(db.factory) as session:
        assert count(session, Appeal) == 7
        assert len(events_for(session, "import", 0)) == 3


def test_bad_rows_reject_the_whole_file(db):
    rows = [
        row("OK-1"),
        row("OK-2"),
        row("OK-3", 街道="布吉", 社区="凤凰"),
        row("BAD-1", 联系电话="1234", 街道="坂田街道", 社区="凤凰社区"),
        row("OK-2"),
    ]
    with transaction(db.factory) as session:
        report = import_appeals(session, read_rows(rows_to_xlsx(rows), "a.xlsx"), actor=None)
    assert not report.ok and (report.total, report.created, report.unchanged) == (5, 0, 0)
    assert [(e.row, e.field) for e in report.errors] == [
        (5, "appellant_phone"),
        (5, "community"),
        (6, "external_id"),
    ]
    phone, community, duplicate = (e.message for e in report.errors)
    assert phone.startswith("联系电话：电话号码无效")
    assert community == "坂田街道没有名为“凤凰社区”的社区"
    assert duplicate == "外部编号“OK-2”与第 3 行重复"
    assert report.errors[0].text.startswith("第 5 行：联系电话")
    with transaction(db.factory) as session:
        assert count(session, Appeal) == count(session, AuditEvent) == count(session, NumberCounter) == 0


def test_row_errors_name_the_field_and_the_row_a_person_sees(db):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    # A title row and blank rows, as exports from other systems have them.
    sheet.append(["龙岗区12345工单明细表"])
    sheet.append([])
    header = list(row("X", 企业名称="", 纬度=""))
    sheet.append(header)
    for values in (
        row("R-1", 渠道="传真"),
        {},
        row("", 标题=""),
        row("R-3", 社区="", 街道="", 企业名称="某公司"),
        row("R-4", 纬度="22.7"),
    ):
        sheet.append([values.get(name, "") for name in header] if values else [])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with transaction(db.factory) as session:
        report = import_appeals(session, read_rows(buffer.getvalue(), "a.xlsx"), actor=None)
    assert report.total == 4
    assert [(e.row, e.field, e.message) for e in report.errors] == [
        (4, "channel", f"渠道：取值无效，可选：{CHANNELS}"),
        (6, "external_id", "外部编号：必填"),
        (6, "title", "标题：必填"),
        (7, "_", "企业诉求须填写企业名称和统一社会信用代码"),
        (8, "_", "经纬度须同时填写"),
    ]


@pytest.mark.parametrize("written", ["Open311", "open311", "ＯＰＥＮ311 "])
def test_rows_cannot_name_the_open311_channel(db, written):
    rows = [row("O-1"), row("O-2", 渠道=written), row("O-3", 渠道="批量导入")]
    with transaction(db.factory) as session:
        report = import_appeals(session, read_rows(rows_to_csv(rows), "a.csv"), actor=None)
    assert [(e.row, e.field, e.message) for e in report.errors] == [
        (3, "channel", "渠道：Open311 渠道仅限 Open311 接口使用")
    ]
    with transaction(db.factory) as session:
        assert count(session, Appeal) == 0


def test_the_default_channel_cannot_be_open311_either(db):
    with transaction(db.factory) as session:
        report = import_appeals(session, [row("O-1", 渠道="")], actor=None, channel=Channel.OPEN311)
        assert [(e.field, e.message) for e in report.errors] == [
            ("channel", "渠道：Open311 渠道仅限 Open311 接口使用")
        ]
        assert count(session, Appeal) == 0


def test_the_column_guide_offers_no_open311():
    assert "Open311" not in "、".join(importing.CHOICE_LABELS["channel"].values())
    assert importing.CHOICE_LABELS["channel"]["import"] == "批量导入"


def _broken_sheet_xlsx() -> bytes:
    source = zipfile.ZipFile(io.BytesIO(rows_to_xlsx([row("X")])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename.startswith("xl/worksheets/"):
                content = content[: len(content) // 2]
            target.writestr(item, content)
    return buffer.getvalue()


def _zip_without_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        target.writestr("readme.txt", "not a workbook")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", "a.xlsx", "文件是空的"),
        (b"", "a.csv", "文件是空的"),
        (b"\xef\xbb\xbf\r\n\r\n", "a.csv", "找不到表头"),
        ("外部编号,标题\r\n".encode(), "a.csv", "没有诉求数据"),
        (b"this is not a workbook", "a.xlsx", "无法读取该 Excel 文件"),
        (b"PK\x03\x04" + bytes(200), "a.xlsx", "无法读取该 Excel 文件"),
        (_zip_without_workbook(), "a.xlsx", "无法读取该 Excel 文件"),
        (rows_to_xlsx([row("X")])[:-100], "a.xlsx", "无法读取该 Excel 文件"),
        (_broken_sheet_xlsx(), "a.xlsx", "无法读取该 Excel 文件"),
        (rows_to_csv([row("X")]), "a.xls", "另存为 .xlsx"),
        (rows_to_csv([row("X")]), "a.txt", "不支持的文件类型"),
        ("外部编号,标题,标题\r\n1,2,3\r\n".encode(), "a.csv", "重复的列：标题"),
    ],
)
def test_unreadable_files_raise_invalid_input(data, filename, message):
    with pytest.raises(InvalidInput, match=message):
        read_rows(data, filename)


def test_too_many_rows_raise_invalid_input(monkeypatch):
    monkeypatch.setattr(importing, "MAX_ROWS", 3)
    data = rows_to_csv([row(f"E-{i}") for i in range(4)])
    assert len(read_rows(rows_to_csv([row(f"E-{i}") for i in range(3)]), "a.csv")) == 3
    with pytest.raises(InvalidInput, match="一次最多导入 3 行"):
        read_rows(data, "a.csv")


def test_missing_or_doubled_columns_raise_invalid_input(db):
    rows = [{k: v for k, v in row("X").items() if k not in ("外部编号", "联系电话")}]
    with transaction(db.factory) as session:
        with pytest.raises(InvalidInput, match="缺少必需的列：外部编号、联系电话"):
            import_appeals(session, rows, actor=None)
        with pytest.raises(InvalidInput, match="列“联系电话”和“电话”都是联系电话"):
            import_appeals(session, [row("X", 电话="13812345678")], actor=None)


def test_only_roles_allowed_to_import_may_import(db):
    with transaction(db.factory) as session, pytest.raises(PermissionDenied, match="无权批量导入"):
        import_appeals(session, [row("X")], actor=db.user("handler_zjj"))


def test_generated_rows_are_valid_and_repeatable(db):
    rows = generate_rows(40, seed=5)
    assert rows == generate_rows(40, seed=5)
    assert rows[0]["外部编号"] != generate_rows(1, seed=6)[0]["外部编号"]
    with transaction(db.factory) as session:
        report = import_appeals(session, read_rows(rows_to_csv(rows, encoding="gbk"), "a.csv"), actor=None)
    assert report.errors == [] and report.created == 40
