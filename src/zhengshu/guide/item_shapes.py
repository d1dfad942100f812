"""One item of a file, in either shape, becomes an ItemRecord, with what was wrong with it.

- The project's own shape: ItemRecord's field names (materials as objects or plain names, FAQs as
  {question, answer}); the rows of an Excel sheet are read into it by their Chinese headers.
- The export of 广东政务服务网 (TASK_CODE, TASK_NAME, DEPT_NAME, …), recognised by TASK_CODE.

`check_record` holds the rules every stored item obeys (required fields, the code's characters,
lengths), so an officer's edit is held to the same ones as an import."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from zhengshu.guide import models
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
    "FIELD_LABELS",
    "NATIVE_FIELDS",
    "WEB_LINK",
    "Parsed",
    "check_record",
    "from_gd",
    "from_native",
    "is_gd",
    "with_derived_life_events",
]

FIELD_LABELS = {
    "code": "事项编码",
    "name": "事项名称",
    "department": "实施主体",
    "catalog_name": "目录事项",
    "variant": "办理情形",
    "item_type": "事项类型",
    "level": "层级",
    "area": "行政区划",
    "conditions": "受理条件",
    "materials": "申请材料",
    "legal_limit_days": "法定时限",
    "promised_limit_days": "承诺时限",
    "legal_limit_text": "法定时限",
    "promised_limit_text": "承诺时限",
    "fee": "收费",
    "place": "办理地点",
    "hours": "办理时间",
    "online_url": "网上办理地址",
    "online_platform": "网上办理平台",
    "legal_basis": "设定依据",
    "consult_phone": "咨询电话",
    "complain_phone": "投诉电话",
    "courier": "支持快递",
    "visits": "到现场次数",
    "themes": "主题",
    "audiences": "服务对象",
    "life_events": "人生事件",
    "faqs": "常见问题",
    "extra": "其他信息",
}
# Longest text of a multi-line field, of a list entry, and entries of a list.
MAX_TEXT_CHARS = 20_000
MAX_LIST_ENTRY_CHARS = 50
MAX_LIST_ENTRIES = 50
MAX_MATERIALS = 200
MAX_FAQS = 100
MAX_QUESTION_CHARS = 1_000
MAX_ANSWER_CHARS = 10_000
_LINE_LIMITS = {
    "code": models.CODE_CHARS,
    "name": models.NAME_CHARS,
    "department": models.DEPARTMENT_CHARS,
    "catalog_name": models.NAME_CHARS,
    "variant": models.NAME_CHARS,
    "item_type": models.ITEM_TYPE_CHARS,
    "level": models.LEVEL_CHARS,
    "area": models.AREA_CHARS,
    "legal_limit_text": models.LIMIT_TEXT_CHARS,
    "promised_limit_text": models.LIMIT_TEXT_CHARS,
    "online_url": models.URL_CHARS,
    "online_platform": models.PLATFORM_CHARS,
    "consult_phone": models.PHONE_CHARS,
    "complain_phone": models.PHONE_CHARS,
}
_TEXT_FIELDS = ("conditions", "fee", "place", "hours", "legal_basis")
# Codes go into page addresses (/guide/items/{code}): letters, digits and - _ . only.
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
# Links the pages show: the web only (a javascript: link in an imported file would run in the page).
WEB_LINK = re.compile(r"^https?://[^\s]+$", re.IGNORECASE)
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

    def read(self, name: str, reader: Callable[[Any], Any], value: Any, default: Any) -> Any:
        try:
            return reader(value)
        except ValueError as problem:
            self.errors.append(f"{FIELD_LABELS.get(name, name)}：{problem}")
            return default

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
        question, answer = text_block(item.get("question")), text_block(item.get("answer"))
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


def _limit_text(line: Mapping[str, Any], which: str, limit: Limit) -> str:
    """The limit as worded: from "legal_limit" when given, else the line's own "legal_limit_text"."""
    if f"{which}_limit" in line:
        return limit.text
    return single_line(line.get(f"{which}_limit_text")) or limit.text


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
        code=single_line(line.get("code")),
        name=single_line(line.get("name")),
        department=single_line(line.get("department")),
        catalog_name=single_line(line.get("catalog_name")),
        variant=single_line(line.get("variant")),
        item_type=single_line(line.get("item_type")),
        level=single_line(line.get("level")),
        area=single_line(line.get("area")),
        conditions=text_block(line.get("conditions")),
        materials=reader.read("materials", _materials, line.get("materials"), ()),
        legal_limit_days=legal.days,
        promised_limit_days=promised.days,
        legal_limit_text=_limit_text(line, "legal", legal),
        promised_limit_text=_limit_text(line, "promised", promised),
        fee=text_block(line.get("fee")),
        place=text_block(line.get("place")),
        hours=text_block(line.get("hours")),
        online_url=single_line(line.get("online_url")),
        online_platform=single_line(line.get("online_platform")),
        legal_basis=text_block(line.get("legal_basis")),
        consult_phone=single_line(line.get("consult_phone")),
        complain_phone=single_line(line.get("complain_phone")),
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
        names = [single_line(name) for name in str(value or "").splitlines()]
    return tuple(Material(name) for name in names if name)


def _keywords(value: Any) -> list[str]:
    return [word for word in _KEYWORD_SEPARATORS.split(single_line(value)) if word]


def _web_link(value: Any) -> str:
    link = single_line(value)
    return link if WEB_LINK.match(link) else ""


