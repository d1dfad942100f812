"""Pre-review in a real browser: a citizen, logged in, finds the form pre-filled from their
profile, types an ID number with a wrong check digit, leaves a required material unticked, presses
「智能预审」 and sees both findings next to the field and the material, without leaving the page;
after correcting them, the pre-review passes. Screenshots go to test-artifacts/ (prereview-*.png)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker
from tests.conftest import PASSWORD
from tests.guide.applications_data import GUARD, ID_NUMBER, PERSON_VALUES
from tests.pages.browser import launched_chromium, served_site
from tests.pages.test_browser import ARTIFACTS, TIMEOUT_MS

from zhengshu.db import transaction
from zhengshu.guide import application_profiles
from zhengshu.guide.importing import import_items
from zhengshu.org.roles import Role
from zhengshu.org.services import create_user


def _prepare(factory: sessionmaker[Session]) -> None:
    with transaction(factory) as session:
        import_items(session, [GUARD], None, source="测试")
        citizen = create_user(
            session, username="citizen", password=PASSWORD, role=Role.APPLICANT, display_name="陈大文"
        )
        application_profiles.save_profile(session, citizen, "person", PERSON_VALUES)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served_site(tmp_path_factory.mktemp("prereview"), _prepare) as base:
        yield base


@pytest.fixture(scope="module")
def browser(site: str) -> Iterator[Any]:
    with launched_chromium() as chromium:
        yield chromium


def test_a_wrong_check_digit_and_a_missing_material_are_shown_where_they_are(browser: Any, site: str) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{site}/login?next=/guide/items/{GUARD.code}/apply")
    page.fill("#username", "citizen")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.url.endswith(f"/guide/items/{GUARD.code}/apply")

    # Pre-filled from the profile, and saying so.
    assert page.input_value("#id_number") == ID_NUMBER
    assert "个人资料" in page.inner_text("#field-id_number .source")

    page.fill("#id_number", ID_NUMBER[:17] + "5")
    for question in page.locator(".question").all():
        question.locator("input[value='是']").check()
    page.check("#m0_has")
    page.select_option("select[name=m0_form]", "原件和复印件")
    page.select_option("select[name=m0_medium]", "纸质")
    page.check("#m1_has")
    page.fill("input[name=m1_issued_on]", "2026-10-01")
    # The 学历证明 (row 2) is left unticked.
    address = page.url
    page.click("#prereview-button")
    summary = page.locator("#prereview-summary")
    summary.wait_for()
    assert page.url == address  # swapped in place by htmx, no new page

    id_field = page.inner_text("#field-id_number")
    assert "身份证号码第18位校验码应为2" in id_field and "请核对后重新填写" in id_field
    assert "缺少申请材料「学历证明」" in page.inner_text("#material-2")
    assert "2 项错误" in summary.inner_text()
    # What was typed stays as typed.
    assert page.input_value("#id_number") == ID_NUMBER[:17] + "5"
    assert page.is_checked("#m0_has") and not page.is_checked("#m2_has")
    page.screenshot(path=str(ARTIFACTS / "prereview-findings.png"), full_page=True)

    page.fill("#id_number", ID_NUMBER)
    page.check("#m2_has")
    page.select_option("select[name=m2_form]", "原件")
    page.click("#prereview-button")
    page.locator("#prereview-summary h2", has_text="智能预审通过").wait_for()
    assert page.locator("#field-id_number .finding").count() == 0
    page.screenshot(path=str(ARTIFACTS / "prereview-passed.png"), full_page=True)
    context.close()
