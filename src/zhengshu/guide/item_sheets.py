"""An Excel workbook of items read into rows: the first sheet, one item per row under Chinese
headers (事项编码, 事项名称, 实施主体, …, 申请材料 one per line), and an optional sheet 常见问题
(事项编码, 问题, 回答) whose rows are attached to their items by code.

A formula cell is read as the value Excel saved with it; a formula without one (a file written by a
program that does not calculate) is an error of its row that says so, not an empty cell."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterable, Iterator
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter

from zhengshu.errors import InvalidInput
from zhengshu.guide.item_checks import FIELD_LABELS, MAX_FAQS, check_record
from zhengshu.guide.item_rows import ItemRow, parsed_row, too_many_rows
from zhengshu.guide.item_shapes import from_native
from zhengshu.guide.item_values import text_block
from zhengshu.guide.records import Faq
from zhengshu.text.normalize import fold_width

__all__ = ["FAQ_HEADERS", "FAQ_SHEET", "HEADERS", "REQUIRED_COLUMNS", "read_workbook"]

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

# A sheet's line: its row number and its cells as text; None for a formula without a saved value.
Line = tuple[int, list[str | None]]


def _unreadable() -> InvalidInput:
    return InvalidInput("无法读取该 Excel 文件：文件已损坏或不是 .xlsx 格式")


def _open(data: bytes, *, data_only: bool) -> Any:
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    except Exception as exc:
        raise _unreadable() from exc


class _SavedValues:
    """The values Excel saved for formula cells: a second, values-only reading of the workbook,
    opened at the first formula met and read forward alongside the first."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._workbook: Any = None
        self._rows: dict[int, Iterator[tuple[int, tuple[Any, ...]]]] = {}

    def row(self, sheet_index: int, number: int) -> tuple[Any, ...]:
        if self._workbook is None:
            self._workbook = _open(self._data, data_only=True)
        if sheet_index not in self._rows:
            sheet = self._workbook.worksheets[sheet_index]
            sheet.reset_dimensions()
            self._rows[sheet_index] = enumerate(sheet.iter_rows(values_only=True), start=1)
        for found, values in self._rows[sheet_index]:
            if found == number:
                return values
        return ()

    def close(self) -> None:
        if self._workbook is not None:
            self._workbook.close()


def read_workbook(data: bytes, max_rows: int) -> list[ItemRow]:
    """The item rows of the first sheet, then the rows of the FAQ sheet."""
    # An uploaded file can fail anywhere in openpyxl, zipfile or the XML parser, also lazily while
    # rows are read; to the officer these all mean one thing.
    workbook = _open(data, data_only=False)
    saved = _SavedValues(data)
    try:
        sheets = list(workbook.worksheets)
        faq_index = next((i for i, s in enumerate(sheets) if i > 0 and FAQ_SHEET in s.title), None)
        rows = _item_rows(_sheet_lines(sheets[0], 0, saved), max_rows)
        if faq_index is not None:
            rows = _with_faqs(rows, _sheet_lines(sheets[faq_index], faq_index, saved))
        return rows
    except InvalidInput:
        raise
    except Exception as exc:
        raise _unreadable() from exc
    finally:
        workbook.close()
        saved.close()


def _sheet_lines(sheet: Any, sheet_index: int, saved: _SavedValues) -> Iterator[Line]:
    # Some exporters write a wrong <dimension>; without this, read-only mode stops early.
    sheet.reset_dimensions()
    for number, cells in enumerate(sheet.iter_rows(), start=1):
        texts: list[str | None] = []
        values: tuple[Any, ...] | None = None
        for index, cell in enumerate(cells):
            if cell.data_type != "f":
                texts.append(_cell_text(cell.value))
                continue
            if values is None:
                values = saved.row(sheet_index, number)
            value = values[index] if index < len(values) else None
            texts.append(None if value is None else _cell_text(value))
        yield number, texts


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    # Excel stores a number typed in a cell as a float: 20.0 working days.
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _header_key(text: str | None) -> str:
    return "".join(fold_width(text or "").split()).strip("*").split("(")[0]


def _columns(cells: list[str | None], headers: dict[str, tuple[str, ...]], sheet: str) -> dict[int, str]:
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


def _header(lines: Iterable[Line], headers: dict[str, tuple[str, ...]], sheet: str) -> dict[int, str]:
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


def _values(cells: list[str | None], columns: dict[int, str]) -> tuple[dict[str, str], list[int]]:
    """The row's values by field, and the columns holding a formula without a saved value."""
    values = {name: text for i, name in columns.items() if i < len(cells) and (text := cells[i])}
    formulas = [i for i in columns if i < len(cells) and cells[i] is None]
    return values, formulas


def _formula_errors(
    formulas: list[int], columns: dict[int, str], headers: dict[str, tuple[str, ...]]
) -> list[str]:
    return [
        f"“{headers[columns[i]][0]}”（第 {get_column_letter(i + 1)} 列）是公式，文件中没有保存它的计算结果："
        "请在 Excel 中打开并保存后再导入，或把公式“粘贴为数值”"
        for i in formulas
    ]


def _item_rows(lines: Iterable[Line], max_rows: int) -> list[ItemRow]:
    lines = iter(lines)
    columns = _header(lines, HEADERS, "")
    missing = [HEADERS[name][0] for name in REQUIRED_COLUMNS if name not in columns.values()]
    if missing:
        raise InvalidInput(
            "缺少必需的列：" + "、".join(missing), errors={"file": "缺少列：" + "、".join(missing)}
        )
    rows: list[ItemRow] = []
    for number, cells in lines:
        values, formulas = _values(cells, columns)
        if not values and not formulas:
            continue
        if len(rows) == max_rows:
            raise InvalidInput(too_many_rows(max_rows))
        row = parsed_row(number, from_native(values))
        if formulas:
            # A formula's column is not also reported as missing: the officer fixes the formula.
            blank = {f"缺少{FIELD_LABELS[columns[i]]}" for i in formulas if columns[i] in REQUIRED_COLUMNS}
            row.errors = _formula_errors(formulas, columns, HEADERS) + [
                error for error in row.errors if error not in blank
            ]
        rows.append(row)
    return rows


def _with_faqs(rows: list[ItemRow], lines: Iterable[Line]) -> list[ItemRow]:
    """The FAQ sheet's rows attached to their items by code; a FAQ row of no item is an error row."""
    lines = iter(lines)
    columns = _header(lines, FAQ_HEADERS, FAQ_SHEET)
    if set(columns.values()) != set(FAQ_HEADERS):
        raise InvalidInput(f"{FAQ_SHEET}工作表应有三列：事项编码、问题、回答")
    by_code = {row.code: row for row in rows if row.code}
    faqs: dict[str, list[Faq]] = {}
    faq_rows: list[ItemRow] = []
    for number, cells in lines:
        values, formulas = _values(cells, columns)
        if not values and not formulas:
            continue
        code = values.get("code", "")
        faq_row = ItemRow(
            number, FAQ_SHEET, code=code, errors=_formula_errors(formulas, columns, FAQ_HEADERS)
        )
        question, answer = text_block(values.get("question")), text_block(values.get("answer"))
        in_formulas = {columns[i] for i in formulas}
        if "code" not in in_formulas:
            if not code:
                faq_row.errors.append("缺少事项编码")
            elif code not in by_code:
                faq_row.errors.append(f"事项编码“{code[:40]}”不在事项表中")
        if (not question or not answer) and not in_formulas & {"question", "answer"}:
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
