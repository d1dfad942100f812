"""One real-browser walk through the pages: Debian's Chromium driven by Playwright against uvicorn.

An operator logs in and files an appeal using only the keyboard, then a citizen tracks it on the
public page. Screenshots go to test-artifacts/ for a person to look at."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import PASSWORD

from zhengshu.bench.chromium import CHROMIUM, LAUNCH_ARGS
from zhengshu.db import create_db_engine, session_factory, transaction
from zhengshu.migrate import upgrade
from zhengshu.org.roles import Role
from zhengshu.org.services import create_user
from zhengshu.settings import Settings
from zhengshu.web.app import create_app
from zhengshu.web.threaded_server import serving

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TIMEOUT_MS = 15_000


def _require_browser() -> Any:
    """Playwright's sync API, or a skip outside CI (a failure in CI) when the browser is missing."""
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    try:
        from playwright import sync_api
    except ImportError:
        sync_api = None
        missing.append("the playwright package is missing (pip install playwright)")
    if missing:
        reason = "browser test needs Chromium and Playwright: " + "; ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return sync_api


@pytest.fixture(scope="module")
def sync_api() -> Any:
    return _require_browser()


@pytest.fixture(scope="module")
def server(sync_api: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """uvicorn on a free localhost port, in a thread, on a migrated SQLite database of its own."""
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'browser.db'}"
    engine = create_db_engine(url)
    upgrade(engine)
    with transaction(session_factory(engine)) as session:
        create_user(
            session,
            username="operator",
            password=PASSWORD,
            role=Role.HOTLINE_OPERATOR,
            display_name="话务员小王",
        )
    engine.dispose()

    app = create_app(Settings(database_url=url, dev=True, supervision_interval_minutes=0))
    with serving(app) as base:
        yield base


def _focused(page: Any) -> str:
    return str(page.evaluate("document.activeElement && document.activeElement.id"))


def _choose_by_keyboard(page: Any, select_id: str, label: str) -> None:
    """Move through a focused select's options with the arrow key until the label is chosen."""
    for _ in range(60):
        if page.evaluate(f"document.getElementById('{select_id}').selectedOptions[0].text") == label:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{label} not reachable in #{select_id}")


def test_operator_files_by_keyboard_and_citizen_tracks(sync_api: Any, server: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            operator = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
            page = operator.new_page()
            page.set_default_timeout(TIMEOUT_MS)

            # A staff page sends an anonymous visitor to the login page, and back after it.
            page.goto(f"{server}/appeals/new")
            assert re.search(r"/login\?next=%2Fappeals%2Fnew$", page.url)
            assert _focused(page) == "username"
            page.keyboard.type("operator")
            page.keyboard.press("Tab")
            page.keyboard.type(PASSWORD)
            page.keyboard.press("Enter")
            page.wait_for_url(f"{server}/appeals/new")
            assert _focused(page) == "appellant_phone"  # autofocus

            # The enterprise fields appear only once 企业诉求 is ticked.
            expect = sync_api.expect
            expect(page.locator("#enterprise_name")).to_be_hidden()
            page.check("#is_enterprise")
            expect(page.locator("#enterprise_name")).to_be_visible()
            expect(page.locator("#enterprise_credit_code")).to_be_visible()
            page.uncheck("#is_enterprise")
            expect(page.locator("#enterprise_name")).to_be_hidden()
            page.focus("#appellant_phone")

            # The intake form, by keyboard only: from the phone field Tab through, Enter submits.
            page.keyboard.type("13812345678")
            page.keyboard.press("Tab")
            page.keyboard.type("张三")
            page.keyboard.press("Tab")
            assert _focused(page) == "street"
            _choose_by_keyboard(page, "street", "平湖街道")
            # htmx narrows the community list to the chosen street (no optgroups left).
            expect(page.locator("#community optgroup")).to_have_count(0)
            page.keyboard.press("Tab")
            assert _focused(page) == "community"
            _choose_by_keyboard(page, "community", "凤凰社区")
            page.keyboard.press("Tab")
            page.keyboard.type("凤凰大道88号")
            page.keyboard.press("Tab")
            assert _focused(page) == "content"
            page.keyboard.type("小区门口工地每晚十一点后仍在施工，噪音很大，影响休息。")
            page.keyboard.press("Tab")
            assert _focused(page) == "title"
            page.keyboard.type("夜间施工噪音扰民")
            page.screenshot(path=str(ARTIFACTS / "intake-form.png"), full_page=True)
            page.keyboard.press("Enter")

            page.wait_for_url(re.compile(r"/appeals/\d{11}$"))
            number = page.url.rsplit("/", 1)[-1]
            assert f"诉求已登记，编号 {number}" in page.inner_text(".flash")
            assert page.inner_text("h1 .number") == number
            facts = page.inner_text("main")
            assert "平湖街道 凤凰社区" in facts and "热线" in facts and "13812345678" in facts
            page.screenshot(path=str(ARTIFACTS / "appeal-detail.png"), full_page=True)

            # A citizen on a phone tracks it with the number and the last four digits.
            citizen = browser.new_context(
                viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True, has_touch=True
            )
            phone = citizen.new_page()
            phone.set_default_timeout(TIMEOUT_MS)
            phone.goto(f"{server}/public/track")
            assert _focused(phone) == "number"
            phone.keyboard.type(number)
            phone.keyboard.press("Tab")
            phone.keyboard.type("0000")
            with phone.expect_navigation():
                phone.keyboard.press("Enter")
            assert "未找到该诉求，请核对编号和手机号后四位" in phone.inner_text("main")
            assert phone.locator("#track-result").count() == 0

            phone.fill("#number", number)
            phone.fill("#phone_last4", "5678")
            phone.press("#phone_last4", "Enter")
            result = phone.locator("#track-result")
            result.wait_for()
            text = result.inner_text()
            assert number in text and "待分拨" in text and "受理登记" in text
            assert "张三" not in text and "13812345678" not in text
            phone.screenshot(path=str(ARTIFACTS / "public-track-phone.png"), full_page=True)
        finally:
            browser.close()
