"""What every HTML page shares: templates, the logged-in user, navigation by role, flash messages,
and a route class that turns errors into Chinese pages instead of JSON problems."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode, urlsplit

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException as StarletteHTTPException

from zhengshu.appeals import overdue
from zhengshu.appeals.models import Appeal
from zhengshu.appeals.presenters import appeal_summary
from zhengshu.appeals.queries import Page, may_open_queue
from zhengshu.clock import local, now
from zhengshu.errors import DomainError, PermissionDenied
from zhengshu.org.models import User
from zhengshu.org.roles import Permission, Role, has_permission
from zhengshu.web import csrf
from zhengshu.web.deps import NotAuthenticated, optional_user
from zhengshu.web.problems import TITLES, status_for

log = logging.getLogger("zhengshu.web.pages")

WEB = Path(__file__).parent
HTMX_VERSION = "2.0.11"
ECHARTS_VERSION = "6.1.0"
SITE_NAME = "龙岗区民生诉求服务平台"
FLASH_KEY = "flash"
# Pages carry personal data and action forms: never cached, never framed by another site.
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
    ),
}


def _moment(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return local(value) if isinstance(value, datetime) else None


def format_when(value: Any) -> str:
    moment = _moment(value)
    return moment.strftime("%Y-%m-%d %H:%M") if moment else ""


templates = Jinja2Templates(directory=WEB / "templates")
templates.env.filters["when"] = format_when
templates.env.globals["site_name"] = SITE_NAME
templates.env.globals["htmx_src"] = f"/static/vendor/htmx-{HTMX_VERSION}/htmx.min.js"
templates.env.globals["echarts_src"] = f"/static/vendor/echarts-{ECHARTS_VERSION}/echarts.min.js"


class LoginRequired(Exception):
    """Raised by the staff_user dependency; the page route answers with a redirect to /login."""


def page_user(request: Request) -> User | None:
    try:
        return optional_user(request)
    except NotAuthenticated:
        return None


def is_applicant(user: User) -> bool:
    """A citizen's or an enterprise's account (办事人): their own pages, none of the staff's."""
    return Role(user.role) is Role.APPLICANT


def signed_in_user(request: Request) -> User:
    user = page_user(request)
    if user is None:
        raise LoginRequired
    return user


def staff_user(request: Request) -> User:
    user = signed_in_user(request)
    if is_applicant(user):
        raise PermissionDenied("当前账号无权访问工作人员页面")
    return user


async def posted_form(request: Request) -> FormData:
    """The posted form, unchecked: for pages that answer a bad token by showing the form again."""
    return await request.form()


StaffUser = Annotated[User, Depends(staff_user)]
# Any account, an applicant's too: for the pages applicants use.
SignedInUser = Annotated[User, Depends(signed_in_user)]
CheckedForm = Annotated[FormData, Depends(csrf.checked_form)]
PostedForm = Annotated[FormData, Depends(posted_form)]


@dataclass(frozen=True)
class Feature:
    key: str
    label: str
    path: str
    allowed: Callable[[User], bool]


def _permitted(permission: Permission) -> Callable[[User], bool]:
    return lambda user: has_permission(user.role, permission)


def _queue(name: str) -> Callable[[User], bool]:
    return lambda user: may_open_queue(user, name)


def _staff(user: User) -> bool:
    return not is_applicant(user)


# Where an applicant lands after login: their applications.
APPLICANT_HOME = "/guide/applications"

