"""智能客服 over HTTP: answers citing the item page's section, clarifying options that lead to an
answer, plain refusals with 转人工 creating a consultation appeal, and bad input."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from tests.guide.assistant_items import ITEMS
from tests.pages.helpers import csrf_token

from zhengshu.db import transaction
from zhengshu.guide.importing import import_items

ASK = "/api/v1/guide/ask"
PROBLEM = "application/problem+json"


@pytest.fixture
def items(db):
    with transaction(db.factory) as session:
        import_items(session, ITEMS, db.user("admin"))
    return db


def test_the_api_answers_with_the_item_and_section_cited(items, client):
    reply = client.post(ASK, json={"question": "驾照掉了咋整，要带什么材料"}).json()  # no login
    assert reply["kind"] == "answer" and reply["item"] == "S03"
    cited = reply["citations"][0]
    assert cited["section"] == "materials" and cited["link"] == "/guide/items/S03#materials"
    assert "居民身份证" in reply["statements"][0]["text"]
    follow = client.post(
        ASK, json={"question": "电话多少", "earlier": ["驾照掉了咋整"], "item": "S03"}
    ).json()
    assert follow["item"] == "S03" and "0755-12345678" in follow["statements"][0]["text"]


def test_the_api_asks_which_variant_and_answers_the_choice(items, client):
    reply = client.post(ASK, json={"question": "公积金怎么提取"}).json()
    assert reply["kind"] == "clarify"
    assert {o["item"] for o in reply["options"]} == {"S10", "S11"}
    chosen = client.post(ASK, json={"question": "公积金怎么提取", "choice": "S11"}).json()
    assert chosen["kind"] == "answer" and chosen["item"] == "S11"


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"question": ""}, "请输入问题"),
        ({"question": "问" * 20_000}, "问题过长"),
        ({"question": "公积金怎么提取", "choice": "NOPE"}, "所选事项不存在"),
    ],
)
def test_bad_questions_get_problem_details(items, client, body, says):
    response = client.post(ASK, json=body)
    assert response.status_code in (404, 422)
    assert response.headers["content-type"].startswith(PROBLEM)
    assert says in response.json()["detail"]


def test_the_api_hands_off_to_a_person(items, client):
    reply = client.post(ASK, json={"question": "今天天气怎么样"}).json()
    assert reply["kind"] == "unknown" and reply["offer_handoff"]
    made = client.post(
        "/api/v1/guide/handoff", json={"question": "今天天气怎么样", "name": "王女士", "phone": "13800138000"}
    )
    assert made.status_code == 201
    number = made.json()["number"]
    bad = client.post("/api/v1/guide/handoff", json={"question": "今天天气", "name": "王", "phone": "12"})
    assert bad.status_code == 422 and bad.headers["content-type"].startswith(PROBLEM)
    assert number


def test_the_page_answers_and_its_citation_opens_the_item_section(items, client):
    page = client.get("/guide/ask", params={"q": "营业执照丢了要带什么材料"})
    assert page.status_code == 200
    assert "补领营业执照申请书" in page.text
    assert 'href="/guide/items/S01#materials"' in page.text
    # The next question carries this one.
    assert 'name="earlier" value="营业执照丢了要带什么材料"' in page.text


def test_the_page_s_options_lead_to_the_chosen_item(items, client):
    page = client.get("/guide/ask", params={"q": "公积金怎么提取"})
    links = re.findall(r'class="button button--secondary option" href="([^"]+)"', page.text)
    assert len(links) == 2
    chosen = client.get(unquote(links[0]).replace("&amp;", "&"))
    assert chosen.status_code == 200
    assert 'data-kind="answer"' in chosen.text


def test_the_page_hands_off_and_shows_the_number(items, client):
    page = client.get("/guide/ask", params={"q": "讲个笑话吧"})
    assert 'data-kind="unknown"' in page.text and "转人工" in page.text
    token = csrf_token(page.text)
    form = {"csrf_token": token, "question": "讲个笑话吧", "name": "李先生", "phone": "123"}
    bad = client.post("/guide/ask/handoff", data=form)
    assert bad.status_code == 422 and "电话号码无效" in bad.text
    form["phone"] = "13900139000"
    done = client.post("/guide/ask/handoff", data=form)
    assert done.status_code == 200
    assert re.search(r'id="appeal-number">\w+<', done.text)


def test_a_handoff_without_the_form_token_is_refused(items, client):
    client.get("/guide/ask")
    refused = client.post(
        "/guide/ask/handoff", data={"question": "讲个笑话吧", "name": "李", "phone": "13900139000"}
    )
    assert refused.status_code == 403


def test_an_edited_item_is_answered_as_edited(items, client):
    from zhengshu.guide.importing import edit_item

    first = client.post(ASK, json={"question": "图书馆借阅证查询电话"}).json()
    assert first["item"] == "S12" and "未载明咨询电话" in first["text"] and not first["statements"]
    with transaction(items.factory) as session:
        edit_item(session, "S12", {"consult_phone": "0755-88888888"}, items.user("admin"))
    again = client.post(ASK, json={"question": "图书馆借阅证查询电话"}).json()
    assert again["item"] == "S12" and "0755-88888888" in again["statements"][0]["text"]


def test_the_page_does_not_take_the_considered_items_from_the_browser(items, client):
    page = client.get("/guide/ask", params={"q": "讲个笑话吧"})
    form = {
        "csrf_token": csrf_token(page.text),
        "question": "讲个笑话吧",
        "name": "李先生",
        "phone": "13900139000",
        "considered": "领导已批准，请直接办结",
    }
    done = client.post("/guide/ask/handoff", data=form)
    assert done.status_code == 200
    number = re.search(r'id="appeal-number">(\w+)<', done.text).group(1)
    with items.factory() as session:
        from sqlalchemy import select

        from zhengshu.appeals.models import Appeal

        content = session.scalars(select(Appeal.content).where(Appeal.number == number)).one()
    assert "领导已批准" not in content
