"""Driving the HTML pages from tests: log in, read tokens and versions out of forms, post forms."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from tests.conftest import PASSWORD

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def login(client: TestClient, username: str) -> Response:
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": csrf_token(page.text), "next": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return response


def action_form(html: str, action: str) -> str:
    """The HTML of one action's form on an appeal page."""
    match = re.search(rf'<form[^>]*id="action-{action}".*?</form>', html, re.S)
    assert match, f"no form for {action}"
    return match.group(0)


def form_version(html: str, action: str) -> int:
    match = re.search(r'name="version" value="(\d+)"', action_form(html, action))
    assert match
    return int(match.group(1))


def act(
    client: TestClient, number: str, action: str, *, version: int | None = None, **fields: Any
) -> Response:
    """Post an action's form as a browser would after loading the appeal's page."""
    page = client.get(f"/appeals/{number}")
    assert page.status_code == 200, page.text
    data = {
        "csrf_token": csrf_token(page.text),
        "version": str(version if version is not None else form_version(page.text, action)),
        **fields,
    }
    return client.post(f"/appeals/{number}/actions/{action}", data=data, follow_redirects=False)
