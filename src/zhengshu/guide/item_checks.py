"""The rules every stored service item obeys: required fields, the code's characters, web links,
and the length of every field, list and material, in Chinese. An import's rows and an officer's
edit are held to the same ones."""

from __future__ import annotations

import re
from collections.abc import Collection

from zhengshu.guide import models
from zhengshu.guide.records import ItemRecord, Material

__all__ = [
    "FIELD_LABELS",
    "MAX_FAQS",
    "MAX_MATERIALS",
    "WEB_LINK",
    "check_record",
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


def check_record(record: ItemRecord, unread: Collection[str] = ()) -> list[str]:
    """What keeps a record from being stored, in Chinese. ``unread`` names the fields whose value
    could not be read at all (already reported): they are not reported missing as well."""
    errors = [
        f"缺少{FIELD_LABELS[name]}"
        for name in ("code", "name", "department")
        if not getattr(record, name) and name not in unread
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
