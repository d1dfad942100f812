"""Smart pre-review (智能预审): an application checked against its item before it is submitted.

pre_review(item, application, today) says, field by field and material by material, what is wrong
(错误: the application would be refused as it stands) or worth a look (提醒), each in plain Chinese
with what to do. It reads no database and keeps no state: the API checks a posted application with
it, and zhengshu.guide.applications stores what it found.

Messages never repeat an ID number, a phone number or a name: findings are stored and shown in
lists, and must not carry personal data there."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from zhengshu.guide.application_form import (
    LONG_TERM,
    RESIDENT_ID_TYPES,
    ApplicantKind,
    Application,
    DateProblem,
    FieldKind,
    FormField,
    form_fields,
    read_date,
)
from zhengshu.guide.item_conditions import (
    Condition,
    ConditionKind,
    age_on,
    conditions_for,
    rule_for,
    satisfies,
)
from zhengshu.guide.materials_match import MaterialProblem, ProblemKind, check_materials
from zhengshu.guide.records import ItemRecord
from zhengshu.text.identifiers import (
    CREDIT_CODE_CHARSET,
    check_char_credit_code,
    check_digit_resident_id,
    normalize_phone,
    resident_id_birth_date,
    resident_id_sex,
)
from zhengshu.workdays import UnknownCalendarYear, default_calendar

__all__ = ["Finding", "Severity", "blocking", "pre_review"]


class Severity(StrEnum):
    ERROR = "错误"  # the application would be refused as it stands
    NOTICE = "提醒"  # worth a look; does not stop submission


@dataclass(frozen=True)
class Finding:
    severity: Severity
    code: str  # what kind of finding, e.g. "id_number.check_digit"
    message: str
    action: str  # what to do about it
    field: str = ""  # the form field it is about
    material: str = ""  # or the material

    def as_json(self) -> dict[str, str]:
        return {
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
            "action": self.action,
            "field": self.field,
            "material": self.material,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Finding:
        return cls(
            Severity(data["severity"]),
            str(data["code"]),
            str(data["message"]),
            str(data["action"]),
            str(data.get("field", "")),
            str(data.get("material", "")),
        )


def blocking(findings: list[Finding]) -> list[Finding]:
    """The findings that stop a submission."""
    return [f for f in findings if f.severity is Severity.ERROR]


def _error(code: str, message: str, action: str, **where: str) -> Finding:
    return Finding(Severity.ERROR, code, message, action, **where)


def _notice(code: str, message: str, action: str, **where: str) -> Finding:
    return Finding(Severity.NOTICE, code, message, action, **where)


# --- identifiers ---------------------------------------------------------------------------------


def _fold(value: str) -> str:
    """Full-width digits and letters folded, spaces dropped, letters upper-cased."""
    return "".join(unicodedata.normalize("NFKC", value).split()).upper()


def _resident_id_findings(field: FormField, value: str, label: str, today: date) -> list[Finding]:
    """Length, characters, the birth date of positions 7-14, and the GB 11643 check digit."""
    number = _fold(value)
    where = {"field": field.name}
    if len(number) != 18:
        return [
            _error(
                "id_number.length",
                f"{label}应为18位，您填写了{len(number)}位",
                f"请对照证件逐位核对{label}",
                **where,
            )
        ]
    if not (number[:17].isascii() and number[:17].isdigit()) or number[17] not in "0123456789X":
        return [
            _error(
                "id_number.characters",
                f"{label}前17位应为数字，第18位应为数字或字母X",
                f"请检查是否误输入了字母或符号（如把数字0输成字母O）后重新填写{label}",
                **where,
            )
        ]
    born = resident_id_birth_date(number)
    if born is None:
        return [
            _error(
                "id_number.birth_date",
                f"{label}第7至14位应为出生日期（年月日），填写的不是有效日期",
                f"请对照证件核对{label}的第7至14位",
                **where,
            )
        ]
    if not date(1900, 1, 1) <= born <= today:
        return [
            _error(
                "id_number.birth_date",
                f"{label}第7至14位的出生日期不合理（早于1900年或晚于今天）",
                f"请对照证件核对{label}的第7至14位",
                **where,
            )
        ]
    expected = check_digit_resident_id(number[:17])
    if expected != number[17]:
        return [
            _error(
                "id_number.check_digit",
                f"{label}第18位校验码应为{expected}，与填写的不符",
                f"请核对后重新填写；如前17位有输错，校验码也会不同，请逐位对照证件检查{label}",
                **where,
            )
        ]
    return []


def _other_document_findings(field: FormField, value: str) -> list[Finding]:
    number = _fold(value)
    if 5 <= len(number) <= 20 and number.isascii() and number.isalnum():
        return []
    return [
        _error(
            "id_number.format",
            "证件号码应为5至20位字母或数字",
            "请对照证件重新填写证件号码",
            field=field.name,
        )
    ]


_CONFUSED = {"I": "1", "O": "0", "Z": "2", "S": "5", "V": "U"}


def _credit_code_findings(field: FormField, value: str) -> list[Finding]:
    code = _fold(value)
    where = {"field": field.name}
    action = "请对照营业执照（或登记证书）上的统一社会信用代码逐位核对后重新填写"
    if len(code) != 18:
        return [
            _error("credit_code.length", f"统一社会信用代码应为18位，您填写了{len(code)}位", action, **where)
        ]
    confused = sorted({char for char in code if char in _CONFUSED})
    if confused:
        hint = "、".join(f"{char}（可能是{_CONFUSED[char]}）" for char in confused)
        return [
            _error(
                "credit_code.characters",
                f"统一社会信用代码不使用字母I、O、Z、S、V，填写中含有{hint}",
                action,
                **where,
            )
        ]
    if any(char not in CREDIT_CODE_CHARSET for char in code):
        return [_error("credit_code.characters", "统一社会信用代码只能由数字和大写字母组成", action, **where)]
    expected = check_char_credit_code(code[:17])
    if expected != code[17]:
        return [
            _error(
                "credit_code.check_digit",
                f"统一社会信用代码第18位校验码应为{expected}，与填写的不符",
                "请核对后重新填写；如前17位有输错，校验码也会不同。" + action,
                **where,
            )
        ]
    return []


def _phone_findings(field: FormField, value: str) -> list[Finding]:
    canonical = normalize_phone(value)
    where = {"field": field.name}
    if field.kind is FieldKind.MOBILE:
        if canonical is not None and len(canonical) == 11 and canonical.startswith("1"):
            return []
        if canonical is not None:
            return [
                _error(
                    "mobile.landline",
                    f"{field.label}应为11位手机号码，填写的是固定电话",
                    "请填写本人的手机号码，用于接收办理进度短信",
                    **where,
                )
            ]
        return [
            _error(
                "mobile.format",
                f"{field.label}格式不正确，应为以1开头的11位手机号码",
                "请核对位数后重新填写，如 13800138000",
                **where,
            )
        ]
    if canonical is None:
        return [
            _error(
                "phone.format",
                f"{field.label}格式不正确",
                "请填写11位手机号码，或带区号的固定电话（如 0755-28901234）",
                **where,
            )
        ]
    return []


# --- dates ---------------------------------------------------------------------------------------

# Fields whose date must not lie in the future.
_PAST_DATES = {"birth_date", "established_on", "term_start"}


def _dates(
    application: Application, fields: tuple[FormField, ...], today: date
) -> tuple[dict[str, date], list[Finding]]:
    """The readable dates of the form, and a finding for each unreadable or impossible one."""
    found: dict[str, date] = {}
    findings: list[Finding] = []
    for field in fields:
        value = application.values.get(field.name, "")
        if field.kind is not FieldKind.DATE or not value:
            continue
        if field.name == "term_end" and value in LONG_TERM:
            continue
        try:
            day = read_date(value)
        except DateProblem as problem:
            findings.append(
                _error(
                    "date.invalid",
                    f"{field.label}填写有误：{problem}",
                    f"请按“年-月-日”重新填写{field.label}",
                    field=field.name,
                )
            )
            continue
        if field.name in _PAST_DATES and day > today:
            findings.append(
                _error(
                    "date.future",
                    f"{field.label}不能晚于今天",
                    f"请核对{field.label}，应为已经过去的日期",
                    field=field.name,
                )
            )
            continue
        found[field.name] = day
    return found, findings


def _term_findings(dates: dict[str, date], today: date) -> list[Finding]:
    findings = []
    end = dates.get("term_end")
    if end is None:
        return []
    for start_field, label in (("term_start", "营业期限自"), ("established_on", "成立日期")):
        start = dates.get(start_field)
        if start is not None and end < start:
            findings.append(
                _error(
                    "date.order",
                    f"营业期限至早于{label}",
                    "请对照营业执照核对营业期限的起止日期",
                    field="term_end",
                )
            )
            return findings
    if end < today:
        findings.append(
            _error(
                "term.expired",
                f"营业期限已于{end:%Y年%m月%d日}届满",
                "请先办理营业期限变更登记，或核对填写的营业期限",
                field="term_end",
            )
        )
    return findings


# --- the applicant's fields ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Person:
    """What the form says of a natural person's birth and sex, and where it says it."""

    birth: date | None
    birth_source: str
    sex: str | None


