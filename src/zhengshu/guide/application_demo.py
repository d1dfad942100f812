"""The demo's applicants: the citizen's and the enterprise's profiles, and one earlier, submitted
application each, so that pre-fill has a profile and an application to draw on. Made through the
same services as the pages (audited as the applicant's own actions). Loading twice changes
nothing: an applicant who already has a profile is left as they are.

The people and the company are invented; their ID number and credit code carry valid check
characters so that pre-review passes them."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from zhengshu.clock import now
from zhengshu.db import transaction
from zhengshu.errors import NotFound
from zhengshu.guide import application_profiles, applications
from zhengshu.guide.application_fields import ApplicantKind, form_fields
from zhengshu.guide.application_models import ApplicantProfile
from zhengshu.guide.catalog import item_record
from zhengshu.guide.materials_match import is_conditional
from zhengshu.guide.prereview_findings import blocking
from zhengshu.guide.records import ItemRecord, Material
from zhengshu.org.models import User
from zhengshu.text.identifiers import check_char_credit_code, check_digit_resident_id

__all__ = ["DemoApplicant", "DemoReport", "DEMO_APPLICANTS", "load_demo"]


def _resident_id(first17: str) -> str:
    return first17 + check_digit_resident_id(first17)


def _credit_code(first17: str) -> str:
    return first17 + check_char_credit_code(first17)


@dataclass(frozen=True)
class DemoApplicant:
    username: str  # a demo login of zhengshu.appeals.demo_staff
    kind: ApplicantKind
    profile: dict[str, str]
    # The item of the earlier application (a demo item of zhengshu.guide.demo).
    item_code: str
    # Valid-until dates of the materials brought, by a word of their name.
    validity: dict[str, str] = field(default_factory=dict)


DEMO_APPLICANTS = (
    DemoApplicant(
        "citizen",
        ApplicantKind.PERSON,
        {
            "name": "陈志明",
            "id_type": "居民身份证",
            # 龙岗区, born 20 June 1985, a man (the 17th digit is odd).
            "id_number": _resident_id("44030719850620321"),
            "sex": "男",
            "birth_date": "1985-06-20",
            "mobile": "13760001234",
            "household": "广东省深圳市龙岗区",
            "address": "深圳市龙岗区龙城街道示例路88号",
        },
        "SAMPLE-LG-0006",
        {"身份证": "2035-06-20"},
    ),
    DemoApplicant(
        "enterprise",
        ApplicantKind.ENTERPRISE,
        {
            "company_name": "深圳市龙岗区示例餐饮管理有限公司",
            "credit_code": _credit_code("91440307MA5G8K2X3"),
            "legal_rep": "黄丽华",
            "legal_rep_id_number": _resident_id("44030719790311402"),
            "contact": "黄丽华",
            "contact_phone": "0755-28900123",
            "registered_address": "深圳市龙岗区布吉街道示例大道66号",
            "established_on": "2019-04-08",
            "term_start": "2019-04-08",
            "term_end": "长期",
        },
        "SAMPLE-LG-0018",
    ),
)


@dataclass
class DemoReport:
    profiles: int = 0
    applications: int = 0
    skipped: list[str] = field(default_factory=list)

    def describe(self) -> str:
        text = f"新建资料 {self.profiles} 份、已提交的申请 {self.applications} 份"
        return text + (f"（{'；'.join(self.skipped)}）" if self.skipped else "")


def _brought(material: Material, validity: dict[str, str]) -> dict[str, str]:
    """A material as a careful applicant brings it: the form and medium the guide asks for."""
    form = "原件和复印件" if "原件" in material.form and "复印件" in material.form else material.form
    if "或" in form or not form:
        form = "原件"
    medium = "电子" if material.medium == "电子" else "纸质"
    valid_until = next((day for word, day in validity.items() if word in material.name), "")
    return {"name": material.name, "form": form, "medium": medium, "valid_until": valid_until}


def _answers(item: ItemRecord, kind: ApplicantKind) -> dict[str, str]:
    return {f.name: "是" for f in form_fields(item, kind) if f.condition is not None}


def _load_one(session: Session, demo: DemoApplicant, report: DemoReport) -> None:
    user = session.scalar(select(User).where(User.username == demo.username))
    if user is None:
        report.skipped.append(f"没有演示账号 {demo.username}")
        return
    if session.scalar(select(ApplicantProfile.id).where(ApplicantProfile.user_id == user.id)) is not None:
        return
    try:
        item = item_record(session, demo.item_code)
    except NotFound:
        report.skipped.append(f"没有示例事项 {demo.item_code}")
        return
    application_profiles.save_profile(session, user, demo.kind.value, demo.profile)
    report.profiles += 1
    materials = [_brought(m, demo.validity) for m in item.materials if not is_conditional(m)]
    values = demo.profile | _answers(item, demo.kind)
    draft = applications.save_draft(
        session,
        user,
        {"kind": demo.kind.value, "values": values, "materials": materials},
        item_code=item.code,
    )
    today = now().date()
    _, findings = applications.run_pre_review(session, user, draft.id, today)
    if blocking(findings):
        # The demo's data no longer fits its item: keep the reviewed draft rather than fail the load.
        report.skipped.append(f"{demo.username} 的示例申请预审未通过，保留为已预审")
        return
    applications.submit(session, user, draft.id, today)
    report.applications += 1


def load_demo(factory: sessionmaker[Session]) -> DemoReport:
    """Needs the demo logins and the demo items (zhengshu.appeals.demo, zhengshu.guide.demo)."""
    report = DemoReport()
    for demo in DEMO_APPLICANTS:
        with transaction(factory) as session:
            _load_one(session, demo, report)
    return report