# What each feature needs is said in zhengshu.org.roles (and the queues' table in
# zhengshu.appeals.queries): the menu only asks.
FEATURES = (
    Feature("intake", "登记诉求", "/appeals/new", _permitted(Permission.APPEAL_CREATE)),
    Feature("import", "批量导入", "/appeals/import", _permitted(Permission.APPEAL_IMPORT)),
    Feature("dispatch", "待分拨", "/queues/dispatch", _queue("dispatch")),
    Feature("inbox", "本单位待办", "/queues/inbox", _queue("inbox")),
    Feature("review", "待审核", "/queues/review", _queue("review")),
    Feature("follow-up", "待回访", "/queues/follow-up", _queue("follow-up")),
    Feature("supervision", "督办与时限", "/supervision", _permitted(Permission.SUPERVISION_LIST)),
    Feature("search", "诉求查询", "/appeals", _staff),
    Feature("opinion-map", "民意地图", "/boards/map", _permitted(Permission.ANALYTICS_VIEW)),
    Feature("fast-handling", "民意速办", "/boards/handling", _permitted(Permission.ANALYTICS_VIEW)),
    Feature("briefs", "每日简报", "/briefs", _permitted(Permission.ANALYTICS_VIEW)),
    Feature("signals", "弱信号预警", "/analytics/signals", _permitted(Permission.ANALYTICS_VIEW)),
    Feature("hotspots", "类案热点", "/analytics/hotspots", _permitted(Permission.ANALYTICS_VIEW)),
    # Reading the templates comes with handling; writing them is TEMPLATE_MANAGE's.
    Feature(
        "templates",
        "答复模板",
        "/templates",
        lambda u: _permitted(Permission.TEMPLATE_MANAGE)(u) or _permitted(Permission.APPEAL_HANDLE)(u),
    ),
    Feature("cases", "典型案例", "/cases", _staff),
    Feature("closure-audit", "形式办结审查", "/audit/closure", _permitted(Permission.CLOSURE_AUDIT)),
    # The library and its Q&A are for every member of staff; keeping them is 政策专员's.
    Feature("policy", "政策文件库", "/policy", _staff),
    Feature("policy-ask", "政策问答", "/policy/ask", _staff),
    Feature("policy-hit-test", "命中测试", "/policy/hit-test", _permitted(Permission.POLICY_MANAGE)),
    # Service items are for everyone (citizens browse them too); keeping them is 政务服务专员's.
    Feature("guide", "办事指南", "/guide", lambda user: True),
    Feature("guide-ask", "智能客服", "/guide/ask", lambda user: True),
    # An applicant's own pages; a 政务服务专员 reaches them for an applicant through 帮办.
    Feature("my-applications", "我的申请", APPLICANT_HOME, is_applicant),
    Feature("my-profile", "我的资料", "/guide/profile", is_applicant),
)
FEATURE_BY_KEY = {feature.key: feature for feature in FEATURES}


def features_for(user: User) -> list[Feature]:
    return [feature for feature in FEATURES if feature.allowed(user)]


def require_feature(user: User, key: str) -> Feature:
    feature = FEATURE_BY_KEY[key]
    if not feature.allowed(user):
        raise PermissionDenied(f"当前账号无权使用“{feature.label}”")
    return feature


def _nav(user: User | None, path: str) -> list[dict[str, Any]]:
    if user is None:
        return []
    # An applicant's home is their applications, in the menu already.
    items = [] if is_applicant(user) else [{"label": "首页", "path": "/", "active": path == "/"}]
    for feature in features_for(user):
        active = path == feature.path or (
            feature.key == "search"
            and path.startswith("/appeals/")
            and path not in ("/appeals/new", "/appeals/import")
        )
        items.append({"label": feature.label, "path": feature.path, "active": active})
    return items


def flash(request: Request, message: str, kind: str = "success") -> None:
    messages = list(request.session.get(FLASH_KEY) or [])
    messages.append({"kind": kind, "message": message})
    request.session[FLASH_KEY] = messages[-5:]


def pop_flashes(request: Request) -> list[dict[str, str]]:
    messages = request.session.pop(FLASH_KEY, None)
    return messages if isinstance(messages, list) else []


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    user: User | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    full: dict[str, Any] = {
        "user": user,
        "role_label": Role(user.role).label if user else "",
        # Citizens and enterprises with an account see the public service's wording, not the office's.
        "is_applicant": user is not None and is_applicant(user),
        "department_name": user.department.name if user and user.department else "",
        "nav": _nav(user, request.url.path),
        "flashes": pop_flashes(request),
        "csrf_token": csrf.token(request),
        "csrf_field": csrf.FIELD,
    }
    full.update(context or {})
    return templates.TemplateResponse(request, name, full, status_code=status_code, headers=PAGE_HEADERS)


