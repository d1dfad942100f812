"""The queues and the supervision list: the pages and the JSON API open them for the same people."""

from __future__ import annotations

import pytest
from tests.appeals.helpers import submit
from tests.conftest import USERS
from tests.pages.helpers import login
from tests.web_helpers import token_headers

from zhengshu.appeals import handling, queries
from zhengshu.appeals.rules import AppealRules
from zhengshu.db import transaction

QUEUE_NAMES = [*queries.QUEUES, "nothing"]


def switch_user(client, username: str) -> None:
    client.cookies.clear()
    login(client, username)


@pytest.mark.parametrize("username", sorted(USERS))
def test_pages_and_api_agree_on_who_opens_each_queue(client, username):
    headers = token_headers(client, username)
    switch_user(client, username)
    for name in QUEUE_NAMES:
        api = client.get(f"/api/v1/queues/{name}", headers=headers)
        page = client.get(f"/queues/{name}")
        assert page.status_code == api.status_code, (username, name, api.text)
        assert page.headers["content-type"].startswith("text/html")
        if api.status_code != 200:
            assert api.headers["content-type"].startswith("application/problem+json")
    api = client.get("/api/v1/supervision", headers=headers)
    page = client.get("/supervision")
    assert page.status_code == api.status_code, (username, api.text)
    # What the menu offers opens; what it hides does not.
    home = client.get("/").text
    for name in queries.QUEUES:
        linked = f'href="/queues/{name}"' in home
        assert linked == (client.get(f"/queues/{name}").status_code == 200), (username, name)
    assert ('href="/supervision"' in home) == (page.status_code == 200), username


def test_queue_pages_list_what_the_api_lists(client, db):
    with transaction(db.factory) as session:
        appeal = submit(session, db.user("operator"))
        number = appeal.number
        handling.dispatch(
            session, appeal.id, db.user("dispatcher"), AppealRules.default(), department_code="zjj"
        )
    cases = [
        ("handler_zjj", "inbox", True),
        ("handler_cgj", "inbox", False),
        ("dispatcher", "overdue", False),
    ]
    for username, name, listed in cases:
        api = client.get(f"/api/v1/queues/{name}", headers=token_headers(client, username)).json()
        switch_user(client, username)
        page = client.get(f"/queues/{name}").text
        assert (number in [a["number"] for a in api["items"]]) == listed, (username, name)
        assert (number in page) == listed, (username, name)


def test_operator_watches_deadlines_but_has_no_supervision_page(client):
    login(client, "operator")
    home = client.get("/").text
    assert 'href="/queues/overdue"' in home and 'href="/queues/near-due"' in home
    assert 'href="/supervision"' not in home
    overdue = client.get("/queues/overdue")
    assert overdue.status_code == 200 and "已超期" in overdue.text
    refused = client.get("/supervision")
    assert refused.status_code == 403 and "无权" in refused.text


def test_handler_without_a_department_has_no_inbox(client):
    login(client, "admin")
    assert 'href="/queues/inbox"' not in client.get("/").text
    missing = client.get("/queues/inbox")
    assert missing.status_code == 404 and "不属于任何承办单位" in missing.text


def test_supervision_page_shows_extensions_only_to_those_who_decide_them(client):
    for username, decides in [
        ("dispatcher", True),
        ("supervisor", True),
        ("reviewer", False),
        ("leader", False),
    ]:
        switch_user(client, username)
        page = client.get("/supervision")
        assert page.status_code == 200, username
        assert ('id="extensions"' in page.text) == decides, username
        assert ('href="/supervision#extensions"' in client.get("/").text) == decides, username