def _id_label(application: Application, field: FormField) -> str | None:
    """The label of an ID number checked by GB 11643, None for other documents."""
    if field.name == "legal_rep_id_number":
        return field.label
    id_type = application.values.get("id_type", "")
    if id_type in ("", "居民身份证"):
        return "身份证号码"
    return f"{id_type}号码" if id_type in RESIDENT_ID_TYPES else None


def _field_findings(
    application: Application, fields: tuple[FormField, ...], today: date
) -> tuple[list[Finding], set[str]]:
    """Required fields and each field's own format; the names of fields found wrong."""
    findings: list[Finding] = []
    for field in fields:
        if field.condition is not None:
            continue
        value = application.values.get(field.name, "")
        if not value:
            if field.required:
                findings.append(
                    _error("field.required", f"{field.label}未填写", f"请填写{field.label}", field=field.name)
                )
            continue
        if field.kind is FieldKind.ID_NUMBER:
            label = _id_label(application, field)
            if label is None:
                findings += _other_document_findings(field, value)
            else:
                findings += _resident_id_findings(field, value, label, today)
        elif field.kind is FieldKind.CREDIT_CODE:
            findings += _credit_code_findings(field, value)
        elif field.kind in (FieldKind.MOBILE, FieldKind.PHONE):
            findings += _phone_findings(field, value)
    return findings, {f.field for f in findings}


