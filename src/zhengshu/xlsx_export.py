"""One table to an .xlsx workbook: a caption (what was exported, with which filters, when), a bold
frozen header row, and numbers kept as numbers so Excel can sum and sort them."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Excel's own limit on a sheet's name.
SHEET_NAME_MAX = 31


@dataclass(frozen=True)
class SheetColumn:
    label: str
    # openpyxl number format: "0.0%" for rates, "0.0" for days, "@" for text, None for general.
    number_format: str | None = None
    width: int = 14


def _text_cell(sheet: Any, text: str) -> WriteOnlyCell:
    """Text stays text: openpyxl would store a value starting with "=" as a formula, and an appeal's
    title is typed by anyone (formula injection)."""
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"
    return cell


def write_table(
    title: str, caption: Sequence[str], columns: Sequence[SheetColumn], rows: Sequence[Sequence[Any]]
) -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:SHEET_NAME_MAX] or "表")
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = f"A{len(caption) + 3}"
    for line in caption:
        sheet.append([_text_cell(sheet, line)])
    sheet.append([])
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.label)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row in rows:
        cells = []
        for column, value in zip(columns, row, strict=True):
            cell = _text_cell(sheet, value) if isinstance(value, str) else WriteOnlyCell(sheet, value=value)
            if column.number_format and value is not None:
                cell.number_format = column.number_format
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
