"""智能客服 in a real browser, on a phone: a citizen asks in everyday words, picks the variant the
assistant asks about, follows a citation to the cited section of the item page, then asks something
no item answers and passes it to a person. Screenshots go to test-artifacts/ (assistant-*.png)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from tests.pages.browser import launched_chromium, served_site
from tests.pages.test_browser import ARTIFACTS, TIMEOUT_MS

from zhengshu.guide.demo import load_demo


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served_site(tmp_path_factory.mktemp("assistant"), load_demo) as base:
        yield base


@pytest.fixture(scope="module")
def page(site: str) -> Iterator[Any]:
    with launched_chromium() as chromium:
        context = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN")
        tab = context.new_page()
        tab.set_default_timeout(TIMEOUT_MS)
        yield tab


def _ask(page: Any, question: str) -> None:
    page.fill("#q", question)
    with page.expect_navigation():
        page.click(".ask-form button[type=submit]")


def test_a_citizen_asks_picks_a_variant_and_opens_the_cited_section(page: Any, site: str) -> None:
    page.goto(f"{site}/guide/ask")
    _ask(page, "营业执照丢了咋整")
    turn = page.locator(".turn").last
    assert turn.get_attribute("data-kind") == "clarify"
    options = turn.locator("a.option")
    assert options.count() == 2
    with page.expect_navigation():
        options.filter(has_text="个体工商户").click()
    answered = page.locator(".turn").last
    assert answered.get_attribute("data-kind") == "answer"
    assert "个体工商户营业执照遗失补领" in answered.inner_text()
    page.screenshot(path=str(ARTIFACTS / "assistant-answer-phone.png"), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    _ask(page, "要带什么材料")
    follow = page.locator(".turn").last
    link = follow.locator("a.citation-link").first
    assert "申请材料" in link.inner_text()
    with page.expect_navigation():
        link.click()
    assert page.url.endswith("#materials")
    section = page.locator("#materials")
    assert section.is_visible()
    top = page.evaluate("document.getElementById('materials').getBoundingClientRect().top")
    assert 0 <= top < 844


def test_what_no_item_answers_goes_to_a_person(page: Any, site: str) -> None:
    page.goto(f"{site}/guide/ask")
    _ask(page, "小区门口的路灯坏了好几天了")
    turn = page.locator(".turn").last
    assert turn.locator(".handoff-form").count() == 1
    page.fill("#handoff-name", "王女士")
    page.fill("#handoff-phone", "123")
    with page.expect_navigation():
        page.click(".handoff-form button[type=submit]")
    assert "电话号码无效" in page.locator(".handoff-form").inner_text()
    page.fill("#handoff-phone", "13800138000")
    with page.expect_navigation():
        page.click(".handoff-form button[type=submit]")
    number = page.locator("#appeal-number").inner_text()
    assert number.strip()
    page.screenshot(path=str(ARTIFACTS / "assistant-handoff-phone.png"), full_page=True)
