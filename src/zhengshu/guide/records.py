"""A service item (政务服务事项) as its 办事指南 describes it, independent of storage: what the import
reads, the database keeps and the assistant searches.

Two input shapes are read into it: the project's own (the field names below, one item per JSON line
or Excel row) and the export of 广东政务服务网 (TASK_CODE, TASK_NAME, DEPT_NAME, …), recognised by its
TASK_CODE field."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# Values the portal writes for "nothing here".
_EMPTY = {"", "无", "暂无", "null", "None", "/", "-", "—"}


@dataclass(frozen=True)
class Material:
    """A required material (申请材料) of an item."""

    name: str
    # 原件 / 复印件 / 原件和复印件, or "" when the guide does not say.
    form: str = ""
    copies: int | None = None
    # 纸质 / 电子 / 纸质或电子, or "".
    medium: str = ""
    optional: bool = False
    note: str = ""


@dataclass(frozen=True)
class Faq:
    question: str
    answer: str


@dataclass(frozen=True)
class ItemRecord:
    code: str  # the item's implementation code (实施编码): unique per implementing body
    name: str
    department: str  # implementing body (实施主体)
    # The catalogue item this one is a variant (情形) of; items sharing it are variants of one item.
    catalog_name: str = ""
    variant: str = ""
    item_type: str = ""  # 行政许可, 公共服务, …
    level: str = ""  # 省级, 市级, 区级
    area: str = ""
    conditions: str = ""  # 受理条件
    materials: tuple[Material, ...] = ()
    legal_limit_days: int | None = None  # 法定办结时限 (working days)
    promised_limit_days: int | None = None  # 承诺办结时限 (working days)
    # A limit as the guide words it when it is no plain count of working days ("90个自然日",
    # "另行通知"); the days field is then None.
    legal_limit_text: str = ""
    promised_limit_text: str = ""
    fee: str = ""
    place: str = ""
    hours: str = ""
    online_url: str = ""
    online_platform: str = ""
    legal_basis: str = ""
    consult_phone: str = ""
    complain_phone: str = ""
    courier: bool | None = None
    visits: int | None = None  # 到现场次数
    themes: tuple[str, ...] = ()
    audiences: tuple[str, ...] = ()  # 服务对象: 自然人, 企业法人, …
    life_events: tuple[str, ...] = ()
    faqs: tuple[Faq, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)


def clean(value: object) -> str:
    """A text field with the portal's placeholders for "nothing" read as empty; ValueError for a
    value that is no text (a number, a list, an object: str() would make "['x']" a name)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError("应为文字")
    text = value.strip()
    return "" if text in _EMPTY else text


def strip_label(value: object, label: str) -> str:
    """ "办理地点：广州市…" → "广州市…"."""
    text = clean(value)
    for sep in ("：", ":"):
        if text.startswith(label + sep):
            return text[len(label) + 1 :].strip()
    return text
