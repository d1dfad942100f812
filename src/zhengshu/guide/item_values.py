"""Single values of a 办事指南 as files write them: time limits ("20个工作日", "90(自然日)", "即办"),
required materials ("身份证 原件 1份"), lists ("就业、创业"), yes/no ("是", "不支持").

Each reader returns the value, or raises ValueError with a Chinese message saying what was wrong:
text fields take text only (a number or a list is no name), numbers must be finite."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from zhengshu.guide.records import Material, clean
from zhengshu.text.normalize import collapse_whitespace, normalize_text
from zhengshu.text.numerals import NUMERAL_CHARS, chinese_to_int

__all__ = [
    "Limit",
    "material_from_line",
    "material_from_object",
    "read_bool",
    "read_count",
    "read_limit",
    "read_list",
    "single_line",
    "text_block",
]

# The longest limit anyone writes is a few years of working days; more is a typo.
MAX_LIMIT_DAYS = 3650

_IMMEDIATE = re.compile(r"^(即办|即时办结|当场办结|立即办结|当场办理)")
_WORKING_DAYS = re.compile(r"^(\d{1,5})\s*[(（]?\s*个?\s*工作日\s*[)）]?$")
_BARE_NUMBER = re.compile(r"^(\d{1,5})(\.0+)?$")
_CALENDAR_DAYS = re.compile(r"^(\d{1,5})\s*[(（]?\s*个?\s*(自然日|日历日|天|日)\s*[)）]?$")
_LIST_SEPARATORS = re.compile(r"[、,，;；/\n]+")


@dataclass(frozen=True)
class Limit:
    days: int | None  # working days; None when the text is not a count of working days
    text: str  # the limit as written when it is not (kept for people to read)
    readable: bool  # False when the text could not be understood at all


def single_line(value: object) -> str:
    """A one-line field (name, code, department): normalised, whitespace runs as one space, the
    portal's "无" as empty; ValueError when it is no text."""
    return collapse_whitespace(normalize_text(clean(value)))


def text_block(value: object) -> str:
    """A multi-line field (conditions, place, legal basis): normalised, lines kept; ValueError when
    it is no text."""
    return normalize_text(clean(value))


def read_limit(value: object) -> Limit:
    """A limit: "20个工作日", "20(工作日)", "20" → 20 working days; "即办" → 0; "90(自然日)" → no
    working days, kept as 90个自然日; anything else is kept as written and marked unreadable."""
    if isinstance(value, bool) or not (value is None or isinstance(value, int | float | str)):
        raise ValueError("时限应为天数或文字，如“20个工作日”")
    if isinstance(value, int | float):
        days = _whole_number(value)
        if days is None or not 0 <= days <= MAX_LIMIT_DAYS:
            raise ValueError(f"时限应为 0 到 {MAX_LIMIT_DAYS} 之间的整数个工作日")
        return Limit(days, "", True)
    text = single_line(value)
    if not text:
        return Limit(None, "", True)
    if _IMMEDIATE.match(text):
        return Limit(0, "", True)
    found = _WORKING_DAYS.match(text) or _BARE_NUMBER.match(text)
    if found:
        days = int(found.group(1))
        if days > MAX_LIMIT_DAYS:
            raise ValueError(f"时限“{text}”超过 {MAX_LIMIT_DAYS} 个工作日")
        return Limit(days, "", True)
    calendar = _CALENDAR_DAYS.match(text)
    if calendar:
        unit = "个自然日" if calendar.group(2) in ("自然日", "日历日") else calendar.group(2)
        return Limit(None, f"{int(calendar.group(1))}{unit}", True)
    return Limit(None, text, False)


def _whole_number(value: int | float) -> int | None:
    """The whole number a JSON number is (20, 20.0), or None: 2.5, and 1e400 and NaN, which
    Python's JSON reader turns into inf and nan."""
    if isinstance(value, int):
        return value
    if not math.isfinite(value) or not value.is_integer():
        return None
    return int(value)


def read_list(value: object) -> tuple[str, ...]:
    """A JSON list of texts, or one text separated by 、 , ; / or new lines; duplicates dropped."""
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        if not all(part is None or isinstance(part, str) for part in value):
            raise ValueError("应为文字列表")
        parts = [single_line(part) for part in value]
    elif isinstance(value, str):
        parts = [single_line(part) for part in _LIST_SEPARATORS.split(value)]
    else:
        raise ValueError("应为文字列表，或用顿号分隔的文字")
    return tuple(dict.fromkeys(part for part in parts if part))


_TRUE = {"是", "支持", "有", "可以", "true", "yes", "y", "1"}
_FALSE = {"否", "不支持", "没有", "不可以", "false", "no", "n", "0"}


