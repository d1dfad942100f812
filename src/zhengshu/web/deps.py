"""Request dependencies: the session factory, the current user (bearer token or page session), and
the one CSRF rule of the JSON API."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from zhengshu.appeals.rules import AppealRules
from zhengshu.db import reading
from zhengshu.errors import DomainError, PermissionDenied
from zhengshu.org.models import User
from zhengshu.org.roles import Permission, has_permission
from zhengshu.org.services import get_user, user_for_token
from zhengshu.settings import Settings
from zhengshu.web import csrf

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# An API upload form holds one file and a few fields (the CSRF token among them). The parsed form
# is cached on the request, so whoever reads it first sets these limits for the route: the CSRF
# check and the routes that read forms use the same ones.
MAX_FORM_FILES = 1
MAX_FORM_FIELDS = 10


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


def bearer_token(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def optional_user(request: Request) -> User | None:
    """The bearer token's user, else the page session's user, else None.

    No CSRF check here: pages check the token of each form they read (and show the form again
    when it fails); the JSON API goes through `api_user`."""
    sessions = factory(request)
    token = bearer_token(request)
    if token is not None:
        with reading(sessions) as session:
            user = user_for_token(session, token)
            # Detached before the read is rolled back, which would expire what it loaded.
            session.expunge_all()
        if user is None:
            raise NotAuthenticated("访问令牌无效或已过期，请重新登录")
        return user
    user_id = request.session.get("user_id") if "session" in request.scope else None
    if isinstance(user_id, int):
        with reading(sessions) as session:
            user = get_user(session, user_id)
            session.expunge_all()
        return user
    return None


async def check_csrf(request: Request) -> None:
    """A browser session's unsafe request shows the page's token: in the X-CSRF-Token header, or
    for a multipart upload in its csrf_token field. Another site can make the browser send the
    session cookie, but can read neither the token nor the page that holds it."""
    if csrf.is_valid(request, request.headers.get(csrf.HEADER)):
        return
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        form = await request.form(max_files=MAX_FORM_FILES, max_fields=MAX_FORM_FIELDS)
        if csrf.is_valid(request, form.get(csrf.FIELD)):
            return
        await form.close()
    raise csrf.CsrfRejected()


async def api_user(request: Request) -> User | None:
    """The JSON API's user. A bearer token is no cookie another site could ride on; a request
    authenticated by the page session with an unsafe method must carry the CSRF token."""
    user = await run_in_threadpool(optional_user, request)
    if user is not None and bearer_token(request) is None and request.method in UNSAFE_METHODS:
        await check_csrf(request)
    return user


def current_user(user: Annotated[User | None, Depends(api_user)]) -> User:
    if user is None:
        raise NotAuthenticated("请先登录")
    return user


def require(user: User, permission: Permission) -> None:
    if not has_permission(user.role, permission):
        raise PermissionDenied("当前账号无权执行此操作")


Factory = Annotated[sessionmaker[Session], Depends(factory)]
Rules = Annotated[AppealRules, Depends(rules)]
CurrentUser = Annotated[User, Depends(current_user)]
OptionalUser = Annotated[User | None, Depends(api_user)]
