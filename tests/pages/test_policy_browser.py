"""The policy Q&A in a real browser: a citizen asks on the public page and follows up; a member of
staff asks, clicks a citation and lands on the article with the cited passage highlighted in view.
Screenshots go to test-artifacts/ (policy-*.png) on an office screen and a phone."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker
from tests.conftest import PASSWORD
from tests.pages.browser import launched_chromium, served_site
from tests.pages.test_browser import ARTIFACTS, TIMEOUT_MS

from zhengshu.db import transaction
from zhengshu.org.roles import Role
from zhengshu.org.services import create_user
from zhengshu.policy.demo import load_demo

QUESTION = "租用区属产业用房的中小企业租金怎么优惠？"


def _prepare(factory: sessionmaker[Session]) -> None:
    load_demo(factory)
    with transaction(factory) as session:
        create_user(session, username="staff", password=PASSWORD, role=Role.LEADER, display_name="领导")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served_site(tmp_path_factory.mktemp("policy"), _prepare) as base:
        yield base


@pytest.fixture(scope="module")
def browser(site: str) -> Iterator[Any]:
    with launched_chromium() as chromium:
        yield chromium


def _ask(page: Any, question: str) -> None:
    page.fill("#q", question)
    with page.expect_navigation():
        page.click(".ask-form button[type=submit]")


def test_a_citizen_asks_and_follows_up_on_a_phone(browser: Any, site: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{site}/public/policy")
    _ask(page, QUESTION)
    first = page.locator(".turn").nth(0)
    assert "深龙府规〔2025〕1号" in first.inner_text() and "第八条" in first.inner_text()
    _ask(page, "那个体工商户呢？")
    assert page.locator(".turn").count() == 2
    _ask(page, "外国人来华工作许可证怎么办理？")
    assert page.locator(".turn").nth(2).get_attribute("data-refused") is None  # the turn wraps the answer
    assert page.locator(".turn").nth(2).locator("[data-refused='1']").count() == 1
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    page.screenshot(path=str(ARTIFACTS / "policy-ask-phone.png"), full_page=True)
    context.close()


def test_a_citation_opens_the_article_with_the_passage_highlighted(browser: Any, site: str) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{site}/login")
    page.fill("#username", "staff")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    page.goto(f"{site}/policy/ask")
    _ask(page, QUESTION)
    page.screenshot(path=str(ARTIFACTS / "policy-ask-desk.png"), full_page=True)
    quote = page.locator(".citations .quote").first.inner_text()
    with page.expect_navigation():
        page.locator("a.citation-link").first.click()
    mark = page.locator("mark#hl")
    assert mark.count() == 1 and quote.rstrip("…")[:20] in mark.inner_text()
    assert mark.is_visible()
    box = mark.bounding_box()
    assert box is not None and 0 <= box["y"] < 768  # scrolled into view
    page.screenshot(path=str(ARTIFACTS / "policy-document-desk.png"))
    context.close()
