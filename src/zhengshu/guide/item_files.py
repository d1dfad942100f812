"""An item file read into records, with a report row by row.

Formats: JSONL, one item a line, in the project's own shape or the 广东政务服务网 export (each line
recognised by itself); and .xlsx, a sheet of items with Chinese headers (事项编码, 事项名称, 实施主体,
…, 申请材料 one per line) and an optional sheet 常见问题 (事项编码, 问题, 回答).

Nothing here touches the database. A row's errors keep the whole file from being imported
(zhengshu.guide.importing); its notes do not. Problems of the file as a whole (unreadable, too
large, no header) raise InvalidInput."""

from __future__ import annotations

import dataclasses
import io
import json
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

import openpyxl

from zhengshu.errors import InvalidInput
from zhengshu.guide.item_shapes import (
    FIELD_LABELS,
    MAX_FAQS,
    Parsed,
    check_record,
    from_gd,
    from_native,
    is_gd,
)
from zhengshu.guide.item_values import text_block
from zhengshu.guide.records import Faq, ItemRecord

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "ItemFile",
    "ItemRow",
    "check_rows",
    "read_item_file",
    "rows_of_records",
]

MAX_FILE_BYTES = 20_000_000
MAX_ROWS = 20_000
FORMATS = (".jsonl", ".xlsx")
FAQ_SHEET = "常见问题"
# Sheet headers → fields of the project's own shape; the first of each is what the template writes.
HEADERS: dict[str, tuple[str, ...]] = {
    "code": ("事项编码", "实施编码", "编码"),
    "name": ("事项名称", "名称"),
    "department": ("实施主体", "实施机构", "办理部门"),
    "catalog_name": ("目录事项", "目录名称", "基本目录"),
    "variant": ("办理情形", "情形"),
    "item_type": ("事项类型",),
    "level": ("层级", "行使层级"),
    "area": ("行政区划", "区划"),
    "conditions": ("受理条件", "申请条件", "办理条件"),
    "materials": ("申请材料", "办理材料"),
    "legal_limit": ("法定时限", "法定办结时限"),
    "promised_limit": ("承诺时限", "承诺办结时限"),
    "fee": ("收费", "收费标准", "是否收费"),
    "place": ("办理地点",),
    "hours": ("办理时间",),
    "online_url": ("网上办理地址", "网办地址"),
    "online_platform": ("网上办理平台", "网办平台"),
    "legal_basis": ("设定依据", "法律依据", "办理依据"),
    "consult_phone": ("咨询电话", "咨询方式"),
    "complain_phone": ("投诉电话", "监督投诉"),
    "courier": ("支持快递", "快递送达"),
    "visits": ("到现场次数", "跑动次数"),
    "themes": ("主题", "主题分类"),
    "audiences": ("服务对象",),
    "life_events": ("人生事件",),
}
FAQ_HEADERS = {"code": ("事项编码", "实施编码"), "question": ("问题",), "answer": ("回答", "答复", "答案")}
REQUIRED_COLUMNS = ("code", "name", "department")


@dataclass
class ItemRow:
    """One row of the file as a person finds it: line or sheet row number, what it is, what is wrong."""

    row: int
    sheet: str = ""  # "" for items; 常见问题 for the FAQ sheet's rows
    code: str = ""
    name: str = ""
    record: ItemRecord | None = None
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"{self.sheet} 第 {self.row} 行" if self.sheet else f"第 {self.row} 行"


@dataclass
class ItemFile:
    name: str
    format: str  # jsonl, xlsx, records
    rows: list[ItemRow]
    notes: list[str] = field(default_factory=list)  # about the file as a whole

    @property
    def records(self) -> list[ItemRecord]:
        """The records of the rows without errors."""
        return [row.record for row in self.rows if row.record is not None and not row.errors]

    @property
    def rejected(self) -> list[ItemRow]:
        return [row for row in self.rows if row.errors]

    @property
    def ok(self) -> bool:
        return not self.rejected


