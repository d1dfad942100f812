"""Use cases of the organisation: users, login, API tokens, reference look-ups."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhengshu import audit
from zhengshu.clock import now
from zhengshu.errors import InvalidInput, NotFound
from zhengshu.org.models import ApiToken, Community, Department, Street, User
from zhengshu.org.passwords import hash_password, verify_password
from zhengshu.org.roles import Role

MIN_PASSWORD_LENGTH = 8


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: Role,
    display_name: str | None = None,
    department_code: str | None = None,
    actor: User | None = None,
) -> User:
    username = username.strip()
    if not username:
        raise InvalidInput("用户名不能为空", errors={"username": "用户名不能为空"})
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"密码至少 {MIN_PASSWORD_LENGTH} 位", errors={"password": "密码太短"})
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise InvalidInput(f"用户名 {username} 已存在", errors={"username": "已存在"})
    department = None
    if department_code:
        department = session.scalar(select(Department).where(Department.code == department_code))
        if department is None:
            raise InvalidInput(f"未知部门代码 {department_code}", errors={"department": "未知部门"})
    if role is Role.HANDLER and department is None:
        raise InvalidInput("承办人必须属于一个部门或街道", errors={"department": "承办人必须指定部门"})
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=hash_password(password),
        role=role.value,
        department=department,
        is_active=True,
        created_at=now(),
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        "user.created",
        "user",
        user.id,
        actor_id=actor.id if actor else None,
        actor_label=actor.display_name if actor else "系统",
        data={"username": username, "role": role.value},
    )
    return user


@cache
def _absent_user_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def authenticate(session: Session, username: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        # Verify anyway, so an unknown username takes as long as a wrong password.
        verify_password(_absent_user_hash(), password)
        return None
    if not verify_password(user.password_hash, password) or not user.is_active:
        return None
    return user


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user: User, days: int) -> str:
    token = secrets.token_urlsafe(32)
    moment = now()
    row = ApiToken(
        user_id=user.id,
        token_hash=_token_digest(token),
        created_at=moment,
        expires_at=moment + timedelta(days=days),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        "user.token_issued",
        "user",
        user.id,
        actor_id=user.id,
        actor_label=user.display_name,
        data={"token_id": row.id, "expires_at": row.expires_at.isoformat()},
        at=moment,
    )
    return token


def user_for_token(session: Session, token: str) -> User | None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_digest(token)))
    if row is None or row.expires_at < now() or not row.user.is_active:
        return None
    return row.user


def get_user(session: Session, user_id: int) -> User | None:
    user = session.get(User, user_id)
    return user if user is not None and user.is_active else None


def streets(session: Session) -> list[Street]:
    return list(session.scalars(select(Street).order_by(Street.code)))


def departments(session: Session) -> list[Department]:
    return list(session.scalars(select(Department).order_by(Department.kind, Department.id)))


def find_street(session: Session, name_or_code: str) -> Street:
    key = name_or_code.strip()
    street = session.scalar(select(Street).where((Street.name == key) | (Street.code == key)))
    if street is None and key and not key.endswith("街道"):
        street = session.scalar(select(Street).where(Street.name == key + "街道"))
    if street is None:
        raise NotFound(f"龙岗区没有名为“{key}”的街道", errors={"street": "未知街道"})
    return street


def find_community(session: Session, street: Street, name_or_code: str) -> Community:
    """A community is resolved within its street: 凤凰社区 exists in two streets."""
    key = name_or_code.strip()
    names = {key, key + "社区"} if not key.endswith("社区") else {key}
    community = session.scalar(
        select(Community).where(
            Community.street_id == street.id, (Community.name.in_(names)) | (Community.code == key)
        )
    )
    if community is None:
        raise NotFound(f"{street.name}没有名为“{key}”的社区", errors={"community": "未知社区"})
    return community


def find_department(session: Session, code: str) -> Department:
    department = session.scalar(select(Department).where(Department.code == code))
    if department is None:
        raise NotFound(f"未知部门代码 {code}", errors={"department": "未知部门"})
    return department
