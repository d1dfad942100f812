"""Who may act for whom on applications, and the audit record of what they did.

An applicant (办事人, application.apply) works on their own profile and applications only; a
政务服务专员 (application.assist) may act for any applicant (帮办) and read their applications;
everybody else is refused. Another applicant's application looks exactly like one that does not
exist. An officer's action for an applicant is audited with the applicant's id."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from zhengshu import audit
from zhengshu.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from zhengshu.guide.application_models import ServiceApplication
from zhengshu.org.models import User
from zhengshu.org.roles import Permission, Role, has_permission

__all__ = [
    "applicant_of",
    "applies",
    "assists",
    "find_applicant",
    "flush",
    "may_apply",
    "may_read",
    "record_action",
    "sees_pii",
]


def assists(user: User) -> bool:
    return has_permission(user.role, Permission.APPLICATION_ASSIST)


def applies(user: User) -> bool:
    return has_permission(user.role, Permission.APPLY)


def _applicant(session: Session, actor: User, applicant_id: int | None) -> User:
    """The account the actor works for: their own, or (帮办) the applicant's they name."""
    if applicant_id is None or applicant_id == actor.id:
        if applies(actor):
            return actor
        if assists(actor):
            raise InvalidInput("请选择要帮办的办事人", errors={"applicant": "必填"})
        raise PermissionDenied("当前账号无权办理申请（需办事人账号）")
    if not assists(actor):
        if applies(actor):
            raise PermissionDenied("只能查看和办理本人的申请")
        raise PermissionDenied("当前账号无权办理申请（需办事人账号）")
    target = session.get(User, applicant_id)
    if target is None or not target.is_active or target.role != Role.APPLICANT.value:
        raise NotFound("未找到该办事人")
    return target


def may_apply(user: User | None) -> bool:
    """Whether the user may keep applications: an applicant, or an officer helping one."""
    return user is not None and (applies(user) or assists(user))


def find_applicant(session: Session, actor: User, username: str) -> User:
    """An applicant's account by its username, for an officer about to help them (帮办)."""
    if not assists(actor):
        raise PermissionDenied("只有政务服务专员可以帮办")
    wanted = username.strip()[:64]
    target = session.scalar(select(User).where(User.username == wanted)) if wanted else None
    if target is None or not target.is_active or target.role != Role.APPLICANT.value:
        raise NotFound(f"未找到办事人账号“{wanted}”")
    return target


def applicant_of(session: Session, actor: User, applicant_id: int | None) -> User:
    """The account the actor works for (their own, or the applicant an officer names)."""
    return _applicant(session, actor, applicant_id)


def may_read(actor: User, application: ServiceApplication) -> bool:
    return application.user_id == actor.id or assists(actor)


def sees_pii(actor: User, owner_id: int) -> bool:
    return owner_id == actor.id or has_permission(actor.role, Permission.PII_VIEW)


def _label(actor: User) -> str:
    return actor.display_name


def record_action(
    session: Session, action: str, subject: str, subject_id: int, actor: User, owner: int, **data: Any
) -> None:
    if owner != actor.id:
        data["for_user_id"] = owner  # 帮办: the officer acted for the applicant
    audit.record(
        session, action, subject, subject_id, actor_id=actor.id, actor_label=_label(actor), data=data
    )


def flush(session: Session, message: str) -> None:
    """Flush, a concurrent change (a stale version) answered as a Conflict saying ``message``."""
    try:
        session.flush()
    except StaleDataError:
        raise Conflict(message) from None
