"""Pre-review of the applicant's fields: required fields and each field's own format, and what the
form says of a natural person's birth and sex, with the ID number and the typed fields compared."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from zhengshu.guide.application_fields import RESIDENT_ID_TYPES, FieldKind, FormField
from zhengshu.guide.application_form import Application
from zhengshu.guide.prereview_findings import Finding, error
from zhengshu.guide.prereview_identifiers import (
    credit_code_findings,
    fold,
    other_document_findings,
    phone_findings,
    resident_id_findings,
)
from zhengshu.text.identifiers import resident_id_birth_date, resident_id_sex

__all__ = ["Person", "field_findings", "person_of"]


@dataclass(frozen=True)
class Person:
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


def field_findings(
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
                    error("field.required", f"{field.label}未填写", f"请填写{field.label}", field=field.name)
                )
            continue
        if field.kind is FieldKind.ID_NUMBER:
            label = _id_label(application, field)
            if label is None:
                findings += other_document_findings(field, value)
            else:
                findings += resident_id_findings(field, value, label, today)
        elif field.kind is FieldKind.CREDIT_CODE:
            findings += credit_code_findings(field, value)
        elif field.kind in (FieldKind.MOBILE, FieldKind.PHONE):
            findings += phone_findings(field, value)
    return findings, {f.field for f in findings}


def person_of(
    application: Application, dates: dict[str, date], wrong: set[str]
) -> tuple[Person, list[Finding]]:
    """Birth date and sex from a valid ID number, else from the form; a finding where they differ."""
    findings: list[Finding] = []
    id_value = fold(application.values.get("id_number", ""))
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
            error(
                "birth_date.mismatch",
                "出生日期与身份证号码第7至14位的出生日期不一致",
                "请对照身份证核对出生日期和身份证号码",
                field="birth_date",
            )
        )
    if id_sex is not None and typed_sex is not None and id_sex != typed_sex:
        findings.append(
            error(
                "sex.mismatch",
                "性别与身份证号码第17位不一致（第17位奇数为男、偶数为女）",
                "请核对性别和身份证号码",
                field="sex",
            )
        )
    if id_birth is not None:
        person = Person(id_birth, "身份证号码", id_sex or typed_sex)
    else:
        person = Person(typed_birth, "出生日期", typed_sex)
    return person, findings
