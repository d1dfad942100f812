"""Storing service items: an import of a whole file, all or nothing, and an officer's edit of one item.

An import writes nothing when any row has an error; the report then names the rows and why.
Otherwise every item is upserted by its code: new items are added, changed ones replaced (their
materials and FAQs too), unchanged ones (same content hash) left alone, so importing a file twice
changes nothing the second time. One audit event records the import with its counts; an edit
records one event for its item."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from zhengshu import audit
from zhengshu.bulk import insert_rows
from zhengshu.clock import now
from zhengshu.errors import Conflict, InvalidInput, PermissionDenied
from zhengshu.guide.catalog import item_record
from zhengshu.guide.item_checks import FIELD_LABELS
from zhengshu.guide.item_files import rows_of_records
from zhengshu.guide.item_names import check_name_free, check_stored_names
from zhengshu.guide.item_rows import ItemFile, ItemRow
from zhengshu.guide.item_shapes import NATIVE_FIELDS, from_native
from zhengshu.guide.item_values import material_json
from zhengshu.guide.models import SOURCE_CHARS, ServiceFaq, ServiceItem, ServiceMaterial
from zhengshu.guide.records import ItemRecord
from zhengshu.org.models import User
from zhengshu.org.roles import Permission, Role, has_permission

__all__ = ["ImportReport", "content_hash", "edit_item", "import_items", "record_json"]

IMPORT_SUBJECT = "service_item_import"
ITEM_SUBJECT = "service_item"
EDITED_SOURCE = "人工修改"
# Rows updated per statement.
BATCH = 500


@dataclass
class ImportReport:
    source: str
    total: int
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rows: list[ItemRow] = field(default_factory=list)  # every row with an error or a note
    written: bool = False

    @property
    def rejected(self) -> list[ItemRow]:
        return [row for row in self.rows if row.errors]

    @property
    def ok(self) -> bool:
        return not self.rejected

    def summary(self) -> str:
        if not self.ok:
            return f"导入失败：{len(self.rejected)} 行有错误，本次未导入任何事项"
        return f"共 {self.total} 个事项：新增 {self.created}，更新 {self.updated}，未变 {self.unchanged}" + (
            f"；{sum(len(r.notes) for r in self.rows)} 条提示" if self.rows else ""
        )


def _actor_label(actor: User | None) -> str:
    return actor.display_name if actor else "系统"


def _check_permission(actor: User | None) -> None:
    if actor is not None and not has_permission(actor.role, Permission.GUIDE_MANAGE):
        raise PermissionDenied(f"{Role(actor.role).label}无权导入或修改服务事项（需政务服务专员）")


def record_json(record: ItemRecord) -> dict[str, Any]:
    """The record in the project's own JSONL shape (what a file of items carries), without the
    database id."""
    data = dataclasses.asdict(record)
    data["materials"] = [material_json(m) for m in record.materials]
    data["faqs"] = [{"question": f.question, "answer": f.answer} for f in record.faqs]
    for name in ("themes", "audiences", "life_events"):
        data[name] = list(getattr(record, name))
    data["extra"] = {k: v for k, v in record.extra.items() if k != "id"}
    return data


def content_hash(record: ItemRecord) -> str:
    text = json.dumps(record_json(record), ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _item_values(record: ItemRecord) -> dict[str, Any]:
    data = record_json(record)
    del data["materials"], data["faqs"]
    return data


def _parts(item_id: int, record: ItemRecord) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    materials = [
        {"item_id": item_id, "position": position, **material_json(m)}
        for position, m in enumerate(record.materials, start=1)
    ]
    faqs = [
        {"item_id": item_id, "position": position, "question": f.question, "answer": f.answer}
        for position, f in enumerate(record.faqs, start=1)
    ]
    return materials, faqs


def import_items(
    session: Session,
    items: ItemFile | Sequence[ItemRecord],
    actor: User | None,
    *,
    source: str | None = None,
) -> ImportReport:
    """Import a read file (zhengshu.guide.item_files.read_item_file) or records made by code, in
    the caller's transaction, all or nothing."""
    _check_permission(actor)
    item_file = items if isinstance(items, ItemFile) else rows_of_records(items)
    source = (source or item_file.name or "导入")[:SOURCE_CHARS]
    report = ImportReport(source, total=sum(1 for row in item_file.rows if not row.sheet))
    stored = session.execute(
        select(
            ServiceItem.code,
            ServiceItem.id,
            ServiceItem.content_hash,
            ServiceItem.name,
            ServiceItem.department,
        )
    ).all()
    check_stored_names(item_file.rows, [(code, name, body) for code, _, _, name, body in stored])
    report.rows = [row for row in item_file.rows if row.errors or row.notes]
    if not item_file.ok:
        return report
    existing = {code: (item_id, digest) for code, item_id, digest, _, _ in stored}
    moment = now()
    actor_id = actor.id if actor else None
    new: list[ItemRecord] = []
    changed: list[tuple[int, ItemRecord]] = []
    for record in item_file.records:
        found = existing.get(record.code)
        if found is None:
            new.append(record)
        elif found[1] != content_hash(record):
            changed.append((found[0], record))
    try:
        _insert(session, new, source, moment, actor_id)
        _replace(session, changed, source, moment, actor_id)
        session.flush()
    except IntegrityError as error:
        raise Conflict("同一批事项正在被另一次导入写入，请稍后重试") from error
    report.created, report.updated = len(new), len(changed)
    report.unchanged = report.total - report.created - report.updated
    report.written = True
    audit.record(
        session,
        "guide.items_imported",
        IMPORT_SUBJECT,
        0,
        actor_id=actor_id,
        actor_label=_actor_label(actor),
        data={
            "source": source,
            "format": item_file.format,
            "total": report.total,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "notes": sum(len(row.notes) for row in report.rows),
        },
        at=moment,
    )
    return report


