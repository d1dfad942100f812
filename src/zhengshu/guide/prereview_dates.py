"""Pre-review of the form's dates: each readable, past dates not in the future, and a business
term (营业期限) that ends after it starts and has not run out."""

from __future__ import annotations

from datetime import date

from zhengshu.guide.application_fields import LONG_TERM, FieldKind, FormField
from zhengshu.guide.application_form import Application
from zhengshu.guide.prereview_findings import Finding, error
from zhengshu.text.dates import DateProblem, read_day

__all__ = ["form_dates", "term_findings"]

# Fields whose date must not lie in the future.
_PAST_DATES = {"birth_date", "established_on", "term_start"}


def form_dates(
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
            day = read_day(value)
        except DateProblem as problem:
            findings.append(
                error(
                    "date.invalid",
                    f"{field.label}填写有误：{problem}",
                    f"请按“年-月-日”重新填写{field.label}",
                    field=field.name,
                )
            )
            continue
        if field.name in _PAST_DATES and day > today:
            findings.append(
                error(
                    "date.future",
                    f"{field.label}不能晚于今天",
                    f"请核对{field.label}，应为已经过去的日期",
                    field=field.name,
                )
            )
            continue
        found[field.name] = day
    return found, findings


def term_findings(dates: dict[str, date], today: date) -> list[Finding]:
    findings = []
    end = dates.get("term_end")
    if end is None:
        return []
    for start_field, label in (("term_start", "营业期限自"), ("established_on", "成立日期")):
        start = dates.get(start_field)
        if start is not None and end < start:
            findings.append(
                error(
                    "date.order",
                    f"营业期限至早于{label}",
                    "请对照营业执照核对营业期限的起止日期",
                    field="term_end",
                )
            )
            return findings
    if end < today:
        findings.append(
            error(
                "term.expired",
                f"营业期限已于{end:%Y年%m月%d日}届满",
                "请先办理营业期限变更登记，或核对填写的营业期限",
                field="term_end",
            )
        )
    return findings
