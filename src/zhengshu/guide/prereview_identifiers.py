"""Pre-review of the identifiers a form carries: resident ID numbers (length, characters, the birth
date of positions 7-14, the GB 11643 check digit), other documents' numbers, unified social credit
codes (GB 32100) and phone numbers. Each check returns its findings for one field's value."""

from __future__ import annotations

from datetime import date

from zhengshu.guide.application_fields import FieldKind, FormField
from zhengshu.guide.prereview_findings import Finding, error
from zhengshu.text.identifiers import (
    CreditCodeProblem,
    ResidentIdProblem,
    check_char_credit_code,
    check_digit_resident_id,
    credit_code_problem,
    normalize_phone,
    resident_id_problem,
)
from zhengshu.text.normalize import fold_width

__all__ = [
    "credit_code_findings",
    "fold",
    "other_document_findings",
    "phone_findings",
    "resident_id_findings",
]


def fold(value: str) -> str:
    """Full-width digits and letters folded, spaces dropped, letters upper-cased."""
    return "".join(fold_width(value).split()).upper()


def _resident_id_finding(problem: ResidentIdProblem, number: str, label: str) -> tuple[str, str, str]:
    """(code, what is wrong, what to do) for the rule of GB 11643 the number breaks."""
    match problem:
        case ResidentIdProblem.LENGTH:
            return "length", f"{label}应为18位，您填写了{len(number)}位", f"请对照证件逐位核对{label}"
        case ResidentIdProblem.CHARACTERS:
            return (
                "characters",
                f"{label}前17位应为数字，第18位应为数字或字母X",
                f"请检查是否误输入了字母或符号（如把数字0输成字母O）后重新填写{label}",
            )
        case ResidentIdProblem.REGION:
            return (
                "region",
                f"{label}第1位不能是0（前6位是户籍所在地的地区代码）",
                f"请对照证件核对{label}的前6位",
            )
        case ResidentIdProblem.BIRTH_DATE:
            return (
                "birth_date",
                f"{label}第7至14位应为出生日期（年月日），填写的不是有效日期",
                f"请对照证件核对{label}的第7至14位",
            )
        case ResidentIdProblem.BIRTH_DATE_RANGE:
            return (
                "birth_date",
                f"{label}第7至14位的出生日期不合理（早于1900年或晚于今天）",
                f"请对照证件核对{label}的第7至14位",
            )
        case ResidentIdProblem.CHECK_DIGIT:
            return (
                "check_digit",
                f"{label}第18位校验码应为{check_digit_resident_id(number[:17])}，与填写的不符",
                f"请核对后重新填写；如前17位有输错，校验码也会不同，请逐位对照证件检查{label}",
            )


def resident_id_findings(field: FormField, value: str, label: str, today: date) -> list[Finding]:
    """The first rule of GB 11643 (zhengshu.text.identifiers) the number breaks, in words."""
    number = fold(value)
    problem = resident_id_problem(number, today)
    if problem is None:
        return []
    code, message, action = _resident_id_finding(problem, number, label)
    return [error(f"id_number.{code}", message, action, field=field.name)]


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
    """The first rule of GB 32100 (zhengshu.text.identifiers) the code breaks, in words; letters
    the code never uses are named with the digit they were probably meant to be."""
    code = fold(value)
    problem = credit_code_problem(code)
    if problem is None:
        return []
    where = {"field": field.name}
    action = "请对照营业执照（或登记证书）上的统一社会信用代码逐位核对后重新填写"
    if problem is CreditCodeProblem.LENGTH:
        return [
            error("credit_code.length", f"统一社会信用代码应为18位，您填写了{len(code)}位", action, **where)
        ]
    if problem is CreditCodeProblem.CHARACTERS:
        confused = sorted({char for char in code if char in _CONFUSED})
        if confused:
            hint = "、".join(f"{char}（可能是{_CONFUSED[char]}）" for char in confused)
            message = f"统一社会信用代码不使用字母I、O、Z、S、V，填写中含有{hint}"
        else:
            message = "统一社会信用代码只能由数字和大写字母组成"
        return [error("credit_code.characters", message, action, **where)]
    return [
        error(
            "credit_code.check_digit",
            f"统一社会信用代码第18位校验码应为{check_char_credit_code(code[:17])}，与填写的不符",
            "请核对后重新填写；如前17位有输错，校验码也会不同。" + action,
            **where,
        )
    ]


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