def read_item_file(name: str, data: bytes) -> ItemFile:
    suffix = PurePath(name).suffix.lower()
    if suffix not in FORMATS:
        raise InvalidInput(f"不支持的文件类型“{suffix or name}”，请上传 .jsonl 或 .xlsx 文件")
    if not data:
        raise InvalidInput("文件是空的")
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInput(
            f"文件过大（{len(data) / 1e6:.1f} MB），一次最多导入 {MAX_FILE_BYTES // 1_000_000} MB"
        )
    rows = _read_jsonl(data) if suffix == ".jsonl" else _read_xlsx(data)
    item_file = ItemFile(name, suffix[1:], rows)
    if not any(row.sheet == "" for row in rows):
        raise InvalidInput("文件中没有事项")
    check_rows(item_file.rows)
    return item_file


def rows_of_records(records: Sequence[ItemRecord]) -> ItemFile:
    """Records made by code (the demo, tests) held to the same checks as a file's rows."""
    if len(records) > MAX_ROWS:
        raise InvalidInput(_too_many_rows())
    rows = [
        ItemRow(number, code=r.code, name=r.name, record=r, errors=check_record(r))
        for number, r in enumerate(records, start=1)
    ]
    check_rows(rows)
    return ItemFile("", "records", rows)


def _too_many_rows() -> str:
    return f"一次最多导入 {MAX_ROWS} 个事项，请把文件拆分后分批导入"


# --- JSONL ---------------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("文件不是 UTF-8 编码的文本，请以 UTF-8 保存后重新导入") from None


def _read_jsonl(data: bytes) -> list[ItemRow]:
    rows: list[ItemRow] = []
    for number, line in enumerate(_decode(data).splitlines(), start=1):
        if not line.strip():
            continue
        if len(rows) == MAX_ROWS:
            raise InvalidInput(_too_many_rows())
        rows.append(_json_row(number, line))
    return rows


def _json_row(number: int, line: str) -> ItemRow:
    try:
        value = json.loads(line)
    except json.JSONDecodeError as problem:
        return ItemRow(number, errors=[f"不是合法的 JSON（第 {problem.colno} 个字符附近）"])
    except RecursionError:
        return ItemRow(number, errors=["JSON 嵌套过深"])
    if not isinstance(value, dict):
        return ItemRow(number, errors=["应为一个 JSON 对象 {…}"])
    return _row(number, from_gd(value) if is_gd(value) else from_native(value))


def _row(number: int, parsed: Parsed, sheet: str = "") -> ItemRow:
    record = parsed.record
    return ItemRow(
        number,
        sheet,
        record.code if record else "",
        record.name if record else "",
        record,
        parsed.errors,
        parsed.notes,
    )


# --- Excel ---------------------------------------------------------------------------------------


def _unreadable() -> InvalidInput:
    return InvalidInput("无法读取该 Excel 文件：文件已损坏或不是 .xlsx 格式")


def _read_xlsx(data: bytes) -> list[ItemRow]:
    # An uploaded file can fail anywhere in openpyxl, zipfile or the XML parser, also lazily while
    # rows are read; to the officer these all mean one thing.
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise _unreadable() from exc
    try:
        sheets = list(workbook.worksheets)
        faq_sheet = next((s for s in sheets[1:] if FAQ_SHEET in s.title), None)
        rows = _item_rows(_sheet_lines(sheets[0]))
        if faq_sheet is not None:
            rows = _with_faqs(rows, _sheet_lines(faq_sheet))
        return rows
    except InvalidInput:
        raise
    except Exception as exc:
        raise _unreadable() from exc
    finally:
        workbook.close()


def _sheet_lines(sheet: Any) -> Iterable[tuple[int, list[str]]]:
    # Some exporters write a wrong <dimension>; without this, read-only mode stops early.
    sheet.reset_dimensions()
    for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
        yield number, [_cell_text(value) for value in cells]


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    # Excel stores a number typed in a cell as a float: 20.0 working days.
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _header_key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).strip("*").split("(")[0]


def _columns(cells: list[str], headers: dict[str, tuple[str, ...]], sheet: str) -> dict[int, str]:
    known = {_header_key(h): name for name, names in headers.items() for h in names}
    columns: dict[int, str] = {}
    for index, cell in enumerate(cells):
        name = known.get(_header_key(cell))
        if name is None:
            continue
        if name in columns.values():
            raise InvalidInput(f"{sheet}表头中有两列都是“{headers[name][0]}”，请只保留一列")
        columns[index] = name
    return columns