def _row_values(record: ItemRecord, source: str, moment: Any, actor_id: int | None) -> dict[str, Any]:
    return _item_values(record) | {
        "source": source,
        "content_hash": content_hash(record),
        "updated_at": moment,
        "updated_by_id": actor_id,
    }


def _insert(
    session: Session, records: Sequence[ItemRecord], source: str, moment: Any, actor_id: int | None
) -> None:
    if not records:
        return
    rows = [_row_values(r, source, moment, actor_id) | {"created_at": moment} for r in records]
    ids = insert_rows(session, ServiceItem.__table__, rows, key=ServiceItem.__table__.c.code)  # type: ignore[arg-type]
    _insert_parts(session, [(ids[r.code], r) for r in records])


def _insert_parts(session: Session, items: Sequence[tuple[int, ItemRecord]]) -> None:
    materials: list[dict[str, Any]] = []
    faqs: list[dict[str, Any]] = []
    for item_id, record in items:
        item_materials, item_faqs = _parts(item_id, record)
        materials += item_materials
        faqs += item_faqs
    insert_rows(session, ServiceMaterial.__table__, materials)  # type: ignore[arg-type]
    insert_rows(session, ServiceFaq.__table__, faqs)  # type: ignore[arg-type]


def _replace(
    session: Session, items: Sequence[tuple[int, ItemRecord]], source: str, moment: Any, actor_id: int | None
) -> None:
    """Changed items get their new values, and new materials and FAQs in place of the old."""
    for start in range(0, len(items), BATCH):
        batch = items[start : start + BATCH]
        ids = [item_id for item_id, _record in batch]
        session.execute(delete(ServiceMaterial).where(ServiceMaterial.item_id.in_(ids)))
        session.execute(delete(ServiceFaq).where(ServiceFaq.item_id.in_(ids)))
        session.execute(
            update(ServiceItem),
            [{"id": item_id, **_row_values(record, source, moment, actor_id)} for item_id, record in batch],
            execution_options={"synchronize_session": False},
        )
        _insert_parts(session, batch)


# --- One item --------------------------------------------------------------------------------------


def edit_item(session: Session, code: str, changes: Mapping[str, Any], actor: User | None) -> ItemRecord:
    """An officer's change of one item's fields (in the project's own shape: a partial JSONL line);
    the code cannot change. Checked like an imported row; one audit event names the changed fields."""
    _check_permission(actor)
    if "code" in changes and changes["code"] != code:
        raise InvalidInput("事项编码不能修改", errors={"code": "事项编码不能修改"})
    unknown = sorted(set(changes) - NATIVE_FIELDS)
    if unknown:
        raise InvalidInput("无法修改的字段：" + "、".join(unknown))
    current = item_record(session, code)
    item_id = int(current.extra["id"])
    merged = record_json(current) | dict(changes)
    for which in ("legal", "promised"):
        # A new limit replaces the old wording too, unless the edit gives both.
        if {f"{which}_limit", f"{which}_limit_days"} & set(changes) and f"{which}_limit_text" not in changes:
            merged[f"{which}_limit_text"] = ""
    if current.extra.get("life_events_derived") and "life_events" not in changes:
        merged["life_events"] = []  # found again from the edited name and themes
    if isinstance(merged["extra"], Mapping):  # anything else is from_native's error, as in a file
        merged["extra"] = {k: v for k, v in merged["extra"].items() if k != "life_events_derived"}
    parsed = from_native(merged)
    if parsed.errors or parsed.record is None:
        raise InvalidInput("；".join(parsed.errors) or "事项内容有误")
    record = parsed.record
    if (record.name, record.department) != (current.name, current.department):
        check_name_free(session, record, item_id)
    before = record_json(current)
    after = record_json(record)
    changed = sorted(name for name in after if after[name] != before.get(name))
    if not changed:
        return item_record(session, code)
    moment = now()
    actor_id = actor.id if actor else None
    _replace(session, [(item_id, record)], EDITED_SOURCE, moment, actor_id)
    audit.record(
        session,
        "guide.item_edited",
        ITEM_SUBJECT,
        item_id,
        actor_id=actor_id,
        actor_label=_actor_label(actor),
        data={"code": code, "fields": [FIELD_LABELS.get(name, name) for name in changed], "changed": changed},
        at=moment,
    )
    session.flush()
    return item_record(session, code)
