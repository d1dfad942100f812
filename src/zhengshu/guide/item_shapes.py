"""One item of a file, in either shape, becomes an ItemRecord, with what was wrong with it.

- The project's own shape: ItemRecord's field names (materials as objects or plain names, FAQs as
  {question, answer}); the rows of an Excel sheet are read into it by their Chinese headers.
- The export of 广东政务服务网 (TASK_CODE, TASK_NAME, DEPT_NAME, …), recognised by TASK_CODE.

Every field is read on its own, so a row reports all its problems at once; then the rules of
zhengshu.guide.item_checks, which an officer's edit is held to as well."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from zhengshu.guide.item_checks import FIELD_LABELS, MAX_FAQS, MAX_MATERIALS, WEB_LINK, check_record
from zhengshu.guide.item_values import (
    Limit,
    material_from_line,
    material_from_object,
    read_bool,
    read_count,
    read_limit,
    read_list,
    single_line,
    text_block,
)
from zhengshu.guide.life_events import derive_life_events
from zhengshu.guide.records import Faq, ItemRecord, Material, strip_label

__all__ = [
    "NATIVE_FIELDS",
    "Parsed",
    "from_gd",
    "from_native",
    "is_gd",
    "with_derived_life_events",
]

NATIVE_FIELDS = frozenset(f.name for f in dataclasses.fields(ItemRecord)) | {"legal_limit", "promised_limit"}
_KEYWORD_SEPARATORS = re.compile(r"[,，、;；\s]+")


@dataclass
class Parsed:
    """An item as read: the record (None when it could not be built), errors that keep the file
    from being imported, and notes that do not."""

    record: ItemRecord | None
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def is_gd(line: Mapping[str, Any]) -> bool:
    return "TASK_CODE" in line


class _Reader:
    """Reads fields one by one, collecting each field's problem instead of stopping at the first."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.notes: list[str] = []
        self.unread: set[str] = set()  # fields whose value could not be read

    def read(self, name: str, reader: Callable[[Any], Any], value: Any, default: Any) -> Any:
        try:
            return reader(value)
        except ValueError as problem:
            self.errors.append(f"{FIELD_LABELS.get(name, name)}：{problem}")
            self.unread.add(name)
            return default

    def line(self, name: str, value: Any) -> str:
        text: str = self.read(name, single_line, value, "")
        return text

    def block(self, name: str, value: Any) -> str:
        text: str = self.read(name, text_block, value, "")
        return text

    def limit(self, name: str, value: Any) -> Limit:
        limit: Limit = self.read(name, read_limit, value, Limit(None, "", True))
        if not limit.readable:
            self.notes.append(f"{FIELD_LABELS[name]}“{limit.text}”无法识别为工作日数，按原文保留")
        return limit


