"""Request dependencies: the session factory, the current user (bearer token or page session)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from zhengshu.appeals.rules import AppealRules
from zhengshu.db import transaction
from zhengshu.errors import DomainError, PermissionDenied
from zhengshu.org.models import User
from zhengshu.org.roles import Permission, has_permission
from zhengshu.org.services import get_user, user_for_token
from zhengshu.settings import Settings


class NotAuthenticated(DomainError):
    code = "unauthenticated"


def factory(request: Request) -> sessionmaker[Session]:
    result: sessionmaker[Session] = request.app.state.factory
    return result


def rules(request: Request) -> AppealRules:
    result: AppealRules = request.app.state.rules
    return result


def settings(request: Request) -> Settings:
    result: Settings = request.app.state.settings
    return result


def optional_user(request: Request) -> User | None:
    """The bearer token's user, else the page session's user, else None."""
    sessions = factory(request)
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token:
        with transaction(sessions) as session:
            user = user_for_token(session, token.strip())
        if user is None:
            raise NotAuthenticated("访问令牌无效或已过期，请重新登录")
        return user
    user_id = request.session.get("user_id") if "session" in request.scope else None
    if isinstance(user_id, int):
        with transaction(sessions) as session:
            return get_user(session, user_id)
    return None


def current_user(user: Annotated[User | None, Depends(optional_user)]) -> User:
    if user is None:
        raise NotAuthenticated("请先登录")
    return user


def require(user: User, permission: Permission) -> None:
    if not has_permission(user.role, permission):
        raise PermissionDenied("当前账号无权执行此操作")


Factory = Annotated[sessionmaker[Session], Depends(factory)]
Rules = Annotated[AppealRules, Depends(rules)]
CurrentUser = Annotated[User, Depends(current_user)]
OptionalUser = Annotated[User | None, Depends(optional_user)]