def _person(
    application: Application, dates: dict[str, date], wrong: set[str]
) -> tuple[_Person, list[Finding]]:
    """Birth date and sex from a valid ID number, else from the form; a finding where they differ."""
    findings: list[Finding] = []
    id_value = _fold(application.values.get("id_number", ""))
    id_checked = (
        id_value
        and "id_number" not in wrong
        and application.values.get("id_type", "") in ("", *RESIDENT_ID_TYPES)
    )
    id_birth = resident_id_birth_date(id_value) if id_checked else None
    id_sex = resident_id_sex(id_value) if id_checked else None
    typed_birth = dates.get("birth_date")
    typed_sex = application.values.get("sex") or None
    if id_birth is not None and typed_birth is not None and id_birth != typed_birth:
        findings.append(
            _error(
                "birth_date.mismatch",
                "出生日期与身份证号码第7至14位的出生日期不一致",
                "请对照身份证核对出生日期和身份证号码",
                field="birth_date",
            )
        )
    if id_sex is not None and typed_sex is not None and id_sex != typed_sex:
        findings.append(
            _error(
                "sex.mismatch",
                "性别与身份证号码第17位不一致（第17位奇数为男、偶数为女）",
                "请核对性别和身份证号码",
                field="sex",
            )
        )
    if id_birth is not None:
        person = _Person(id_birth, "身份证号码", id_sex or typed_sex)
    else:
        person = _Person(typed_birth, "出生日期", typed_sex)
    return person, findings


# --- conditions ----------------------------------------------------------------------------------


def _ask_help(item: ItemRecord) -> str:
    phone = item.consult_phone.strip()
    return f"可致电 {phone} 咨询" if phone else "可到办事窗口咨询"