def from_gd(line: Mapping[str, Any]) -> Parsed:
    """An item of the 广东政务服务网 export."""
    reader = _Reader()
    location = single_line(line.get("handle_location"))
    no_counter = location.startswith("无线下办理窗口")
    extra = {
        "short_name": single_line(line.get("matter_short")),
        "keywords": _keywords(line.get("matter_daily")),
        "co_departments": single_line(line.get("co_department")),
        "booking_url": _web_link(line.get("online_book_addr")),
        "org_code": single_line(line.get("ORGCODE")),
        "catalog_code": single_line(line.get("CATAID")),
        "no_counter": no_counter,
    }
    legal = reader.limit("legal_limit_days", line.get("handle_time"))
    promised = reader.limit("promised_limit_days", line.get("handle_time_limit"))
    record = ItemRecord(
        code=single_line(line.get("TASK_CODE")),
        name=single_line(line.get("TASK_NAME")),
        department=single_line(line.get("DEPT_NAME")),
        catalog_name=single_line(line.get("CATANAME") or line.get("parentCatalogName")),
        variant=single_line(line.get("subTaskName")),
        item_type=single_line(line.get("TASK_TYPE_TEXT") or line.get("matter_type")),
        level=single_line(line.get("matter_level") or line.get("district")),
        area=single_line(line.get("AREA_CODE_TEXT")),
        conditions=text_block(line.get("accept_standard")),
        materials=reader.read("materials", _gd_materials, line.get("material_intro"), ()),
        legal_limit_days=legal.days,
        promised_limit_days=promised.days,
        legal_limit_text=legal.text,
        promised_limit_text=promised.text,
        place="" if no_counter else text_block(strip_label(location, "办理地点")),
        online_url=single_line(line.get("URL")),
        online_platform=single_line(line.get("bear_paltform")),
        consult_phone=single_line(line.get("consult_phone")),
        complain_phone=single_line(line.get("complain_phone")),
        courier=reader.read("courier", read_bool, line.get("courier_service"), None),
        visits=reader.read("visits", lambda v: read_count(v, "", 20), line.get("visit_number"), None),
        themes=reader.read("themes", read_list, line.get("theme_category"), ()),
        audiences=reader.read("audiences", read_list, line.get("service_object_name"), ()),
        extra={key: value for key, value in extra.items() if value},
    )
    return _checked(with_derived_life_events(record), reader)


def with_derived_life_events(record: ItemRecord) -> ItemRecord:
    """The record with the keyword table's life events when it names none of its own."""
    if record.life_events:
        return record
    derived = derive_life_events(record.name, record.catalog_name, record.themes)
    return dataclasses.replace(
        record, life_events=derived, extra={**record.extra, "life_events_derived": True}
    )


def _checked(record: ItemRecord, reader: _Reader) -> Parsed:
    reader.errors.extend(check_record(record))
    return Parsed(record, reader.errors, reader.notes)


def check_record(record: ItemRecord) -> list[str]:
    """What keeps a record from being stored, in Chinese."""
    errors = [
        f"缺少{FIELD_LABELS[name]}" for name in ("code", "name", "department") if not getattr(record, name)
    ]
    if record.code and not _CODE.match(record.code):
        errors.append(f"事项编码“{record.code[:40]}”只能包含字母、数字和 - _ .")
    if record.online_url and not WEB_LINK.match(record.online_url):
        errors.append("网上办理地址应为以 http:// 或 https:// 开头的网址")
    for name, limit in _LINE_LIMITS.items():
        if len(getattr(record, name)) > limit:
            errors.append(f"{FIELD_LABELS[name]}过长（最多 {limit} 个字符）")
    for name in _TEXT_FIELDS:
        if len(getattr(record, name)) > MAX_TEXT_CHARS:
            errors.append(f"{FIELD_LABELS[name]}过长（最多 {MAX_TEXT_CHARS} 个字符）")
    for name in ("themes", "audiences", "life_events"):
        values = getattr(record, name)
        if len(values) > MAX_LIST_ENTRIES or any(len(v) > MAX_LIST_ENTRY_CHARS for v in values):
            errors.append(
                f"{FIELD_LABELS[name]}最多 {MAX_LIST_ENTRIES} 项，每项最多 {MAX_LIST_ENTRY_CHARS} 个字符"
            )
    errors.extend(_material_errors(record.materials))
    for number, faq in enumerate(record.faqs, start=1):
        if len(faq.question) > MAX_QUESTION_CHARS or len(faq.answer) > MAX_ANSWER_CHARS:
            errors.append(
                f"常见问题第 {number} 条过长"
                f"（问题最多 {MAX_QUESTION_CHARS} 字，回答最多 {MAX_ANSWER_CHARS} 字）"
            )
    return errors


def _material_errors(materials: tuple[Material, ...]) -> list[str]:
    errors = []
    for number, material in enumerate(materials, start=1):
        if len(material.name) > models.MATERIAL_NAME_CHARS:
            errors.append(f"申请材料第 {number} 项名称过长（最多 {models.MATERIAL_NAME_CHARS} 个字符）")
        if (
            len(material.form) > models.MATERIAL_FORM_CHARS
            or len(material.medium) > models.MATERIAL_MEDIUM_CHARS
        ):
            errors.append(f"申请材料第 {number} 项的形式或载体过长（如“原件”“纸质”）")
        if len(material.note) > MAX_TEXT_CHARS:
            errors.append(f"申请材料第 {number} 项备注过长")
    return errors
