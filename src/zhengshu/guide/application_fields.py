"""The fields of an application for a service item: who applies (a person or an enterprise, each
with a common set of fields) and a yes/no question per checkable condition of the item; and what a
viewer without pii.view sees of their values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from zhengshu.guide.condition_types import Condition, ConditionKind
from zhengshu.guide.item_conditions import conditions_for
from zhengshu.guide.records import ItemRecord
from zhengshu.text.pii import mask_id_number, mask_name, mask_phone

__all__ = [
    "ANSWERS",
    "DATE_CHARS",
    "ID_TYPES",
    "LONG_TERM",
    "MATERIAL_FORMS",
    "MATERIAL_MEDIA",
    "RESIDENT_ID_TYPES",
    "ApplicantKind",
    "FieldKind",
    "FormField",
    "applicant_fields",
    "condition_field_name",
    "default_kind",
    "form_fields",
    "masked_values",
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
DATE_CHARS = 20

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
    FormField(
        "birth_date", "出生日期", FieldKind.DATE, max_length=DATE_CHARS, hint="如 1990-05-01", pii=True
    ),
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
    FormField("established_on", "成立日期", FieldKind.DATE, max_length=DATE_CHARS),
    FormField("term_start", "营业期限自", FieldKind.DATE, max_length=DATE_CHARS),
    FormField("term_end", "营业期限至", FieldKind.DATE, max_length=DATE_CHARS, hint="长期有效的填“长期”"),
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
