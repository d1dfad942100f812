"""Similar appeals on the pages: the panel with reasons, 并案 for dispatchers, the intake panel, the API."""

from __future__ import annotations

import re

import pytest
from tests.appeals.helpers import submit
from tests.pages.helpers import act, csrf_token, login
from tests.web_helpers import token_headers

from zhengshu.appeals import similar
from zhengshu.appeals.models import Appeal
from zhengshu.appeals.queries import by_number
from zhengshu.db import transaction

TITLE = "小区门口夜间施工噪音扰民"
TEXT = "龙岗大道旁工地每晚十一点后仍在施工，噪音很大，影响休息，请尽快处理。"


@pytest.fixture(autouse=True)
def fresh_index(db):
    similar.forget(db.engine)
    yield
    similar.forget(db.engine)


def two_alike(db) -> tuple[str, str]:
    with transaction(db.factory) as session:
        first = submit(
            session, title=TITLE, content=TEXT, appellant_phone="13812345678", appellant_name="张小明"
        )
        second = submit(
            session, title="夜间施工噪音再次反映", content="再次反映：" + TEXT, appellant_phone="13812345678"
        )
        return first.number, second.number


def panel(html: str) -> str:
    match = re.search(r'<section class="panel" id="similar-appeals".*?</section>', html, re.S)
    assert match, "no similar appeals panel"
    return match.group(0)


def status_of(db, number: str) -> tuple[str, int | None]:
    with transaction(db.factory) as session:
        appeal = by_number(session, number)
        assert appeal is not None
        return appeal.status, appeal.merged_into_id


def test_the_appeal_page_lists_the_similar_appeal_with_its_reasons_and_merges_it_in(client, db):
    first, second = two_alike(db)
    login(client, "dispatcher")
    page = client.get(f"/appeals/{first}")
    html = panel(page.text)
    assert second in html
    assert re.search(r"同一地址 · 同一诉求人 · 3天内 · 文本相似度0\.\d\d", html)
    assert "13812345678" in html  # the dispatcher may see the phone
    assert 'id="merge-in"' in html and 'id="action-merge"' in html
    assert 'id="action-merge"' not in page.text.replace(html, "")  # not among the generic forms
    response = client.post(
        f"/appeals/{first}/merge-in",
        data={"csrf_token": csrf_token(page.text), "merged": [second], "reason": "同一工地"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert status_of(db, second)[0] == "merged"
    after = client.get(f"/appeals/{first}").text
    assert f"已将 1 件诉求并入本件：{second}" in after
    assert "已并入本件的诉求" in panel(after) and second in panel(after)
    merged_page = panel(client.get(f"/appeals/{second}").text)
    assert f'本件已并案，由主件 <a href="/appeals/{first}">{first}</a> 一并办理' in merged_page


def test_merging_this_appeal_into_a_main_one_through_the_action_form(client, db):
    first, second = two_alike(db)
    login(client, "dispatcher")
    refused = act(client, second, "merge", main=second)
    assert refused.status_code == 422 and "不能把诉求并入它自己" in refused.text
    response = act(client, second, "merge", main=first, reason="重复来电")
    assert response.status_code == 303
    status, main_id = status_of(db, second)
    with transaction(db.factory) as session:
        assert (status, main_id) == ("merged", by_number(session, first).id)


def test_without_the_permissions_the_list_is_masked_and_offers_no_merge(client, db):
    first, second = two_alike(db)
    login(client, "leader")
    html = panel(client.get(f"/appeals/{first}").text)
    assert second in html and "同一诉求人" in html
    assert "13812345678" not in html and "138****5678" in html
    assert 'id="merge-in"' not in html and 'id="action-merge"' not in html
    page = client.get(f"/appeals/{first}").text
    refused = client.post(
        f"/appeals/{first}/merge-in",
        data={"csrf_token": csrf_token(page), "merged": [second]},
        follow_redirects=False,
    )
    assert refused.status_code == 303
    assert "无权" in client.get(f"/appeals/{first}").text
    assert status_of(db, second)[0] == "submitted"


def test_the_intake_form_shows_likely_duplicates_while_typing(client, db):
    first, _ = two_alike(db)
    login(client, "operator")
    form = client.get("/appeals/new").text
    assert 'hx-post="/appeals/new/similar"' in form and 'id="similar-appeals"' in form
    token = csrf_token(form)
    typed = {
        "csrf_token": token,
        "appellant_phone": "",
        "title": "",
        "content": "工地晚上十一点后还在施工，噪音很大",
    }
    fragment = client.post("/appeals/new/similar", data=typed)
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and first in fragment.text and "文本相似度" in fragment.text
    nothing = client.post("/appeals/new/similar", data={"csrf_token": token, "content": ""})
    assert "填写联系电话、地点和诉求内容后" in nothing.text
    forged = client.post("/appeals/new/similar", data={"content": "施工噪音"})
    assert forged.status_code == 403


def test_the_api_lists_similar_appeals_and_merges(client, db):
    first, second = two_alike(db)
    headers = token_headers(client, "dispatcher")
    listed = client.get(f"/api/v1/appeals/{first}/similar", headers=headers).json()
    assert [item["number"] for item in listed["items"]] == [second]
    assert listed["items"][0]["reasons"][:2] == ["同一地址", "同一诉求人"]
    assert "综合评分" in listed["explanation"]
    drafted = client.post(
        "/api/v1/similar-appeals", headers=headers, json={"content": TEXT, "appellant_phone": "13812345678"}
    ).json()
    assert {item["number"] for item in drafted["items"]} == {first, second}
    merged = client.post(f"/api/v1/appeals/{second}/merge", headers=headers, json={"main": first})
    assert merged.status_code == 200 and merged.json()["status"] == "merged"
    again = client.post(f"/api/v1/appeals/{second}/merge", headers=headers, json={"main": first})
    assert again.status_code == 409
    handler = token_headers(client, "handler_zjj")
    assert client.get(f"/api/v1/appeals/{first}/similar", headers=handler).status_code == 404
    assert client.post("/api/v1/similar-appeals", headers=handler, json={"content": TEXT}).status_code == 403


def test_public_tracking_shows_the_main_appeals_reply_to_a_merged_appellant(client, db):
    first, second = two_alike(db)
    with transaction(db.factory) as session:
        from zhengshu.appeals import handling, merging
        from zhengshu.appeals.rules import AppealRules

        admin = db.user("admin")
        merging.merge(session, by_number(session, second).id, admin, main_number=first)
        main_id = by_number(session, first).id
        handling.dispatch(session, main_id, admin, AppealRules.default(), department_code="zjj")
        handling.accept(session, main_id, admin)
        handling.reply(session, main_id, admin, text="已责令施工单位夜间停工。")
        handling.approve(session, main_id, admin)
        assert session.get_one(Appeal, by_number(session, second).id).status == "closed"
    token = csrf_token(client.get("/public/track").text)
    page = client.post(
        "/public/track", data={"csrf_token": token, "number": second, "phone_last4": "5678"}
    ).text
    assert "已责令施工单位夜间停工。" in page and "并案" in page and "随主件办结" in page
