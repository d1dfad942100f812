"""CSRF protection for form posts: a random token per browser session, echoed in every form.

The session cookie is signed, so another site can neither read nor forge the token; a post that
does not carry it (as a form field or, for htmx requests, a header) is refused."""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request
from starlette.datastructures import FormData

from zhengshu.errors import PermissionDenied

SESSION_KEY = "csrf_token"
FIELD = "csrf_token"
HEADER = "x-csrf-token"


class CsrfRejected(PermissionDenied):
    code = "csrf"

    def __init__(self) -> None:
        super().__init__("页面已过期或来源无法确认，请刷新页面后重新提交")


def token(request: Request) -> str:
    """The session's token, created on first use."""
    value = request.session.get(SESSION_KEY)
    if not isinstance(value, str) or not value:
        value = rotate(request)
    return value


def rotate(request: Request) -> str:
    """A fresh token, e.g. after login, so a token seen before login is worthless after it."""
    value = secrets.token_urlsafe(32)
    request.session[SESSION_KEY] = value
    return value


def is_valid(request: Request, submitted: object) -> bool:
    expected = request.session.get(SESSION_KEY)
    if not isinstance(expected, str) or not expected:
        return False
    if not isinstance(submitted, str) or not submitted:
        submitted = request.headers.get(HEADER, "")
    return hmac.compare_digest(expected.encode(), str(submitted).encode())


def check(request: Request, form: FormData) -> None:
    if not is_valid(request, form.get(FIELD)):
        raise CsrfRejected()


async def checked_form(request: Request) -> FormData:
    """Dependency: the posted form, after its token is checked."""
    form = await request.form()
    check(request, form)
    return form
