"""An applicant's (办事人's) own pages: after login they land on their applications, their menu holds
only what is theirs (办事指南, 智能客服, 我的申请, 我的资料), and staff pages answer with the Chinese 403
page. Staff menus do not change."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from tests.conftest import Database
from tests.guide.applications_data import GUARD, clean, ensure_applicants, load_items
from tests.pages.helpers import login

APPLICANT_MENU = ["办事指南", "智能客服", "我的申请", "我的资料"]
APPLICANT_PATHS = ["/guide", "/guide/ask", "/guide/applications", "/guide/profile"]
STAFF_PAGES = [
    "/appeals",
    "/appeals/new",
    "/cases",
    "/policy",
    "/policy/ask",
    "/queues/dispatch",
    "/supervision",
    "/templates",
    "/guide/import",
    "/guide/assist?username=t_citizen2",
]


@pytest.fixture
def guide(db: Database) -> Iterator[Database]:
    ensure_applicants(db)
    clean(db)
    load_items(db)
    yield db
    clean(db)


def _menu(html: str) -> list[tuple[str, str]]:
    """(label, path) of each link of the page's menu, in order; empty when the page has none."""
    match = re.search(r'<nav class="staff-nav".*?</nav>', html, re.S)
    if match is None:
        return []
    return [
        (label, path) for path, label in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', match.group(0))
    ]


@pytest.mark.parametrize("username", ["t_citizen", "t_enterprise"])
def test_an_applicant_lands_on_their_applications(guide: Database, client: Any, username: str) -> None:
    login(client, username)
    home = client.get("/", follow_redirects=False)
    assert home.status_code == 303 and home.headers["location"] == "/guide/applications"
    landed = client.get("/")
    assert landed.status_code == 200 and landed.url.path == "/guide/applications"
    assert "我的申请" in landed.text
    assert _menu(landed.text) == list(zip(APPLICANT_MENU, APPLICANT_PATHS, strict=True))
    # Their name and the way out are in the header, and no staff banner of the public site.
    assert 'action="/logout"' in landed.text and 'href="/public/submit"' not in landed.text
    # …and the public service's wording, not the office's.
    assert "市民与企业服务" in landed.text and "内部办公系统" not in landed.text


def test_the_applicant_menu_is_the_same_on_every_page_they_use(guide: Database, client: Any) -> None:
    login(client, "t_citizen")
    for path in [*APPLICANT_PATHS, f"/guide/items/{GUARD.code}/apply"]:
        page = client.get(path)
        assert page.status_code == 200, (path, page.text)
        assert [label for label, _ in _menu(page.text)] == APPLICANT_MENU, path
    profile = client.get("/guide/profile").text
    assert ("我的资料", "/guide/profile") in _menu(profile)
    assert re.search(r'href="/guide/profile"\s+aria-current="page"', profile)


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_staff_pages_refuse_an_applicant(guide: Database, client: Any, path: str) -> None:
    login(client, "t_citizen")
    refused = client.get(path)
    assert refused.status_code == 403, refused.text
    assert refused.headers["content-type"].startswith("text/html")
    assert "无权" in refused.text
    # The refusal is shown within the applicant's own menu, never the staff's.
    assert [label for label, _ in _menu(refused.text)] == APPLICANT_MENU


def test_a_staff_post_refuses_an_applicant(guide: Database, client: Any) -> None:
    login(client, "t_citizen")
    page = client.get("/guide/applications")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    refused = client.post(
        "/appeals/new", data={"csrf_token": token.group(1), "title": "x"}, follow_redirects=False
    )
    assert refused.status_code == 403 and "无权" in refused.text


@pytest.mark.parametrize(
    ("username", "has", "lacks"),
    [
        (
            "leader",
            ["首页", "诉求查询", "典型案例", "政策文件库", "办事指南", "智能客服"],
            ["我的申请", "我的资料"],
        ),
        ("t_guide", ["首页", "诉求查询", "政策文件库", "办事指南", "智能客服"], ["我的申请", "我的资料"]),
    ],
)
def test_staff_menus_keep_their_pages_and_get_none_of_the_applicants(
    guide: Database, client: Any, username: str, has: list[str], lacks: list[str]
) -> None:
    login(client, username)
    home = client.get("/")
    assert home.status_code == 200 and home.url.path == "/"
    labels = [label for label, _ in _menu(home.text)]
    assert all(label in labels for label in has), labels
    assert not any(label in labels for label in lacks), labels
    assert client.get("/appeals").status_code == 200
