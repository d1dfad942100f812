"""The form of an application for a service item: who applies (a person or an enterprise, each with
a common set of fields), the item's condition questions, and the list of attached materials.

Values are kept as the applicant typed them (a draft may be half-filled or wrong): only what no
form could send is refused here — unknown fields, values that are not text, absurd lengths, a
choice that is not offered. Whether a value is right (an ID number's check digit, a date that
exists) is for the pre-review to say, in words the applicant can act on."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from zhengshu.errors import InvalidInput
from zhengshu.guide.condition_types import Condition, ConditionKind
from zhengshu.guide.item_conditions import conditions_for
from zhengshu.guide.records import ItemRecord
from zhengshu.text.normalize import collapse_whitespace, remove_control_characters
from zhengshu.text.pii import mask_id_number, mask_name, mask_phone

__all__ = [
    "ANSWERS",
    "ID_TYPES",
    "LONG_TERM",
    "MATERIAL_FORMS",
    "MATERIAL_MEDIA",
    "RESIDENT_ID_TYPES",
    "Application",
    "ApplicantKind",
    "AttachedMaterial",
    "DateProblem",
    "FieldKind",
    "FormField",
    "applicant_fields",
    "condition_field_name",
    "default_kind",
    "form_fields",
    "masked_values",
    "parse_application",
    "parse_kind",
    "parse_materials",
    "parse_values",
    "read_date",
]


class ApplicantKind(StrEnum):
    PERSON = "person"
    ENTERPRISE = "enterprise"

    @property
    def label(self) -> str:
        return "个人" if self is ApplicantKind.PERSON else "企业（单位）"


class FieldKind(StrEnum):
    TEXT = "text"
    CHOICE = "choice"
    DATE = "date"
    MOBILE = "mobile"  # a mobile number only
    PHONE = "phone"  # a mobile or a landline
    ID_NUMBER = "id_number"
    CREDIT_CODE = "credit_code"
    YES_NO = "yes_no"


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: FieldKind
    required: bool = False
    max_length: int = 100
    choices: tuple[str, ...] = ()
    hint: str = ""
    # Personal data: masked for viewers without pii.view.
    pii: bool = False
    # For a condition question: the condition it asks about.
    condition: Condition | None = None

    def as_json(self) -> dict[str, Any]:
        shown: dict[str, Any] = {
            "name": self.name,
            "label": self.label,
            "kind": self.kind.value,
            "required": self.required,
            "max_length": self.max_length,
        }
        if self.choices:
            shown["choices"] = list(self.choices)
        if self.hint:
            shown["hint"] = self.hint
        if self.condition is not None:
            shown["condition"] = {
                "key": self.condition.key,
                "kind": self.condition.kind.value,
                "requirement": self.condition.requirement,
                "source": self.condition.source,
            }
        return shown


# Documents whose number follows GB 11643 (the residence permits of Hong Kong, Macao and Taiwan
# residents use 810000, 820000 and 830000 as their region code).
RESIDENT_ID_TYPES = ("居民身份证", "港澳居民居住证", "台湾居民居住证")
ID_TYPES = (
    *RESIDENT_ID_TYPES,
    "港澳居民来往内地通行证",
    "台湾居民来往大陆通行证",
    "外国人永久居留身份证",
    "护照",
)
ANSWERS = ("是", "否")
# 营业期限至 for an enterprise whose term has no end.
LONG_TERM = ("长期", "长期有效", "永久")
MATERIAL_FORMS = ("原件", "复印件", "原件和复印件")
MATERIAL_MEDIA = ("纸质", "电子")

_NAME = 50
_ADDRESS = 200
_ID = 30
_DATE = 20

PERSON_FIELDS = (
    FormField("name", "姓名", FieldKind.TEXT, required=True, max_length=_NAME, pii=True),
    FormField("id_type", "证件类型", FieldKind.CHOICE, required=True, choices=ID_TYPES),
    FormField(
        "id_number",
        "证件号码",
        FieldKind.ID_NUMBER,
        required=True,
        max_length=_ID,
        hint="居民身份证为18位，最后一位可能是X",
        pii=True,
    ),
    FormField("sex", "性别", FieldKind.CHOICE, choices=("男", "女")),
    FormField("birth_date", "出生日期", FieldKind.DATE, max_length=_DATE, hint="如 1990-05-01", pii=True),
    FormField("mobile", "手机号码", FieldKind.MOBILE, required=True, max_length=_ID, pii=True),
    FormField("household", "户籍所在地", FieldKind.TEXT, max_length=_ADDRESS),
    FormField("address", "联系地址", FieldKind.TEXT, max_length=_ADDRESS, pii=True),
)
ENTERPRISE_FIELDS = (
    FormField("company_name", "单位名称", FieldKind.TEXT, required=True, max_length=_ADDRESS),
    FormField(
        "credit_code",
        "统一社会信用代码",
        FieldKind.CREDIT_CODE,
        required=True,
        max_length=_ID,
        hint="18位，营业执照上可查",
    ),
    FormField("legal_rep", "法定代表人", FieldKind.TEXT, required=True, max_length=_NAME, pii=True),
    FormField(
        "legal_rep_id_number",
        "法定代表人身份证号码",
        FieldKind.ID_NUMBER,
        required=True,
        max_length=_ID,
        pii=True,
    ),
    FormField("contact", "联系人", FieldKind.TEXT, required=True, max_length=_NAME, pii=True),
    FormField(
        "contact_phone",
        "联系电话",
        FieldKind.PHONE,
        required=True,
        max_length=_ID,
        hint="手机号或带区号的固定电话",
        pii=True,
    ),
    FormField("registered_address", "注册地址", FieldKind.TEXT, max_length=_ADDRESS),
    FormField("established_on", "成立日期", FieldKind.DATE, max_length=_DATE),
    FormField("term_start", "营业期限自", FieldKind.DATE, max_length=_DATE),
    FormField("term_end", "营业期限至", FieldKind.DATE, max_length=_DATE, hint="长期有效的填“长期”"),
)


def applicant_fields(kind: ApplicantKind) -> tuple[FormField, ...]:
    """The fields of a person's or an enterprise's profile (and of an application's first part)."""
    return PERSON_FIELDS if kind is ApplicantKind.PERSON else ENTERPRISE_FIELDS


def condition_field_name(condition: Condition) -> str:
    return f"cond_{condition.key}"


def _condition_field(condition: Condition) -> FormField:
    return FormField(
        condition_field_name(condition),
        condition.question,
        FieldKind.YES_NO,
        max_length=2,
        choices=ANSWERS,
        hint=f"受理条件原文：{condition.source}",
        condition=condition,
    )


def form_fields(item: ItemRecord, kind: ApplicantKind) -> tuple[FormField, ...]:
    """The applicant's fields, then a yes/no question per checkable condition of the item. Who may
    apply (only enterprises, only persons) is answered by the choice of form, not by a question."""
    questions = tuple(
        _condition_field(condition)
        for condition in conditions_for(item)
        if condition.kind is not ConditionKind.APPLICANT_KIND
    )
    return applicant_fields(kind) + questions


def default_kind(item: ItemRecord) -> ApplicantKind:
    """The form an item is usually applied for with: an enterprise's when only they may apply."""
    for condition in conditions_for(item):
        if condition.kind is ConditionKind.APPLICANT_KIND and condition.applicant_kind == "enterprise":
            return ApplicantKind.ENTERPRISE
    return ApplicantKind.PERSON


# --- reading what was posted ---------------------------------------------------------------------


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
        if len(values.get(key, "")) > _DATE:
            errors[f"{where}.{key}"] = f"日期不能超过 {_DATE} 个字"
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


# --- dates as people type them -------------------------------------------------------------------


class DateProblem(ValueError):
    """A date that cannot be read or does not exist; the message says why, in Chinese."""


_DATE_PATTERN = re.compile(
    r"(?P<y>\d{4})\s*(?:[-/.]|年)\s*(?P<m>\d{1,2})\s*(?:[-/.]|月)\s*(?P<d>\d{1,2})\s*日?"
    r"|(?P<y2>\d{4})(?P<m2>\d{2})(?P<d2>\d{2})"
)
_EARLIEST_YEAR = 1900
_LATEST_YEAR = 2200


def read_date(text: str) -> date:
    """2024-05-01, 2024/5/1, 2024.5.1, 2024年5月1日 or 20240501; DateProblem otherwise, saying
    what is wrong (2023-02-30: 2023年2月没有30日)."""
    folded = unicodedata.normalize("NFKC", text).strip()
    match = _DATE_PATTERN.fullmatch(folded)
    if match is None:
        raise DateProblem("日期格式应为“年-月-日”，如 2024-05-01")
    year = int(match["y"] or match["y2"])
    month = int(match["m"] or match["m2"])
    day = int(match["d"] or match["d2"])
    if not _EARLIEST_YEAR <= year <= _LATEST_YEAR:
        raise DateProblem(f"年份{year}不合理")
    if not 1 <= month <= 12:
        raise DateProblem(f"月份应在1至12之间，填写的是{month}")
    try:
        return date(year, month, day)
    except ValueError:
        raise DateProblem(f"{year}年{month}月没有{day}日") from None


# --- what a viewer without pii.view sees ---------------------------------------------------------


def _masked(form_field: FormField, value: str) -> str:
    if not value or not form_field.pii:
        return value
    if form_field.kind is FieldKind.ID_NUMBER:
        return mask_id_number(value)
    if form_field.kind in (FieldKind.MOBILE, FieldKind.PHONE):
        return mask_phone(value)
    if form_field.kind is FieldKind.DATE:
        return "****-**-**"
    if form_field.max_length <= _NAME:
        return mask_name(value)
    return value[:6] + "****"  # an address: the district and street say little about the person


def masked_values(fields: Sequence[FormField], values: Mapping[str, str]) -> dict[str, str]:
    """The values with every personal field masked (names 张*, numbers 440307********1234)."""
    by_name = {f.name: f for f in fields}
    return {
        name: _masked(by_name[name], value) if name in by_name else value for name, value in values.items()
    }
