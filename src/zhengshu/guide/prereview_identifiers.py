"""Pre-review of the identifiers a form carries: resident ID numbers (length, characters, the birth
date of positions 7-14, the GB 11643 check digit), other documents' numbers, unified social credit
codes (GB 32100) and phone numbers. Each check returns its findings for one field's value."""

from __future__ import annotations

import unicodedata
from datetime import date

from zhengshu.guide.application_form import FieldKind, FormField
from zhengshu.guide.prereview_findings import Finding, error
from zhengshu.text.identifiers import (
    CREDIT_CODE_CHARSET,
    check_char_credit_code,
    check_digit_resident_id,
    normalize_phone,
    resident_id_birth_date,
)

__all__ = [
    "credit_code_findings",
    "fold",
    "other_document_findings",
    "phone_findings",
    "resident_id_findings",
]


def fold(value: str) -> str:
    """Full-width digits and letters folded, spaces dropped, letters upper-cased."""
    return "".join(unicodedata.normalize("NFKC", value).split()).upper()


def resident_id_findings(field: FormField, value: str, label: str, today: date) -> list[Finding]:
    """Length, characters, the birth date of positions 7-14, and the GB 11643 check digit."""
    number = fold(value)
    where = {"field": field.name}
    if len(number) != 18:
        return [
            error(
                "id_number.length",
                f"{label}应为18位，您填写了{len(number)}位",
                f"请对照证件逐位核对{label}",
                **where,
            )
        ]
    if not (number[:17].isascii() and number[:17].isdigit()) or number[17] not in "0123456789X":
        return [
            error(
                "id_number.characters",
                f"{label}前17位应为数字，第18位应为数字或字母X",
                f"请检查是否误输入了字母或符号（如把数字0输成字母O）后重新填写{label}",
                **where,
            )
        ]
    born = resident_id_birth_date(number)
    if born is None:
        return [
            error(
                "id_number.birth_date",
                f"{label}第7至14位应为出生日期（年月日），填写的不是有效日期",
                f"请对照证件核对{label}的第7至14位",
                **where,
            )
        ]
    if not date(1900, 1, 1) <= born <= today:
        return [
            error(
                "id_number.birth_date",
                f"{label}第7至14位的出生日期不合理（早于1900年或晚于今天）",
                f"请对照证件核对{label}的第7至14位",
                **where,
            )
        ]
    expected = check_digit_resident_id(number[:17])
    if expected != number[17]:
        return [
            error(
                "id_number.check_digit",
                f"{label}第18位校验码应为{expected}，与填写的不符",
                f"请核对后重新填写；如前17位有输错，校验码也会不同，请逐位对照证件检查{label}",
                **where,
            )
        ]
    return []


def other_document_findings(field: FormField, value: str) -> list[Finding]:
    number = fold(value)
    if 5 <= len(number) <= 20 and number.isascii() and number.isalnum():
        return []
    return [
        error(
            "id_number.format",
            "证件号码应为5至20位字母或数字",
            "请对照证件重新填写证件号码",
            field=field.name,
        )
    ]


_CONFUSED = {"I": "1", "O": "0", "Z": "2", "S": "5", "V": "U"}


def credit_code_findings(field: FormField, value: str) -> list[Finding]:
    code = fold(value)
    where = {"field": field.name}
    action = "请对照营业执照（或登记证书）上的统一社会信用代码逐位核对后重新填写"
    if len(code) != 18:
        return [
            error("credit_code.length", f"统一社会信用代码应为18位，您填写了{len(code)}位", action, **where)
        ]
    confused = sorted({char for char in code if char in _CONFUSED})
    if confused:
        hint = "、".join(f"{char}（可能是{_CONFUSED[char]}）" for char in confused)
        return [
            error(
                "credit_code.characters",
                f"统一社会信用代码不使用字母I、O、Z、S、V，填写中含有{hint}",
                action,
                **where,
            )
        ]
    if any(char not in CREDIT_CODE_CHARSET for char in code):
        return [error("credit_code.characters", "统一社会信用代码只能由数字和大写字母组成", action, **where)]
    expected = check_char_credit_code(code[:17])
    if expected != code[17]:
        return [
            error(
                "credit_code.check_digit",
                f"统一社会信用代码第18位校验码应为{expected}，与填写的不符",
                "请核对后重新填写；如前17位有输错，校验码也会不同。" + action,
                **where,
            )
        ]
    return []


def phone_findings(field: FormField, value: str) -> list[Finding]:
    canonical = normalize_phone(value)
    where = {"field": field.name}
    if field.kind is FieldKind.MOBILE:
        if canonical is not None and len(canonical) == 11 and canonical.startswith("1"):
            return []
        if canonical is not None:
            return [
                error(
                    "mobile.landline",
                    f"{field.label}应为11位手机号码，填写的是固定电话",
                    "请填写本人的手机号码，用于接收办理进度短信",
                    **where,
                )
            ]
        return [
            error(
                "mobile.format",
                f"{field.label}格式不正确，应为以1开头的11位手机号码",
                "请核对位数后重新填写，如 13800138000",
                **where,
            )
        ]
    if canonical is None:
        return [
            error(
                "phone.format",
                f"{field.label}格式不正确",
                "请填写11位手机号码，或带区号的固定电话（如 0755-28901234）",
                **where,
            )
        ]
    return []
