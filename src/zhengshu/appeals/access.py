"""Who may read an appeal and see its personal information."""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, or_, select, true

from zhengshu.appeals.models import Appeal, CoHandler
from zhengshu.errors import NotFound
from zhengshu.org.models import User
from zhengshu.org.roles import Permission, has_permission


def department_ids(appeal: Appeal) -> set[int]:
    ids = {c.department_id for c in appeal.co_handlers}
    if appeal.lead_department_id is not None:
        ids.add(appeal.lead_department_id)
    return ids


def can_read(user: User, appeal: Appeal) -> bool:
    if has_permission(user.role, Permission.APPEAL_READ_ALL):
        return True
    return user.department_id is not None and user.department_id in department_ids(appeal)


def can_see_pii(user: User | None, appeal: Appeal) -> bool:
    return user is not None and has_permission(user.role, Permission.PII_VIEW) and can_read(user, appeal)


def readable_by(user: User) -> ColumnElement[bool]:
    """The SQL condition matching the appeals the user may read."""
    if has_permission(user.role, Permission.APPEAL_READ_ALL):
        return true()
    if user.department_id is None:
        return Appeal.id.is_(None)
    co_handled = exists(
        select(CoHandler.id).where(
            CoHandler.appeal_id == Appeal.id, CoHandler.department_id == user.department_id
        )
    )
    return or_(Appeal.lead_department_id == user.department_id, co_handled)


def get_readable(session_get: Appeal | None, user: User) -> Appeal:
    """Not readable looks exactly like not found: a handler learns nothing of other departments."""
    if session_get is None or not can_read(user, session_get):
        raise NotFound("诉求不存在或无权查看")
    return session_get