def read_bool(value: object) -> bool | None:
    """是/否 and its other words, true/false, 1/0; None when empty."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if not isinstance(value, str):
        raise ValueError("应为“是”或“否”")
    text = single_line(value).lower()
    if not text:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError("应为“是”或“否”")


def read_count(value: object, what: str = "", largest: int = 1000) -> int | None:
    """A whole number: 2, "2", "2份", "两份", "2次"."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"{what}应为整数")
    if isinstance(value, int | float):
        whole = _whole_number(value)
        if whole is None:
            raise ValueError(f"{what}应为整数")
        number = whole
    else:
        text = single_line(value).rstrip("份次件张")
        if not text:
            return None
        try:
            number = chinese_to_int(text) if all(c in NUMERAL_CHARS or c.isdigit() for c in text) else -1
        except ValueError:
            number = -1
        if number < 0:
            raise ValueError(f"{what}“{single_line(value)}”不是整数")
    if not 0 <= number <= largest:
        raise ValueError(f"{what}应在 0 到 {largest} 之间")
    return number


# --- Materials ------------------------------------------------------------------------------------

_FORMS = {
    "原件": "原件",
    "复印件": "复印件",
    "原件和复印件": "原件和复印件",
    "原件及复印件": "原件和复印件",
    "原件或复印件": "原件或复印件",
    "扫描件": "扫描件",
}
_MEDIA = {
    "纸质": "纸质",
    "纸质版": "纸质",
    "电子": "电子",
    "电子版": "电子",
    "纸质或电子": "纸质或电子",
    "纸质或电子版": "纸质或电子",
    "纸质和电子": "纸质和电子",
    "纸质和电子版": "纸质和电子",
}
_OPTIONAL_WORDS = ("可选", "选填", "非必需", "非必要", "非必须", "如有")
_REQUIRED_WORDS = ("必需", "必要", "必须", "必填", "必交")
_COPIES = re.compile(rf"^([0-9]{{1,4}}|[{NUMERAL_CHARS}]{{1,4}})份$")
_OPTIONAL_TAIL = re.compile(r"[（(](" + "|".join(_OPTIONAL_WORDS) + r")[)）]$")
_NOTE = re.compile(r"^(备注|注|说明)[:：](.*)$")
_ENUMERATOR = re.compile(r"^\s*(?:\d{1,3}\s*[.、．)）]|[（(]\d{1,3}[)）]|[①-⑳])\s*")


def _bare(token: str) -> str:
    return token.strip("（）()[]【】")


def material_from_line(line: str) -> Material | None:
    """One line of a materials cell: "居民身份证 原件 1份 纸质 可选 备注：…". The first words are the
    name; the words after it that say form, copies, medium or optional are read as such; what
    follows them is a note. None for an empty line."""
    text = _ENUMERATOR.sub("", normalize_text(line)).strip()
    if not clean(text):
        return None
    tokens = text.split()
    name_parts = [tokens[0]]
    form = medium = ""
    copies: int | None = None
    optional = False
    notes: list[str] = []
    described = False
    for token in tokens[1:]:
        bare = _bare(token)
        note = _NOTE.match(token)
        if bare in _FORMS:
            form = _FORMS[bare]
        elif _COPIES.match(bare):
            copies = read_count(bare, "份数")
        elif bare in _MEDIA:
            medium = _MEDIA[bare]
        elif bare in _OPTIONAL_WORDS:
            optional = True
        elif bare in _REQUIRED_WORDS:
            optional = False
        elif note:
            notes.append(note.group(2).strip())
            described = True
            continue
        elif not described:
            name_parts.append(token)
            continue
        else:
            notes.append(token)
            continue
        described = True
    name = " ".join(name_parts)
    tail = _OPTIONAL_TAIL.search(name)
    if tail:
        optional = True
        name = name[: tail.start()].strip()
    return Material(name, form, copies, medium, optional, " ".join(n for n in notes if n))


def material_from_object(value: object) -> Material | None:
    """A material of a JSON line: a plain name (read like a line of a materials cell) or
    {name, form, copies, medium, optional, note}."""
    if isinstance(value, str):
        return material_from_line(value)
    if not isinstance(value, Mapping):
        raise ValueError("每项申请材料应为材料名称或对象 {name, form, copies, medium, optional, note}")
    unknown = sorted(set(value) - {"name", "form", "copies", "medium", "optional", "note"})
    if unknown:
        raise ValueError("申请材料中有未识别的字段：" + "、".join(unknown))
    texts = {key: _material_text(value, key) for key in ("name", "form", "medium", "note")}
    if not texts["name"]:
        raise ValueError("申请材料缺少名称（name）")
    form, medium = texts["form"], texts["medium"]
    optional = read_bool(value.get("optional"))
    return Material(
        name=texts["name"],
        form=_FORMS.get(form, form),
        copies=read_count(value.get("copies"), "份数"),
        medium=_MEDIA.get(medium, medium),
        optional=bool(optional),
        note=texts["note"],
    )


def _material_text(value: Mapping[str, Any], key: str) -> str:
    try:
        return text_block(value.get(key)) if key == "note" else single_line(value.get(key))
    except ValueError:
        raise ValueError(f"申请材料的 {key} 应为文字") from None


def material_json(material: Material) -> dict[str, Any]:
    return {
        "name": material.name,
        "form": material.form,
        "copies": material.copies,
        "medium": material.medium,
        "optional": material.optional,
        "note": material.note,
    }
