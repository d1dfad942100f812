"""Smart pre-review (智能预审): an application checked against its item before it is submitted.

pre_review(item, application, today) says, field by field and material by material, what is wrong
(错误: the application would be refused as it stands) or worth a look (提醒), each in plain Chinese
with what to do. It reads no database and keeps no state: the API checks a posted application with
it, and zhengshu.guide.applications stores what it found.

The checks live in the prereview_* modules: the findings themselves (prereview_findings), the
identifiers (prereview_identifiers), the applicant's fields (prereview_applicant), dates
(prereview_dates), conditions (prereview_conditions) and materials (prereview_materials)."""

from __future__ import annotations

from datetime import date

from zhengshu.guide.application_fields import ApplicantKind, form_fields
from zhengshu.guide.application_form import Application
from zhengshu.guide.prereview_applicant import Person, field_findings, person_of
from zhengshu.guide.prereview_conditions import condition_findings, kind_findings
from zhengshu.guide.prereview_dates import form_dates, term_findings
from zhengshu.guide.prereview_findings import Finding
from zhengshu.guide.prereview_materials import material_findings
from zhengshu.guide.records import ItemRecord

__all__ = ["pre_review"]


def pre_review(item: ItemRecord, application: Application, today: date) -> list[Finding]:
    """Every finding about ``application`` for ``item`` on ``today``: the applicant's fields in the
    form's order, then the conditions, then the materials."""
    fields = form_fields(item, application.kind)
    findings, wrong = field_findings(application, fields, today)
    dates, date_findings = form_dates(application, fields, today)
    findings += date_findings
    if application.kind is ApplicantKind.ENTERPRISE:
        findings += term_findings(dates, today)
        person = Person(None, "", None)
    else:
        person, mismatches = person_of(application, dates, wrong)
        findings += mismatches
    findings = kind_findings(item, application) + findings
    findings += condition_findings(application, fields, person, item, today)
    findings += material_findings(item, application, today)
    order = {"kind": -1} | {field.name: position for position, field in enumerate(fields)}
    return sorted(findings, key=lambda f: (0, order[f.field]) if f.field in order else (1, 0))