def _materials(value: Any) -> tuple[Material, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        found = [material_from_line(line) for line in value.splitlines()]
    elif isinstance(value, list):
        found = [material_from_object(item) for item in value]
    else:
        raise ValueError("应为材料列表，或每行一项的文字")
    materials = tuple(m for m in found if m is not None)
    if len(materials) > MAX_MATERIALS:
        raise ValueError(f"最多 {MAX_MATERIALS} 项")
    return materials


def _faqs(value: Any) -> tuple[Faq, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ValueError("应为列表 [{question, answer}, …]")
    faqs = []
    for number, item in enumerate(value, start=1):
        if not isinstance(item, Mapping):
            raise ValueError(f"第 {number} 条应为对象 {{question, answer}}")
        try:
            question, answer = text_block(item.get("question")), text_block(item.get("answer"))
        except ValueError:
            raise ValueError(f"第 {number} 条的问题和回答应为文字") from None
        if not question or not answer:
            raise ValueError(f"第 {number} 条缺少问题或回答")
        faqs.append(Faq(question, answer))
    if len(faqs) > MAX_FAQS:
        raise ValueError(f"最多 {MAX_FAQS} 条")
    return tuple(faqs)


def _extra(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ValueError("应为对象")
    return dict(value)


def _limit_text(reader: _Reader, line: Mapping[str, Any], which: str, limit: Limit) -> str:
    """The limit as worded: from "legal_limit" when given, else the line's own "legal_limit_text"."""
    if f"{which}_limit" in line:
        return limit.text
    return reader.line(f"{which}_limit_text", line.get(f"{which}_limit_text")) or limit.text


def from_native(line: Mapping[str, Any]) -> Parsed:
    """An item in the project's own shape. Limits may be given as days (legal_limit_days) or as the
    guide words them (legal_limit: "20个工作日")."""
    reader = _Reader()
    unknown = sorted(set(line) - NATIVE_FIELDS)
    if unknown:
        reader.notes.append("未识别的字段（已忽略）：" + "、".join(unknown))
    legal = reader.limit("legal_limit_days", line.get("legal_limit", line.get("legal_limit_days")))
    promised = reader.limit(
        "promised_limit_days", line.get("promised_limit", line.get("promised_limit_days"))
    )
    own_events = reader.read("life_events", read_list, line.get("life_events"), ())
    record = ItemRecord(
        code=reader.line("code", line.get("code")),
        name=reader.line("name", line.get("name")),
        department=reader.line("department", line.get("department")),
        catalog_name=reader.line("catalog_name", line.get("catalog_name")),
        variant=reader.line("variant", line.get("variant")),
        item_type=reader.line("item_type", line.get("item_type")),
        level=reader.line("level", line.get("level")),
        area=reader.line("area", line.get("area")),
        conditions=reader.block("conditions", line.get("conditions")),
        materials=reader.read("materials", _materials, line.get("materials"), ()),
        legal_limit_days=legal.days,
        promised_limit_days=promised.days,
        legal_limit_text=_limit_text(reader, line, "legal", legal),
        promised_limit_text=_limit_text(reader, line, "promised", promised),
        fee=reader.block("fee", line.get("fee")),
        place=reader.block("place", line.get("place")),
        hours=reader.block("hours", line.get("hours")),
        online_url=reader.line("online_url", line.get("online_url")),
        online_platform=reader.line("online_platform", line.get("online_platform")),
        legal_basis=reader.block("legal_basis", line.get("legal_basis")),
        consult_phone=reader.line("consult_phone", line.get("consult_phone")),
        complain_phone=reader.line("complain_phone", line.get("complain_phone")),
        courier=reader.read("courier", read_bool, line.get("courier"), None),
        visits=reader.read("visits", lambda v: read_count(v, "", 20), line.get("visits"), None),
        themes=reader.read("themes", read_list, line.get("themes"), ()),
        audiences=reader.read("audiences", read_list, line.get("audiences"), ()),
        life_events=own_events,
        faqs=reader.read("faqs", _faqs, line.get("faqs"), ()),
        extra=reader.read("extra", _extra, line.get("extra"), {}),
    )
    return _checked(with_derived_life_events(record), reader)


def _gd_materials(value: Any) -> tuple[Material, ...]:
    """The portal lists names only; "无" (as the whole value) means none."""
    if isinstance(value, list):
        names = [single_line(name) for name in value]
    else:
        names = [single_line(name) for name in text_block(value).splitlines()]
    materials = tuple(Material(name) for name in names if name)
    if len(materials) > MAX_MATERIALS:
        raise ValueError(f"最多 {MAX_MATERIALS} 项")
    return materials


def _keywords(value: Any) -> list[str]:
    return [word for word in _KEYWORD_SEPARATORS.split(single_line(value)) if word]


def _web_link(value: Any) -> str:
    link = single_line(value)
    return link if WEB_LINK.match(link) else ""


def _place(value: Any) -> tuple[str, bool]:
    """The place of a "办理地点：…" value, and whether the item has no counter at all."""
    location = single_line(value)
    if location.startswith("无线下办理窗口"):
        return "", True
    return text_block(strip_label(location, "办理地点")), False


def from_gd(line: Mapping[str, Any]) -> Parsed:
    """An item of the 广东政务服务网 export. Its text fields are all strings (or null) in the real
    export; anything else is an error of the row, not text made of it."""
    reader = _Reader()
    place, no_counter = reader.read("place", _place, line.get("handle_location"), ("", False))
    extra = {
        "short_name": reader.line("matter_short", line.get("matter_short")),
        "keywords": reader.read("matter_daily", _keywords, line.get("matter_daily"), []),
        "co_departments": reader.line("co_department", line.get("co_department")),
        "booking_url": reader.read("online_book_addr", _web_link, line.get("online_book_addr"), ""),
        "org_code": reader.line("ORGCODE", line.get("ORGCODE")),
        "catalog_code": reader.line("CATAID", line.get("CATAID")),
        "no_counter": no_counter,
    }
    legal = reader.limit("legal_limit_days", line.get("handle_time"))
    promised = reader.limit("promised_limit_days", line.get("handle_time_limit"))
    record = ItemRecord(
        code=reader.line("code", line.get("TASK_CODE")),
        name=reader.line("name", line.get("TASK_NAME")),
        department=reader.line("department", line.get("DEPT_NAME")),
        catalog_name=reader.line("catalog_name", _first(line, "CATANAME", "parentCatalogName")),
        variant=reader.line("variant", line.get("subTaskName")),
        item_type=reader.line("item_type", _first(line, "TASK_TYPE_TEXT", "matter_type")),
        level=reader.line("level", _first(line, "matter_level", "district")),
        area=reader.line("area", line.get("AREA_CODE_TEXT")),
        conditions=reader.block("conditions", line.get("accept_standard")),
        materials=reader.read("materials", _gd_materials, line.get("material_intro"), ()),
        legal_limit_days=legal.days,
        promised_limit_days=promised.days,
        legal_limit_text=legal.text,
        promised_limit_text=promised.text,
        place=place,
        online_url=reader.line("online_url", line.get("URL")),
        online_platform=reader.line("online_platform", line.get("bear_paltform")),
        consult_phone=reader.line("consult_phone", line.get("consult_phone")),
        complain_phone=reader.line("complain_phone", line.get("complain_phone")),
        courier=reader.read("courier", read_bool, line.get("courier_service"), None),
        visits=reader.read("visits", lambda v: read_count(v, "", 20), line.get("visit_number"), None),
        themes=reader.read("themes", read_list, line.get("theme_category"), ()),
        audiences=reader.read("audiences", read_list, line.get("service_object_name"), ()),
        extra={key: value for key, value in extra.items() if value},
    )
    return _checked(with_derived_life_events(record), reader)


def _first(line: Mapping[str, Any], *keys: str) -> Any:
    """The value of the first key the line gives a value (the portal writes some fields twice)."""
    for key in keys:
        value = line.get(key)
        if value is not None and value != "":
            return value
    return None


def with_derived_life_events(record: ItemRecord) -> ItemRecord:
    """The record with the keyword table's life events when it names none of its own."""
    if record.life_events:
        return record
    derived = derive_life_events(record.name, record.catalog_name, record.themes)
    return dataclasses.replace(
        record, life_events=derived, extra={**record.extra, "life_events_derived": True}
    )


def _checked(record: ItemRecord, reader: _Reader) -> Parsed:
    reader.errors.extend(check_record(record, reader.unread))
    return Parsed(record, reader.errors, reader.notes)