def _age_finding(
    condition: Condition, person: _Person, today: date, item: ItemRecord, name: str
) -> Finding | None:
    rule = rule_for(condition, person.sex)
    if rule is None or person.birth is None:
        return None
    if satisfies(rule, person.birth, today):
        return None
    age = age_on(person.birth, today)
    who = f"{person.sex}性申请人" if rule.sex else "申请人"
    return _error(
        "condition.age",
        f"根据{person.birth_source}，申请人今天{age}周岁，不符合受理条件“{who}{rule.describe()}”",
        f"请核对{person.birth_source}；如填写无误，本事项暂不能受理，{_ask_help(item)}",
        field=name,
    )


def _condition_findings(
    application: Application, fields: tuple[FormField, ...], person: _Person, item: ItemRecord, today: date
) -> list[Finding]:
    findings: list[Finding] = []
    for field in fields:
        condition = field.condition
        if condition is None:
            continue
        answer = application.values.get(field.name, "")
        name = field.name
        if condition.kind is ConditionKind.AGE and application.kind is ApplicantKind.PERSON:
            age_problem = _age_finding(condition, person, today, item, name)
            if age_problem is not None:
                findings.append(age_problem)
                continue
            if person.birth is not None and rule_for(condition, person.sex) is not None:
                if answer == "否":
                    findings.append(
                        _notice(
                            "condition.answer_mismatch",
                            f"根据{person.birth_source}，申请人符合“{condition.requirement.removeprefix('申请人须')}”，与您回答的“否”不一致",
                            "请核对回答和证件信息",
                            field=name,
                        )
                    )
                continue
        if answer == "否":
            findings.append(
                _error(
                    "condition.unmet",
                    f"不符合受理条件：{condition.requirement}（您回答“否”）",
                    f"如回答有误，请改为“是”；如确实不符合，本事项暂不能受理，{_ask_help(item)}",
                    field=name,
                )
            )
        elif not answer:
            findings.append(
                _notice(
                    "condition.unanswered",
                    f"尚未回答：{condition.question}",
                    "请根据实际情况选择“是”或“否”，受理时将核验",
                    field=name,
                )
            )
    return findings


def _kind_findings(item: ItemRecord, application: Application) -> list[Finding]:
    """Who may apply, answered by the form the applicant chose."""
    findings = []
    for condition in conditions_for(item):
        if condition.kind is not ConditionKind.APPLICANT_KIND:
            continue
        if condition.applicant_kind == application.kind.value:
            continue
        wanted = ApplicantKind(condition.applicant_kind).label
        message = f"{condition.requirement}，当前以{application.kind.label}身份填写"
        if condition.strict:
            action = f"请以{wanted}身份重新填写申请；{_ask_help(item)}"
            findings.append(_error("condition.applicant_kind", message, action, field="kind"))
        else:
            action = f"请确认是否应以{wanted}身份申请；如不确定，{_ask_help(item)}"
            findings.append(_notice("condition.applicant_kind", message, action, field="kind"))
    return findings


# --- materials -----------------------------------------------------------------------------------


def _finish_by(item: ItemRecord, today: date) -> date | None:
    days = item.promised_limit_days if item.promised_limit_days is not None else item.legal_limit_days
    if days is None:
        return None
    try:
        return default_calendar().add_workdays(today, days).day
    except UnknownCalendarYear:
        return None


def _attached_name(problem: MaterialProblem) -> str:
    return problem.attached.name if problem.attached is not None else ""


def _and_copy(problem: MaterialProblem) -> str:
    return "和复印件" if problem.required is not None and "复印件" in problem.required.form else ""


_DATE_LABELS = {"valid_until": "有效期至", "issued_on": "开具日期"}


