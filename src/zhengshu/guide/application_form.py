"""An application for a service item as posted by a form or the API: the applicant's kind, the
values of the form's fields (zhengshu.guide.application_fields) and the list of attached materials.

Values are kept as the applicant typed them (a draft may be half-filled or wrong): only what no
form could send is refused here — unknown fields, values that are not text, absurd lengths, a
choice that is not offered, too many materials. Whether a value is right (an ID number's check
digit, a date that exists) is for the pre-review to say, in words the applicant can act on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from zhengshu.errors import InvalidInput
from zhengshu.guide.application_fields import (
    DATE_CHARS,
    MATERIAL_FORMS,
    MATERIAL_MEDIA,
    ApplicantKind,
    FormField,
    form_fields,
)
from zhengshu.guide.records import ItemRecord
from zhengshu.text.normalize import collapse_whitespace, remove_control_characters

__all__ = [
    "MAX_MATERIALS",
    "Application",
    "AttachedMaterial",
    "parse_application",
    "parse_kind",
    "parse_materials",
    "parse_values",
]


def _clean(value: str, one_line: bool) -> str:
    text = remove_control_characters(value)
    return collapse_whitespace(text) if one_line else text.strip()


def parse_values(raw: Mapping[str, Any], fields: Sequence[FormField], *, prefix: str = "") -> dict[str, str]:
    """The posted values of ``fields``, cleaned; every blank field is "". InvalidInput names each
    field that no form could have sent."""
    by_name = {f.name: f for f in fields}
    errors: dict[str, str] = {}
    values: dict[str, str] = {f.name: "" for f in fields}
    for name, value in raw.items():
        form_field = by_name.get(str(name))
        if form_field is None:
            errors[f"{prefix}{name}"[:80]] = "不认识的字段"
            continue
        if value is None:
            continue
        if not isinstance(value, str):
            errors[prefix + form_field.name] = f"{form_field.label}应为文字"
            continue
        text = _clean(value, one_line=True)
        if len(text) > form_field.max_length:
            errors[prefix + form_field.name] = f"{form_field.label}不能超过 {form_field.max_length} 个字"
        elif form_field.choices and text and text not in form_field.choices:
            errors[prefix + form_field.name] = (
                f"{form_field.label}取值无效，可选：{'、'.join(form_field.choices)}"
            )
        else:
            values[form_field.name] = text
    if errors:
        raise InvalidInput("填写的内容有误：" + "；".join(errors.values()), errors=errors)
    return values


@dataclass(frozen=True)
class AttachedMaterial:
    """A material the applicant has at hand (or uploaded): dates as typed, "" when not given."""

    name: str
    form: str = ""  # 原件 / 复印件 / 原件和复印件
    medium: str = ""  # 纸质 / 电子
    valid_until: str = ""
    issued_on: str = ""

    def as_json(self) -> dict[str, str]:
        return {
            "name": self.name,
            "form": self.form,
            "medium": self.medium,
            "valid_until": self.valid_until,
            "issued_on": self.issued_on,
        }


MAX_MATERIALS = 60
_MATERIAL_NAME = 200
_MATERIAL_KEYS = ("name", "form", "medium", "valid_until", "issued_on")


def _material(raw: object, position: int, errors: dict[str, str]) -> AttachedMaterial | None:
    where = f"materials.{position}"
    if not isinstance(raw, Mapping):
        errors[where] = f"第{position + 1}项材料格式不正确"
        return None
    values: dict[str, str] = {}
    for key, value in raw.items():
        if key not in _MATERIAL_KEYS:
            errors[f"{where}.{key}"[:80]] = "不认识的字段"
            continue
        if value is None:
            value = ""
        if not isinstance(value, str):
            errors[f"{where}.{key}"] = "应为文字"
            continue
        values[key] = _clean(value, one_line=True)
    name = values.get("name", "")
    if not name:
        errors[f"{where}.name"] = f"第{position + 1}项材料没有名称"
    elif len(name) > _MATERIAL_NAME:
        errors[f"{where}.name"] = f"材料名称不能超过 {_MATERIAL_NAME} 个字"
    for key, allowed in (("form", MATERIAL_FORMS), ("medium", MATERIAL_MEDIA)):
        if values.get(key) and values[key] not in allowed:
            errors[f"{where}.{key}"] = f"取值无效，可选：{'、'.join(allowed)}"
    for key in ("valid_until", "issued_on"):
        if len(values.get(key, "")) > DATE_CHARS:
            errors[f"{where}.{key}"] = f"日期不能超过 {DATE_CHARS} 个字"
    if any(error.startswith(where) for error in errors):
        return None
    return AttachedMaterial(**values)


def parse_materials(raw: object) -> tuple[AttachedMaterial, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, Sequence) or isinstance(raw, str | bytes):
        raise InvalidInput("材料清单应为列表", errors={"materials": "应为列表"})
    if len(raw) > MAX_MATERIALS:
        raise InvalidInput(f"材料不能超过 {MAX_MATERIALS} 项", errors={"materials": "材料过多"})
    errors: dict[str, str] = {}
    found = [_material(entry, position, errors) for position, entry in enumerate(raw)]
    if errors:
        raise InvalidInput("材料清单有误：" + "；".join(errors.values()), errors=errors)
    return tuple(m for m in found if m is not None)


@dataclass(frozen=True)
class Application:
    """An application as the pre-review sees it: who applies, the form's values (every field of
    the form, "" when blank) and the attached materials."""

    kind: ApplicantKind
    values: Mapping[str, str]
    materials: tuple[AttachedMaterial, ...] = ()


def parse_kind(raw: object) -> ApplicantKind:
    try:
        return ApplicantKind(str(raw or ApplicantKind.PERSON.value))
    except ValueError:
        raise InvalidInput(
            "申请人类型取值无效，可选：person（个人）、enterprise（企业）", errors={"kind": "取值无效"}
        ) from None


def parse_application(item: ItemRecord, raw: Mapping[str, Any]) -> Application:
    """An application for ``item`` from {"kind", "values", "materials"}."""
    unknown = [str(key)[:40] for key in raw if key not in ("kind", "values", "materials")]
    if unknown:
        raise InvalidInput("不认识的字段：" + "、".join(unknown), errors={k: "不认识的字段" for k in unknown})
    kind = parse_kind(raw.get("kind"))
    fields = form_fields(item, kind)
    posted = raw.get("values") or {}
    if not isinstance(posted, Mapping):
        raise InvalidInput("values 应为对象（字段名 → 填写内容）", errors={"values": "应为对象"})
    values = parse_values(posted, fields, prefix="values.")
    return Application(kind, values, parse_materials(raw.get("materials")))