def render_fragment(request: Request, name: str, context: dict[str, Any]) -> HTMLResponse:
    """A piece of a page for htmx: no layout, and the session (flashes, token) left alone."""
    return templates.TemplateResponse(request, name, context, headers=PAGE_HEADERS)


def download(data: bytes, media_type: str, fallback_name: str, name: str) -> Response:
    """A file to save: its Chinese ``name`` for browsers that read RFC 6266's filename*, an ASCII
    ``fallback_name`` for the others; like pages, never cached."""
    disposition = f"attachment; filename=\"{fallback_name}\"; filename*=UTF-8''{quote(name)}"
    return Response(data, media_type=media_type, headers={**PAGE_HEADERS, "Content-Disposition": disposition})


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def safe_next(value: object, default: str = "/") -> str:
    """Only a path on this site: never another host, a scheme, or a protocol-relative URL."""
    if not isinstance(value, str) or not value.startswith("/") or value.startswith("//"):
        return default
    if "\\" in value or any(ord(char) < 32 for char in value):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return default
    return value


def _form_page(request: Request) -> str:
    """The page a posted form was on, from the Referer, when that is a page of this site."""
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc != request.url.netloc or referer.path.startswith("/login"):
        return "/"
    return safe_next(f"{referer.path}?{referer.query}" if referer.query else referer.path)


def login_redirect(request: Request) -> RedirectResponse:
    if request.method == "GET":
        path = f"{request.url.path}?{request.url.query}" if request.url.query else request.url.path
    else:
        # After login the browser comes back with a GET: to the form's page, not to its target.
        path = _form_page(request)
    if path == "/":
        return redirect("/login")
    return redirect("/login?" + urlencode({"next": path}))


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    try:
        user = page_user(request)
    except Exception:  # the error page must render even when the database does not answer
        user = None
    context = {"status": status, "title": TITLES.get(status, "出错了"), "message": message}
    # Whoever is not logged in reached a public page: the error speaks in the public site's voice.
    context["public"] = user is None
    return render(request, "error.html", context, user=user, status_code=status)


class PageRoute(APIRoute):
    """Answers a page's errors with a page: login redirect, 404/403 and friends in Chinese."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except (LoginRequired, NotAuthenticated):
                return login_redirect(request)
            except Exception as error:
                status, message = _error_status_and_message(request, error)
                # The error page looks the user up in the database: keep that off the event loop.
                return await run_in_threadpool(error_page, request, status, message)

        return page_handler


def _error_status_and_message(request: Request, error: Exception) -> tuple[int, str]:
    if isinstance(error, DomainError):
        return status_for(error), error.message
    if isinstance(error, RequestValidationError):
        return 400, "请求参数有误，请检查链接或重新提交"
    if isinstance(error, StarletteHTTPException):
        readable = isinstance(error.detail, str) and not error.detail.isascii()
        return error.status_code, error.detail if readable else TITLES.get(error.status_code, "请求无效")
    if isinstance(error, IntegrityError):
        return 409, "与已有记录冲突（可能是重复提交），请刷新后重试"
    if isinstance(error, OperationalError):
        log.error("database unavailable on %s %s", request.method, request.url.path)
        return 503, "数据库暂时繁忙，请稍后重试"
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=error)
    return 500, "服务器内部错误，请稍后重试"


def appeal_rows(items: list[Appeal], viewer: User) -> list[dict[str, Any]]:
    """Table rows: the summary as the viewer may see it, and whether the deadline has passed."""
    moment = now()
    rows = []
    for appeal in items:
        row = appeal_summary(appeal, viewer)
        row["overdue"] = is_overdue(appeal, moment)
        rows.append(row)
    return rows


def is_overdue(appeal: Appeal, moment: datetime | None = None) -> bool:
    return overdue.is_overdue(appeal, moment or now())


def pagination(request: Request, page: Page) -> dict[str, Any]:
    pages = max(1, -(-page.total // page.size))

    def link(number: int) -> str:
        params = dict(request.query_params)
        params["page"] = str(number)
        return "?" + urlencode(params)

    return {
        "page": page.page,
        "pages": pages,
        "total": page.total,
        "prev": link(page.page - 1) if page.page > 1 else None,
        "next": link(page.page + 1) if page.page < pages else None,
    }
