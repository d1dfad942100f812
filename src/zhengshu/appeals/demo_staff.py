"""The staff of the demo: a login per role, and the users who act in the demo appeals.

Handlers of the departments without a demo login act through `staff_<code>` accounts, so that a
timeline names the department that really handled an appeal.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhengshu import audit
from zhengshu.appeals.demo_people import staff_name
from zhengshu.clock import now
from zhengshu.errors import InvalidInput
from zhengshu.org.models import Department, User
from zhengshu.org.passwords import hash_password, verify_password
from zhengshu.org.roles import Role
from zhengshu.org.services import create_user

DEMO_PASSWORD = "zhengshu-demo"
# Departments without a demo login act through these accounts (same password), so a timeline
# names the department that really handled the appeal instead of the administrator.
STAFF_USERNAME = "staff_{code}"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    display_name: str
    department_code: str | None = None


DEMO_ACCOUNTS = (
    DemoAccount("operator", Role.HOTLINE_OPERATOR, "陈晓雯"),
    DemoAccount("dispatcher", Role.DISPATCHER, "林志强"),
    DemoAccount("handler", Role.HANDLER, "黄建国", "zjj"),
    DemoAccount("handler_cgj", Role.HANDLER, "刘海燕", "cgj"),
    DemoAccount("handler_pinghu", Role.HANDLER, "钟伟明", "jd003"),
    DemoAccount("reviewer", Role.REVIEWER, "何丽娟"),
    DemoAccount("supervisor", Role.SUPERVISOR, "郑国华"),
    DemoAccount("leader", Role.LEADER, "王振东"),
    DemoAccount("policy", Role.POLICY_OFFICER, "苏文静"),
    DemoAccount("guide", Role.GUIDE_OFFICER, "梁思敏"),
    # 办事人: a citizen and an enterprise, with a demo profile and an earlier application each
    # (zhengshu.guide.application_demo).
    DemoAccount("citizen", Role.APPLICANT, "陈志明"),
    DemoAccount("enterprise", Role.APPLICANT, "示例餐饮管理有限公司"),
    DemoAccount("admin", Role.ADMIN, "邓凯"),
)
KEPT_PASSWORD = "（账号已存在，沿用原密码）"


class DemoLogin(NamedTuple):
    """A row of the login table: username, role label, department name, password."""

    username: str
    role: str
    department: str
    password: str


def ensure_logins(session: Session) -> tuple[list[DemoLogin], int]:
    logins: list[DemoLogin] = []
    created = 0
    for account in DEMO_ACCOUNTS:
        user = session.scalar(select(User).where(User.username == account.username))
        if user is None:
            user = create_user(
                session,
                username=account.username,
                password=DEMO_PASSWORD,
                role=account.role,
                display_name=account.display_name,
                department_code=account.department_code,
            )
            created += 1
            password = DEMO_PASSWORD
        else:
            password = _login_password(user, account)
        department = user.department.name if user.department else ""
        logins.append(DemoLogin(user.username, Role(user.role).label, department, password))
    return logins, created


def _login_password(user: User, account: DemoAccount) -> str:
    """The demo password if an existing account still has it. Only accounts that look made by an
    earlier load are checked: a check costs as much as hashing, and other accounts never have it."""
    if user.display_name == account.display_name and verify_password(user.password_hash, DEMO_PASSWORD):
        return DEMO_PASSWORD
    return KEPT_PASSWORD


class StaffPassword:
    """The demo password hashed once per load, for all the staff accounts it creates."""

    @cached_property
    def hash(self) -> str:
        return hash_password(DEMO_PASSWORD)


class Cast:
    """The staff who act in the demo: one user per centre role, one handler per department."""

    def __init__(self, session: Session, staff_password: StaffPassword) -> None:
        self.session = session
        self.staff_password = staff_password
        self.operator = self._by_role(Role.HOTLINE_OPERATOR, "operator")
        self.dispatcher = self._by_role(Role.DISPATCHER, "dispatcher")
        self.reviewer = self._by_role(Role.REVIEWER, "reviewer")
        self.supervisor = self._by_role(Role.SUPERVISOR, "supervisor")
        self._handlers: dict[str, User] = {}
        self.created = 0

    def _by_role(self, role: Role, username: str) -> User:
        query = (
            select(User)
            .where(User.role == role.value, User.is_active.is_(True))
            .order_by((User.username == username).desc(), User.id)
        )
        user = self.session.scalars(query.limit(1)).first()
        if user is None:
            raise InvalidInput(f"没有可用的{role.label}账号，无法载入演示数据")
        return user

    def handler(self, code: str) -> User:
        user = self._handlers.get(code)
        if user is None:
            user = self._existing_handler(code) or self._new_staff(code)
            self._handlers[code] = user
        return user

    def _existing_handler(self, code: str) -> User | None:
        demo = [a.username for a in DEMO_ACCOUNTS if a.department_code == code]
        query = (
            select(User)
            .join(Department, User.department_id == Department.id)
            .where(Department.code == code, User.role == Role.HANDLER.value, User.is_active.is_(True))
            .order_by(User.username.in_(demo).desc(), User.id)
        )
        return self.session.scalars(query.limit(1)).first()

    def _new_staff(self, code: str) -> User:
        """A handler account for the department, with the demo password.

        Not made with create_user: it would hash the password once per department, which with
        twenty-odd departments costs more than loading all the appeals. The accounts share one
        hash instead, and get the same audit event."""
        department = self.session.scalar(select(Department).where(Department.code == code))
        if department is None:
            raise InvalidInput(f"未知部门代码 {code}")
        user = User(
            username=STAFF_USERNAME.format(code=code),
            display_name=staff_name(code),
            password_hash=self.staff_password.hash,
            role=Role.HANDLER.value,
            department=department,
            is_active=True,
            created_at=now(),
        )
        self.session.add(user)
        self.session.flush()
        audit.record(
            self.session,
            "user.created",
            "user",
            user.id,
            actor_id=None,
            actor_label="演示数据",
            data={"username": user.username, "role": user.role},
        )
        self.created += 1
        return user
