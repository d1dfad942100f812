"""Session login and logout for the staff pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from zhengshu.db import transaction
from zhengshu.org import services
from zhengshu.org.models import User
from zhengshu.web import csrf
from zhengshu.web.deps import Factory
from zhengshu.web.pages_base import CheckedForm, PageRoute, flash, page_user, redirect, render, safe_next
from zhengshu.web.ratelimit import limit_failed_logins

router = APIRouter(route_class=PageRoute, include_in_schema=False)

LOGIN_FAILED = "用户名或密码错误"


def _authenticate(factory: sessionmaker[Session], username: str, password: str) -> User | None:
    with transaction(factory) as session:
        return services.authenticate(session, username, password)


@router.get("/login")
def login_form(
    request: Request, next_path: Annotated[str, Query(alias="next", max_length=500)] = "/"
) -> Response:
    target = safe_next(next_path)
    if page_user(request) is not None:
        return redirect(target)
    return render(request, "login.html", {"next": target, "username": "", "error": None})


@router.post("/login")
@limit_failed_logins
async def login(request: Request, factory: Factory) -> Response:
    form = await request.form()
    username = str(form.get("username") or "").strip()[:64]
    password = str(form.get("password") or "")[:256]
    target = safe_next(form.get("next"))
    context = {"next": target, "username": username, "error": LOGIN_FAILED}
    if not csrf.is_valid(request, form.get(csrf.FIELD)):
        context["error"] = "登录页面已过期，请重新输入"
        return render(request, "login.html", context, status_code=403)
    if not username or not password:
        return render(request, "login.html", context, status_code=401)
    # Password hashing is slow on purpose: keep it off the event loop.
    user = await run_in_threadpool(_authenticate, factory, username, password)
    if user is None:
        return render(request, "login.html", context, status_code=401)
    # A new session at login: nothing from before (token, flashes) carries over.
    request.session.clear()
    request.session["user_id"] = user.id
    csrf.rotate(request)
    flash(request, f"欢迎，{user.display_name}")
    return redirect(target)


@router.post("/logout")
def logout(request: Request, _: CheckedForm) -> Response:
    request.session.clear()
    flash(request, "已退出登录")
    return redirect("/login")