_MATERIAL_WORDING: dict[ProblemKind, tuple[Severity, Callable[[MaterialProblem], tuple[str, str]]]] = {
    ProblemKind.MISSING: (
        Severity.ERROR,
        lambda p: (f"缺少申请材料「{p.name}」", "请备齐该材料，并在材料清单中勾选"),
    ),
    ProblemKind.MISSING_CONDITIONAL: (
        Severity.NOTICE,
        lambda p: (f"未提交「{p.name}」（视情形提交）", "如您属于该材料所说的情形，请一并提交；否则可不提交"),
    ),
    ProblemKind.EXTRA: (
        Severity.NOTICE,
        lambda p: (
            f"「{p.name}」不在本事项的申请材料清单中",
            "请核对材料名称是否与清单一致；确实无关的材料无需提交",
        ),
    ),
    ProblemKind.NEEDS_ORIGINAL: (
        Severity.ERROR,
        lambda p: (
            f"「{p.name}」须提交原件{_and_copy(p)}，您选择的是复印件",
            "请带上原件（窗口核验后退还）",
        ),
    ),
    ProblemKind.NEEDS_COPY_TOO: (
        Severity.NOTICE,
        lambda p: (f"「{p.name}」须同时提交原件和复印件", "请另备一份复印件"),
    ),
    ProblemKind.NEEDS_PAPER: (
        Severity.ERROR,
        lambda p: (f"「{p.name}」须提交纸质材料，您选择的是电子材料", "请打印或携带纸质材料"),
    ),
    ProblemKind.NEEDS_ELECTRONIC: (
        Severity.ERROR,
        lambda p: (f"「{p.name}」须提交电子材料，您选择的是纸质材料", "请扫描或拍照后上传电子材料"),
    ),
    ProblemKind.BAD_DATE: (
        Severity.ERROR,
        lambda p: (
            f"「{_attached_name(p)}」的{_DATE_LABELS.get(p.date_field, '日期')}填写有误：{p.detail}",
            "请对照材料上的日期，按“年-月-日”重新填写",
        ),
    ),
    ProblemKind.EXPIRED: (
        Severity.ERROR,
        lambda p: (
            f"「{_attached_name(p)}」已于{p.day:%Y年%m月%d日}过期",
            "请先办理换证或重新开具，提交有效期内的材料",
        ),
    ),
    ProblemKind.EXPIRES_BEFORE_DONE: (
        Severity.NOTICE,
        lambda p: (
            f"「{_attached_name(p)}」将在本事项预计办结日（{p.day:%Y年%m月%d日}）前到期",
            "建议先办理换证，以免办理期间材料失效",
        ),
    ),
    ProblemKind.ISSUED_IN_FUTURE: (
        Severity.ERROR,
        lambda p: (f"「{_attached_name(p)}」的开具日期晚于今天", "请核对开具日期"),
    ),
    ProblemKind.ENDS_BEFORE_ISSUED: (
        Severity.ERROR,
        lambda p: (f"「{_attached_name(p)}」的有效期至早于开具日期", "请核对材料的开具日期和有效期"),
    ),
    ProblemKind.TOO_OLD: (
        Severity.ERROR,
        lambda p: (
            f"「{p.name}」须为{p.detail}开具或拍摄，您的材料开具于{p.day:%Y年%m月%d日}，已超过期限",
            "请重新开具或拍摄",
        ),
    ),
    ProblemKind.FRESHNESS_UNKNOWN: (
        Severity.NOTICE,
        lambda p: (f"「{p.name}」须为{p.detail}开具或拍摄", "请确认材料日期，并填写开具日期"),
    ),
}


def _material_findings(item: ItemRecord, application: Application, today: date) -> list[Finding]:
    check = check_materials(item.materials, application.materials, today, finish_by=_finish_by(item, today))
    findings = []
    for problem in check.problems:
        severity, wording = _MATERIAL_WORDING[problem.kind]
        message, action = wording(problem)
        findings.append(
            Finding(severity, f"material.{problem.kind.value}", message, action, material=problem.name)
        )
    return findings


def pre_review(item: ItemRecord, application: Application, today: date) -> list[Finding]:
    """Every finding about ``application`` for ``item`` on ``today``: the applicant's fields in the
    form's order, then the conditions, then the materials."""
    fields = form_fields(item, application.kind)
    findings, wrong = _field_findings(application, fields, today)
    dates, date_findings = _dates(application, fields, today)
    findings += date_findings
    if application.kind is ApplicantKind.ENTERPRISE:
        findings += _term_findings(dates, today)
        person = _Person(None, "", None)
    else:
        person, mismatches = _person(application, dates, wrong)
        findings += mismatches
    findings = _kind_findings(item, application) + findings
    findings += _condition_findings(application, fields, person, item, today)
    findings += _material_findings(item, application, today)
    order = {"kind": -1} | {field.name: position for position, field in enumerate(fields)}
    return sorted(findings, key=lambda f: (0, order[f.field]) if f.field in order else (1, 0))