def _header(
    lines: Iterable[tuple[int, list[str]]], headers: dict[str, tuple[str, ...]], sheet: str
) -> dict[int, str]:
    """The columns of the first row with at least two known headers: a one-cell title above it is
    skipped."""
    for _number, cells in lines:
        columns = _columns(cells, headers, sheet)
        if len(columns) >= 2:
            return columns
        if len([c for c in cells if c]) >= 2:
            break
    raise InvalidInput(
        f"{sheet}找不到表头行：第一行应为列名，如 " + "、".join(h[0] for h in headers.values())[:80]
    )


def _item_rows(lines: Iterable[tuple[int, list[str]]]) -> list[ItemRow]:
    lines = iter(lines)
    columns = _header(lines, HEADERS, "")
    missing = [HEADERS[name][0] for name in REQUIRED_COLUMNS if name not in columns.values()]
    if missing:
        raise InvalidInput(
            "缺少必需的列：" + "、".join(missing), errors={"file": "缺少列：" + "、".join(missing)}
        )
    rows: list[ItemRow] = []
    for number, cells in lines:
        values = {name: cells[i] for i, name in columns.items() if i < len(cells) and cells[i]}
        if not values:
            continue
        if len(rows) == MAX_ROWS:
            raise InvalidInput(_too_many_rows())
        rows.append(_row(number, from_native(values)))
    return rows


def _with_faqs(rows: list[ItemRow], lines: Iterable[tuple[int, list[str]]]) -> list[ItemRow]:
    """The FAQ sheet's rows attached to their items by code; a FAQ row of no item is an error row."""
    lines = iter(lines)
    columns = _header(lines, FAQ_HEADERS, FAQ_SHEET)
    if set(columns.values()) != set(FAQ_HEADERS):
        raise InvalidInput(f"{FAQ_SHEET}工作表应有三列：事项编码、问题、回答")
    by_code = {row.code: row for row in rows if row.code}
    faqs: dict[str, list[Faq]] = {}
    faq_rows: list[ItemRow] = []
    for number, cells in lines:
        values = {name: cells[i] for i, name in columns.items() if i < len(cells) and cells[i]}
        if not values:
            continue
        code = values.get("code", "")
        faq_row = ItemRow(number, FAQ_SHEET, code=code)
        question, answer = text_block(values.get("question")), text_block(values.get("answer"))
        if not code:
            faq_row.errors.append("缺少事项编码")
        elif code not in by_code:
            faq_row.errors.append(f"事项编码“{code[:40]}”不在事项表中")
        if not question or not answer:
            faq_row.errors.append("缺少问题或回答")
        if not faq_row.errors:
            faqs.setdefault(code, []).append(Faq(question, answer))
        faq_rows.append(faq_row)
    for code, found in faqs.items():
        row = by_code[code]
        if row.record is not None:
            row.record = dataclasses.replace(row.record, faqs=(*row.record.faqs, *found))
            row.errors.extend(error for error in check_record(row.record) if error not in row.errors)
        if len(found) > MAX_FAQS:
            row.errors.append(f"{FIELD_LABELS['faqs']}最多 {MAX_FAQS} 条")
    return rows + faq_rows


# --- Across rows ---------------------------------------------------------------------------------


def check_rows(rows: Sequence[ItemRow]) -> None:
    """Errors for a code twice and for a name twice under one implementing body; a note for a name
    that another body's item shares (the same item implemented by province and city: both kept)."""
    first_of_code: dict[str, ItemRow] = {}
    first_of_name: dict[tuple[str, str], ItemRow] = {}
    bodies_of_name: dict[str, ItemRow] = {}
    for row in rows:
        record = row.record
        if row.sheet or record is None:
            continue
        if record.code:
            first = first_of_code.setdefault(record.code, row)
            if first is not row:
                row.errors.append(f"事项编码“{record.code}”与{first.where}重复")
        if record.name and record.department:
            key = (record.name, record.department)
            first = first_of_name.setdefault(key, row)
            if first is not row:
                row.errors.append(
                    f"实施主体“{record.department}”下事项名称“{record.name}”与{first.where}重复"
                )
                continue
            other = bodies_of_name.setdefault(record.name, row)
            if other is not row and other.record is not None:
                row.notes.append(
                    f"与{other.where}（{other.record.department}）同名：不同实施主体的同一事项，两者都导入"
                )
