"""Items, applicants and filled-in forms shared by the tests of pre-fill, pre-review and applications."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, text
from tests.conftest import PASSWORD, Database

from zhengshu.db import transaction
from zhengshu.guide.application_fields import ApplicantKind, form_fields
from zhengshu.guide.importing import import_items
from zhengshu.guide.records import ItemRecord, Material
from zhengshu.org.models import User
from zhengshu.org.roles import Role
from zhengshu.org.services import create_user

GUARD = ItemRecord(
    code="TEST-G1",
    name="保安员证核发（测试）",
    department="测试区公安分局",
    conditions="年满18周岁，身体健康，具有初中以上学历的中国公民。",
    consult_phone="0755-28900000",
    promised_limit_days=10,
    materials=(
        Material("居民身份证", form="原件和复印件", medium="纸质"),
        Material("6个月内二寸免冠正面半身照片", medium="纸质"),
        Material("学历证明", form="原件"),
        Material("申请人未满16周岁未办理身份证的交验户口簿"),
    ),
)
SHOP = ItemRecord(
    code="TEST-S1",
    name="食品经营许可证核发（测试）",
    department="测试区市场监督管理局",
    conditions="申请人应为依法登记注册的企业。",
    materials=(Material("营业执照", form="复印件"), Material("食品安全管理制度")),
)
MARRIAGE = ItemRecord(
    code="TEST-M1",
    name="结婚登记预约（测试）",
    department="测试区民政局",
    conditions="3.当事人男方年满22周岁，女方年满20周岁；",
)
ITEMS = (GUARD, SHOP, MARRIAGE)

# 440307 + 19900101 + 123 + check digit 2: a man (3 is odd) born on 1 January 1990.
ID_NUMBER = "440307199001011232"
CREDIT_CODE = "91440300MA5DC6QXXA"

PERSON_VALUES = {
    "name": "陈大文",
    "id_type": "居民身份证",
    "id_number": ID_NUMBER,
    "sex": "男",
    "birth_date": "1990-01-01",
    "mobile": "13800138000",
    "address": "深圳市龙岗区龙城街道",
}
ENTERPRISE_VALUES = {
    "company_name": "深圳市龙岗区示例食品有限公司",
    "credit_code": CREDIT_CODE,
    "legal_rep": "李明",
    "legal_rep_id_number": ID_NUMBER,
    "contact": "王芳",
    "contact_phone": "0755-28901234",
    "established_on": "2018-03-01",
    "term_start": "2018-03-01",
    "term_end": "长期",
}
GUARD_MATERIALS = [
    {"name": "身份证", "form": "原件和复印件", "medium": "纸质", "valid_until": "2036-01-01"},
    {"name": "照片", "medium": "纸质", "issued_on": "2026-10-01"},
    {"name": "毕业证书", "form": "原件"},
]
SHOP_MATERIALS = [{"name": "营业执照副本", "form": "复印件"}, {"name": "食品安全管理制度"}]

# Accounts these tests add to the session's database (tests.conftest makes the staff).
APPLICANTS = {
    "t_citizen": (Role.APPLICANT, "陈大文"),
    "t_citizen2": (Role.APPLICANT, "林小梅"),
    "t_enterprise": (Role.APPLICANT, "示例食品公司"),
    "t_guide": (Role.GUIDE_OFFICER, "周敏"),
}


def answers(
    item: ItemRecord, kind: ApplicantKind = ApplicantKind.PERSON, answer: str = "是"
) -> dict[str, str]:
    """Every condition question of the item answered the same way."""
    return {f.name: answer for f in form_fields(item, kind) if f.condition is not None}


def person(item: ItemRecord = GUARD, **values: str) -> dict[str, str]:
    return {**PERSON_VALUES, **answers(item), **values}


def enterprise(item: ItemRecord = SHOP, **values: str) -> dict[str, str]:
    return {**ENTERPRISE_VALUES, **answers(item, ApplicantKind.ENTERPRISE), **values}


def ensure_applicants(db: Database) -> dict[str, User]:
    """The applicant and officer accounts, made once per database, detached."""
    with transaction(db.factory) as session:
        for username, (role, name) in APPLICANTS.items():
            if session.scalar(select(User.id).where(User.username == username)) is None:
                create_user(session, username=username, password=PASSWORD, role=role, display_name=name)
    with db.factory() as session:
        users = {u.username: u for u in session.scalars(select(User).where(User.username.in_(APPLICANTS)))}
        session.expunge_all()
    return users


def load_items(db: Database, items: tuple[ItemRecord, ...] = ITEMS) -> None:
    with transaction(db.factory) as session:
        report = import_items(session, list(items), None, source="测试")
        assert report.ok, report.rows


def clean(db: Database) -> None:
    """Remove what these tests wrote: applications, profiles and the test items."""
    with db.engine.begin() as connection:
        connection.execute(text("DELETE FROM applications"))
        connection.execute(text("DELETE FROM applicant_profiles"))
        codes = ", ".join(f"'{item.code}'" for item in ITEMS)
        ids = f"SELECT id FROM service_items WHERE code IN ({codes})"
        connection.execute(text(f"DELETE FROM service_materials WHERE item_id IN ({ids})"))
        connection.execute(text(f"DELETE FROM service_faqs WHERE item_id IN ({ids})"))
        connection.execute(text(f"DELETE FROM service_items WHERE code IN ({codes})"))


def raw(
    values: dict[str, str], materials: list[dict[str, str]] | None = None, kind: str = "person"
) -> dict[str, Any]:
    return {"kind": kind, "values": values, "materials": list(materials or [])}
