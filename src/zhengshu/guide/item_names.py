"""One name per implementing body: the rule check_rows holds within a file, held across the file
and the stored items, and for an officer's edit."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhengshu.errors import InvalidInput
from zhengshu.guide.item_rows import ItemRow
from zhengshu.guide.models import ServiceItem
from zhengshu.guide.records import ItemRecord

__all__ = ["check_name_free", "check_stored_names"]


def check_stored_names(rows: Sequence[ItemRow], stored: Sequence[tuple[str, str, str]]) -> None:
    """An error for a row whose name another stored item of its body has (one the file does not
    also replace): the rule of check_rows, across the file and the database."""
    in_file = {row.record.code for row in rows if row.record is not None and not row.sheet}
    taken = {(name, body): code for code, name, body in stored if code not in in_file}
    for row in rows:
        record = row.record
        if row.sheet or record is None:
            continue
        other = taken.get((record.name, record.department))
        if other is not None:
            row.errors.append(_name_taken(record, other))


def _name_taken(record: ItemRecord, other_code: str) -> str:
    return (
        f"实施主体“{record.department}”下已有名为“{record.name}”的事项（编码 {other_code}），"
        "同一实施主体下事项名称不能重复"
    )


def check_name_free(session: Session, record: ItemRecord, item_id: int) -> None:
    """InvalidInput when another item of the record's body has its name, as an import refuses."""
    other = session.scalar(
        select(ServiceItem.code)
        .where(
            ServiceItem.name == record.name,
            ServiceItem.department == record.department,
            ServiceItem.id != item_id,
        )
        .limit(1)
    )
    if other is not None:
        raise InvalidInput(_name_taken(record, other), errors={"name": "与同一实施主体的其他事项重名"})
