"""Profiles, pre-fill, drafts, pre-review and submission in the database (SQLite and PostgreSQL):
who may act for whom, the status table, audit events, and nothing half-written."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import func, select, text
from tests.conftest import Database
from tests.guide.applications_data import (
    ENTERPRISE_VALUES,
    GUARD,
    GUARD_MATERIALS,
    ID_NUMBER,
    PERSON_VALUES,
    SHOP,
    SHOP_MATERIALS,
    answers,
    clean,
    ensure_applicants,
    enterprise,
    load_items,
    person,
    raw,
)

from zhengshu.audit import AuditEvent
from zhengshu.db import reading, transaction
from zhengshu.errors import Conflict, IllegalTransition, InvalidInput, NotFound, PermissionDenied
from zhengshu.guide import (
    application_demo,
    application_prefill,
    application_presenters,
    application_profiles,
    applications,
)
from zhengshu.guide import demo as guide_demo
from zhengshu.guide.application_models import ApplicantProfile, ServiceApplication
from zhengshu.guide.application_status import (
    TRANSITIONS,
    ApplicationAction,
    ApplicationStatus,
    next_status,
)
from zhengshu.org.models import User
from zhengshu.org.roles import Permission, Role, has_permission
from zhengshu.org.services import create_user

TODAY = date(2026, 11, 27)


@dataclass
class Setting:
    db: Database
    users: dict[str, User]

    def user(self, name: str) -> User:
        return self.users.get(name) or self.db.user(name)


@pytest.fixture
def guide(db: Database) -> Iterator[Setting]:
    users = ensure_applicants(db)
    clean(db)
    load_items(db)
    yield Setting(db, users)
    clean(db)


def _count(db: Database, model: type) -> int:
    with reading(db.factory) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _events(db: Database, action: str) -> list[AuditEvent]:
    with reading(db.factory) as session:
        return list(
            session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
        )


def _draft(
    s: Setting,
    username: str = "t_citizen",
    values: dict[str, str] | None = None,
    *,
    materials: list[dict[str, str]] | None = None,
    item: str = GUARD.code,
    kind: str = "person",
    applicant_id: int | None = None,
) -> int:
    body = raw(values or person(), GUARD_MATERIALS if materials is None else materials, kind)
    with transaction(s.db.factory) as session:
        created = applications.save_draft(
            session, s.user(username), body, item_code=item, applicant_id=applicant_id
        )
        return created.id


# --- the status table ----------------------------------------------------------------------------


@pytest.mark.parametrize("status", list(ApplicationStatus))
@pytest.mark.parametrize("action", list(ApplicationAction))
def test_every_status_and_action(status: ApplicationStatus, action: ApplicationAction) -> None:
    if (status, action) in TRANSITIONS:
        assert next_status(status, action) is TRANSITIONS[(status, action)]
    else:
        with pytest.raises(IllegalTransition):
            next_status(status, action)


def test_the_table_allows_exactly_these_moves() -> None:
    moves = {(s.value, a.value, t.value) for (s, a), t in TRANSITIONS.items()}
    assert moves == {
        ("draft", "save", "draft"),
        ("reviewed", "save", "draft"),
        ("draft", "review", "reviewed"),
        ("reviewed", "review", "reviewed"),
        ("reviewed", "submit", "submitted"),
    }


# --- profiles ------------------------------------------------------------------------------------


def test_a_profile_is_saved_and_audited_without_its_values(guide: Setting) -> None:
    with transaction(guide.db.factory) as session:
        profile = application_profiles.save_profile(session, guide.user("t_citizen"), "person", PERSON_VALUES)
        shown = application_presenters.profile_json(profile, guide.user("t_citizen"))
    assert shown["values"]["id_number"] == ID_NUMBER and shown["kind_label"] == "个人"
    (event,) = _events(guide.db, "applicant_profile.saved")
    assert "id_number" in event.data["fields"] and ID_NUMBER not in str(event.data)
    with transaction(guide.db.factory) as session:
        again = application_profiles.save_profile(
            session,
            guide.user("t_citizen"),
            "person",
            {**PERSON_VALUES, "mobile": "13900139000"},
            expected_version=1,
        )
        assert again.version == 2
    assert _events(guide.db, "applicant_profile.saved")[-1].data["fields"] == ["mobile"]


def test_a_stale_profile_is_a_conflict(guide: Setting) -> None:
    with transaction(guide.db.factory) as session:
        application_profiles.save_profile(session, guide.user("t_citizen"), "person", PERSON_VALUES)
    with pytest.raises(Conflict), transaction(guide.db.factory) as session:
        application_profiles.save_profile(
            session, guide.user("t_citizen"), "person", PERSON_VALUES, expected_version=7
        )


def test_a_bad_profile_writes_nothing(guide: Setting) -> None:
    with pytest.raises(InvalidInput) as refused, transaction(guide.db.factory) as session:
        application_profiles.save_profile(
            session, guide.user("t_citizen"), "person", {**PERSON_VALUES, "name": "陈" * 60}
        )
    assert "name" in refused.value.errors
    assert _count(guide.db, ApplicantProfile) == 0 and _events(guide.db, "applicant_profile.saved") == []


# --- pre-fill ------------------------------------------------------------------------------------


def test_prefill_from_the_profile_then_earlier_applications(guide: Setting) -> None:
    citizen = guide.user("t_citizen")
    with transaction(guide.db.factory) as session:
        application_profiles.save_profile(
            session, citizen, "person", {k: v for k, v in PERSON_VALUES.items() if k != "address"}
        )
    earlier = _draft(guide, values=person(address="深圳市龙岗区布吉街道"))
    with reading(guide.db.factory) as session:
        found = application_prefill.prefill(session, citizen, GUARD.code)
        earlier_row = session.get_one(ServiceApplication, earlier)
    source = f"{earlier_row.updated_at:%Y-%m-%d} 申请「{GUARD.name}」"
    assert found.values["id_number"] == ID_NUMBER and found.sources["id_number"] == "个人资料"
    assert found.values["address"] == "深圳市龙岗区布吉街道" and found.sources["address"] == source
    # The answers to the item's questions and the materials carry over from the earlier application.
    for name, answer in answers(GUARD).items():
        assert found.values[name] == answer and found.sources[name] == source
    by_name = {m.name: m for m in found.materials}
    assert by_name["居民身份证"].valid_until == "2036-01-01"
    assert found.material_sources[0] == source
    shown = application_presenters.prefill_json(found)
    assert shown["materials"][0]["source"] == source and shown["values"]["name"] == "陈大文"


def test_prefill_for_an_enterprise(guide: Setting) -> None:
    with transaction(guide.db.factory) as session:
        application_profiles.save_profile(
            session, guide.user("t_enterprise"), "enterprise", ENTERPRISE_VALUES
        )
    with reading(guide.db.factory) as session:
        found = application_prefill.prefill(session, guide.user("t_enterprise"), SHOP.code)
    assert found.kind.value == "enterprise" and found.sources["credit_code"] == "单位资料"


def test_prefill_of_an_unknown_item(guide: Setting) -> None:
    with pytest.raises(NotFound), reading(guide.db.factory) as session:
        application_prefill.prefill(session, guide.user("t_citizen"), "NO-SUCH-ITEM")


# --- drafts, pre-review and submission -----------------------------------------------------------


def test_an_application_from_draft_to_submitted(guide: Setting) -> None:
    citizen = guide.user("t_citizen")
    wrong = person(id_number=ID_NUMBER[:17] + "5")
    application_id = _draft(guide, values=wrong, materials=GUARD_MATERIALS[:2])
    assert [e.data["status"] for e in _events(guide.db, "application.created")] == ["draft"]

    with transaction(guide.db.factory) as session:
        reviewed, findings = applications.run_pre_review(session, citizen, application_id, TODAY)
        assert reviewed.status == "reviewed"
    codes = {f.code for f in findings}
    assert {"id_number.check_digit", "material.missing"} <= codes
    (event,) = _events(guide.db, "application.reviewed")
    assert event.data["errors"] == 2 and event.data["from"] == "draft"

    with (
        pytest.raises(IllegalTransition, match="身份证号码第18位校验码应为2") as refused,
        transaction(guide.db.factory) as session,
    ):
        applications.submit(session, citizen, application_id, TODAY)
    assert "缺少申请材料「学历证明」" in refused.value.message
    with reading(guide.db.factory) as session:
        assert session.get_one(ServiceApplication, application_id).status == "reviewed"
    assert _events(guide.db, "application.submitted") == []

    with transaction(guide.db.factory) as session:
        saved = applications.save_draft(
            session, citizen, raw(person(), GUARD_MATERIALS), application_id=application_id
        )
        assert saved.status == "draft" and saved.findings is None
    with transaction(guide.db.factory) as session:
        applications.run_pre_review(session, citizen, application_id, TODAY)
    with transaction(guide.db.factory) as session:
        submitted = applications.submit(session, citizen, application_id, TODAY)
        assert submitted.status == "submitted" and submitted.submitted_at is not None
    (event,) = _events(guide.db, "application.submitted")
    assert event.data == {"from": "reviewed", "to": "submitted", "item_code": GUARD.code}

    with pytest.raises(IllegalTransition, match="已提交"), transaction(guide.db.factory) as session:
        applications.save_draft(session, citizen, raw(person()), application_id=application_id)


def test_submission_needs_a_pre_review_first(guide: Setting) -> None:
    application_id = _draft(guide)
    with pytest.raises(IllegalTransition, match="请先进行智能预审"), transaction(guide.db.factory) as session:
        applications.submit(session, guide.user("t_citizen"), application_id, TODAY)


def test_bad_input_writes_nothing(guide: Setting) -> None:
    with pytest.raises(InvalidInput), transaction(guide.db.factory) as session:
        applications.save_draft(
            session,
            guide.user("t_citizen"),
            raw(person(), [{"name": "身份证", "form": "扫描件"}]),
            item_code=GUARD.code,
        )
    with pytest.raises(NotFound), transaction(guide.db.factory) as session:
        applications.save_draft(session, guide.user("t_citizen"), raw(person()), item_code="NO-SUCH-ITEM")
    assert _count(guide.db, ServiceApplication) == 0 and _events(guide.db, "application.created") == []


def test_a_stale_version_is_a_conflict(guide: Setting) -> None:
    application_id = _draft(guide)
    with pytest.raises(Conflict), transaction(guide.db.factory) as session:
        applications.run_pre_review(
            session, guide.user("t_citizen"), application_id, TODAY, expected_version=9
        )


def test_an_item_withdrawn_after_the_draft(guide: Setting) -> None:
    application_id = _draft(guide)
    clean_items_only = (
        "DELETE FROM service_materials WHERE item_id IN (SELECT id FROM service_items WHERE code = :c)"
    )
    with guide.db.engine.begin() as connection:
        connection.execute(text(clean_items_only), {"c": GUARD.code})
        connection.execute(text("DELETE FROM service_items WHERE code = :c"), {"c": GUARD.code})
    with pytest.raises(NotFound, match="已不在服务事项库中"), transaction(guide.db.factory) as session:
        applications.run_pre_review(session, guide.user("t_citizen"), application_id, TODAY)


# --- who may act for whom ------------------------------------------------------------------------


def test_an_applicant_sees_only_their_own(guide: Setting) -> None:
    mine = _draft(guide, "t_citizen")
    theirs = _draft(guide, "t_citizen2")
    citizen = guide.user("t_citizen")
    with reading(guide.db.factory) as session:
        listed = applications.list_applications(session, citizen)
        assert [a.id for a in listed.items] == [mine] and listed.total == 1
        with pytest.raises(NotFound):
            applications.get_application(session, citizen, theirs)
        with pytest.raises(PermissionDenied):
            applications.list_applications(session, citizen, applicant_id=guide.user("t_citizen2").id)
        with pytest.raises(PermissionDenied):
            application_prefill.prefill(
                session, citizen, GUARD.code, applicant_id=guide.user("t_citizen2").id
            )
    with pytest.raises(NotFound), transaction(guide.db.factory) as session:
        applications.run_pre_review(session, citizen, theirs, TODAY)


@pytest.mark.parametrize("username", ["leader", "operator", "policy"])
def test_staff_without_the_permissions_are_refused(guide: Setting, username: str) -> None:
    application_id = _draft(guide)
    staff = guide.user(username)
    with reading(guide.db.factory) as session:
        for call in (
            lambda: application_prefill.prefill(session, staff, GUARD.code),
            lambda: applications.get_application(session, staff, application_id),
            lambda: applications.list_applications(session, staff),
            lambda: application_profiles.get_profile(session, staff),
        ):
            with pytest.raises(PermissionDenied):
                call()
    with pytest.raises(PermissionDenied), transaction(guide.db.factory) as session:
        applications.save_draft(session, staff, raw(person()), item_code=GUARD.code)


def test_an_officer_acts_for_an_applicant(guide: Setting) -> None:
    officer, citizen = guide.user("t_guide"), guide.user("t_citizen")
    with transaction(guide.db.factory) as session:
        application_profiles.save_profile(session, officer, "person", PERSON_VALUES, applicant_id=citizen.id)
    application_id = _draft(guide, "t_guide", applicant_id=citizen.id)
    with reading(guide.db.factory) as session:
        row = session.get_one(ServiceApplication, application_id)
        assert row.user_id == citizen.id and row.created_by_id == officer.id
        shown = application_presenters.application_json(row, officer)
        assert shown["values"]["id_number"] == ID_NUMBER  # 政务服务专员 holds pii.view
        assert [a.id for a in applications.list_applications(session, officer).items] == [application_id]
        assert (
            applications.list_applications(session, officer, applicant_id=guide.user("t_citizen2").id).total
            == 0
        )
        # The applicant sees what the officer made in their name.
        assert applications.get_application(session, citizen, application_id).id == application_id
    (event,) = _events(guide.db, "application.created")
    assert event.actor_id == officer.id and event.data["for_user_id"] == citizen.id


def test_an_officer_must_name_an_applicant(guide: Setting) -> None:
    officer = guide.user("t_guide")
    with pytest.raises(InvalidInput), reading(guide.db.factory) as session:
        application_prefill.prefill(session, officer, GUARD.code)
    with pytest.raises(NotFound, match="未找到该办事人"), reading(guide.db.factory) as session:
        application_prefill.prefill(session, officer, GUARD.code, applicant_id=guide.user("leader").id)


def test_only_applicants_apply_in_their_own_name_the_admin_helps_them(guide: Setting) -> None:
    """APPLY is the 办事人's; the admin, holding every other permission, acts for an applicant (帮办)
    like a 政务服务专员 and keeps no applications of their own."""
    assert [role for role in Role if has_permission(role, Permission.APPLY)] == [Role.APPLICANT]
    assert has_permission(Role.ADMIN, Permission.APPLICATION_ASSIST)
    admin, citizen = guide.user("admin"), guide.user("t_citizen")
    with pytest.raises(InvalidInput, match="请选择要帮办的办事人"), transaction(guide.db.factory) as session:
        applications.save_draft(session, admin, raw(person()), item_code=GUARD.code)
    with pytest.raises(InvalidInput, match="请选择要帮办的办事人"), reading(guide.db.factory) as session:
        application_profiles.get_profile(session, admin)
    application_id = _draft(guide, "admin", applicant_id=citizen.id)
    with reading(guide.db.factory) as session:
        assert session.get_one(ServiceApplication, application_id).user_id == citizen.id
        assert [a.id for a in applications.list_applications(session, admin).items] == [application_id]


def test_an_enterprise_applies_with_its_own_form(guide: Setting) -> None:
    company = guide.user("t_enterprise")
    application_id = _draft(
        guide, "t_enterprise", enterprise(), materials=SHOP_MATERIALS, item=SHOP.code, kind="enterprise"
    )
    with transaction(guide.db.factory) as session:
        reviewed, findings = applications.run_pre_review(session, company, application_id, TODAY)
        assert reviewed.kind == "enterprise" and findings == []
    with transaction(guide.db.factory) as session:
        assert applications.submit(session, company, application_id, TODAY).status == "submitted"
    # A person's form for the enterprise-only item is refused at the pre-review, not at saving.
    person_id = _draft(guide, "t_citizen", person(SHOP), materials=SHOP_MATERIALS, item=SHOP.code)
    with transaction(guide.db.factory) as session:
        _, findings = applications.run_pre_review(session, guide.user("t_citizen"), person_id, TODAY)
    assert [f.code for f in findings if f.severity.value == "错误"] == ["condition.applicant_kind"]
    # Fields of the other kind of form are no fields of this one.
    with pytest.raises(InvalidInput), transaction(guide.db.factory) as session:
        applications.save_draft(session, company, raw(enterprise(), SHOP_MATERIALS), item_code=SHOP.code)


# --- the demo ------------------------------------------------------------------------------------


def test_the_demo_gives_each_applicant_a_profile_and_a_submitted_application(guide: Setting) -> None:
    db = guide.db
    with transaction(db.factory) as session:
        for demo in application_demo.DEMO_APPLICANTS:
            if session.scalar(select(User.id).where(User.username == demo.username)) is None:
                create_user(session, username=demo.username, password="demo-password-1", role=Role.APPLICANT)
    guide_demo.load_demo(db.factory)
    try:
        report = application_demo.load_demo(db.factory)
        assert (report.profiles, report.applications, report.skipped) == (2, 2, [])
        again = application_demo.load_demo(db.factory)
        assert (again.profiles, again.applications) == (0, 0)
        with reading(db.factory) as session:
            citizen = session.scalars(select(User).where(User.username == "citizen")).one()
            found = application_prefill.prefill(session, citizen, "SAMPLE-LG-0016")
            statuses = {a.status for a in session.scalars(select(ServiceApplication))}
        assert statuses == {"submitted"}
        assert found.sources["id_number"] == "个人资料"
        assert any(
            source.endswith("申请「灵活就业人员参保登记（示例）」") for source in found.material_sources
        )
    finally:
        clean(db)
        with db.engine.begin() as connection:
            samples = "SELECT id FROM service_items WHERE code LIKE 'SAMPLE-LG-%'"
            for table in ("service_materials", "service_faqs"):
                connection.execute(text(f"DELETE FROM {table} WHERE item_id IN ({samples})"))
            connection.execute(text("DELETE FROM service_items WHERE code LIKE 'SAMPLE-LG-%'"))
