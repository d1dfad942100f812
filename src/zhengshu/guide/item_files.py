"""An item file read into records, with a report row by row.

Formats: JSONL, one item a line, in the project's own shape or the 广东政务服务网 export (each line
recognised by itself); and .xlsx, a sheet of items with Chinese headers and an optional sheet 常见问题
(zhengshu.guide.item_sheets).

Nothing here touches the database. A row's errors keep the whole file from being imported
(zhengshu.guide.importing); its notes do not. Problems of the file as a whole (unreadable, too
large, no header) raise InvalidInput."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import PurePath
from typing import Any

from zhengshu.errors import InvalidInput
from zhengshu.guide.item_checks import check_record
from zhengshu.guide.item_rows import ItemFile, ItemRow, check_rows, parsed_row, too_many_rows
from zhengshu.guide.item_shapes import from_gd, from_native, is_gd
from zhengshu.guide.item_sheets import read_workbook
from zhengshu.guide.records import ItemRecord

__all__ = ["MAX_FILE_BYTES", "MAX_ROWS", "read_item_file", "rows_of_records"]

MAX_FILE_BYTES = 20_000_000
MAX_ROWS = 20_000
FORMATS = (".jsonl", ".xlsx")


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
    rows = _read_jsonl(data) if suffix == ".jsonl" else read_workbook(data, MAX_ROWS)
    item_file = ItemFile(name, suffix[1:], rows)
    if not any(row.sheet == "" for row in rows):
        raise InvalidInput("文件中没有事项")
    check_rows(item_file.rows)
    return item_file


def rows_of_records(records: Sequence[ItemRecord]) -> ItemFile:
    """Records made by code (the demo, tests) held to the same checks as a file's rows."""
    if len(records) > MAX_ROWS:
        raise InvalidInput(too_many_rows(MAX_ROWS))
    rows = [
        ItemRow(number, code=r.code, name=r.name, record=r, errors=check_record(r))
        for number, r in enumerate(records, start=1)
    ]
    check_rows(rows)
    return ItemFile("", "records", rows)


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
            raise InvalidInput(too_many_rows(MAX_ROWS))
        rows.append(_json_row(number, line))
    return rows


class _NotANumber(ValueError):
    """A JSON number Python would read as inf or nan: 1e400, NaN, Infinity."""


def _finite(text: str) -> float:
    number = float(text)
    if number in (float("inf"), float("-inf")):
        raise _NotANumber(f"数值 {text[:20]} 超出范围")
    return number


def _no_constant(name: str) -> Any:
    raise _NotANumber(f"{name} 不是数值")


def _json_row(number: int, line: str) -> ItemRow:
    try:
        value = json.loads(line, parse_float=_finite, parse_constant=_no_constant)
    except json.JSONDecodeError as problem:
        return ItemRow(number, errors=[f"不是合法的 JSON（第 {problem.colno} 个字符附近）"])
    except _NotANumber as problem:
        return ItemRow(number, errors=[f"不是合法的 JSON：{problem}"])
    except ValueError:  # an integer of thousands of digits, which Python refuses to read
        return ItemRow(number, errors=["不是合法的 JSON：数值过长"])
    except RecursionError:
        return ItemRow(number, errors=["JSON 嵌套过深"])
    if not isinstance(value, dict):
        return ItemRow(number, errors=["应为一个 JSON 对象 {…}"])
    return parsed_row(number, from_gd(value) if is_gd(value) else from_native(value))
