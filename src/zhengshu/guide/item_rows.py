"""The rows of an item file as a person finds them (line, or sheet and row), each with its record,
errors and notes; and the checks across rows (a code twice, a name twice under one body)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from zhengshu.guide.item_shapes import Parsed
from zhengshu.guide.records import ItemRecord

__all__ = ["ItemFile", "ItemRow", "check_rows", "parsed_row", "too_many_rows"]


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


def parsed_row(number: int, parsed: Parsed, sheet: str = "") -> ItemRow:
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


def too_many_rows(limit: int) -> str:
    return f"一次最多导入 {limit} 个事项，请把文件拆分后分批导入"


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
