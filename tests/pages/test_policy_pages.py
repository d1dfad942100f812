"""The policy library and Q&A over HTTP: answers with citations that open the cited article with the
passage highlighted, refusals, repealed documents never cited, the library's filters and exact-phrase
search, versions, the officers' hit test, import and metadata edits, and bad input."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from tests.pages.helpers import csrf_token, login

from zhengshu.policy.demo import load_demo

ASK = "/api/v1/policy/ask"
PROBLEM = "application/problem+json"
RENT = "租用区属产业用房的中小企业租金怎么优惠？"
STARTUP = "创业人员租用经营场地有场租补贴吗？"


@pytest.fixture
def library(db):
    report = load_demo(db.factory)
    assert report.summary()["total"] == 7 and not report.errors
    return db


def test_an_answer_cites_the_article_and_its_link_highlights_the_passage(library, client):
    answer = client.post(ASK, json={"question": RENT}).json()  # no login: citizens ask too
    assert not answer["refused"]
    first = answer["citations"][0]
    assert first["document_number"] == "深龙府规〔2025〕1号" and first["article"] == "第八条"
    assert first["standing"] == "现行有效" and "60%" in first["quote"]
    assert "[1]" in answer["answer"] and first["label"] in answer["answer"]
    login(client, "leader")
    link = urlsplit(first["link"])
    page = client.get(f"{link.path}?{link.query}")
    assert page.status_code == 200
    marked = re.search(r'<mark id="hl">(.*?)</mark>', page.text, re.S)
    assert marked and "60%" in marked.group(1)


def test_a_repealed_document_is_never_the_answer(library, client):
    answer = client.post(ASK, json={"question": STARTUP}).json()
    cited = {c["document_number"] for c in answer["citations"]}
    assert "深龙人社规〔2019〕4号" not in cited
    withheld = [c for c in answer["withheld"] if c["document_number"] == "深龙人社规〔2019〕4号"]
    assert withheld and withheld[0]["standing"] == "已废止"
    if answer["refused"]:
        assert "已不再有效" in answer["reason"]


def test_questions_the_library_cannot_answer_are_refused(library, client):
    answer = client.post(ASK, json={"question": "外国人来华工作许可证怎么办理？"}).json()
    assert answer["refused"] and answer["answer"].startswith("未找到相关依据")
    assert answer["citations"] == []


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"question": ""}, "请输入问题"),
        ({"question": "   "}, "请输入问题"),
        ({"question": "补" * 20_000}, "问题过长"),
        ({"question": "租金", "earlier": [""]}, "请输入问题"),
    ],
)
def test_bad_questions_get_a_problem_in_chinese(library, client, body, detail):
    response = client.post(ASK, json=body)
    assert response.status_code == 422 and response.headers["content-type"].startswith(PROBLEM)
    assert detail in response.json()["detail"]


def test_follow_up_keeps_the_context_on_the_chat_page(library, client):
    first = client.get("/public/policy", params={"q": RENT})
    assert first.status_code == 200 and "深龙府规〔2025〕1号" in first.text
    follow = client.get("/public/policy", params={"q": "那个体工商户呢？", "earlier": RENT})
    assert follow.status_code == 200
    assert follow.text.count('class="turn"') == 2
    assert 'name="earlier" value="那个体工商户呢？"' in follow.text  # carried to the next question
    too_long = client.get("/public/policy", params={"q": "问" * 600})
    assert too_long.status_code == 200 and "问题过长" in too_long.text


def test_library_filters_and_exact_phrase_search(library, client):
    login(client, "leader")
    page = client.get("/policy")
    assert page.status_code == 200 and "深龙府规〔2025〕1号" in page.text
    # Only the current version is listed: the 2023 original is history.
    assert page.text.count("促进中小企业高质量发展若干措施") == 1
    repealed = client.get("/policy", params={"status": "已废止"})
    assert "创业补贴实施办法" in repealed.text and "人才住房" not in repealed.text
    phrase = client.get("/policy", params={"q": "“市场指导价的60%”"})
    assert "深龙府规〔2025〕1号" in phrase.text and "hl=" in phrase.text
    nothing = client.get("/policy", params={"q": "“市场指导价的70%”"})
    assert "没有符合条件的文件" in nothing.text
    assert client.get("/policy", params={"year": "20x4"}).status_code == 422
    assert client.get("/policy", params={"status": "作废"}).status_code == 422


def test_a_document_shows_its_versions(library, client):
    login(client, "leader")
    listed = client.get("/api/v1/policy/documents", params={"q": "中小企业 产业用房 租金"}).json()
    document = next(i for i in listed["items"] if i["document_number"] == "深龙府规〔2025〕1号")
    detail = client.get(f"/api/v1/policy/documents/{document['document_id']}").json()
    assert [v["version_no"] for v in detail["versions"]] == [2, 1]
    assert any(a["anchor"] == "第八条" for a in detail["articles"])
    old = detail["versions"][1]
    page = client.get(f"/policy/documents/{document['document_id']}", params={"version": old["version_id"]})
    assert "历史版本" in page.text
    assert client.get(f"/policy/documents/{document['document_id']}", params={"hl": "9-1"}).status_code == 422


def test_only_policy_officers_keep_the_library(library, client):
    login(client, "leader")
    assert client.get("/policy/hit-test", params={"q": "租金"}).status_code == 403
    assert client.get("/policy/import").status_code == 403
    client.cookies.clear()
    login(client, "policy")
    hit = client.get("/policy/hit-test", params={"q": RENT})
    assert hit.status_code == 200 and 'id="hits"' in hit.text and "第八条" in hit.text


def test_an_imported_document_is_answered_at_once(library, client):
    login(client, "policy")
    form = client.get("/policy/import")
    text = (
        "深龙府办规〔2026〕9号\n深圳市龙岗区夜间经济促进办法（测试文件）\n"
        "第一条 为繁荣夜间经济，制定本办法。\n第二条 对经认定的夜间经济示范街区，给予一次性奖励80万元。\n"
        "深圳市龙岗区人民政府办公室\n2026年5月1日"
    )
    response = client.post(
        "/policy/import",
        data={"csrf_token": csrf_token(form.text)},
        files=[
            ("file", ("night.txt", text.encode(), "text/plain")),
            ("file", ("empty.txt", b"", "text/plain")),
        ],
    )
    assert response.status_code == 200
    assert "新建" in response.text and "失败" in response.text
    # Asked from the logged-in session, the API wants the page's CSRF token like any unsafe request.
    headers = {"X-CSRF-Token": csrf_token(response.text)}
    answer = client.post(ASK, json={"question": "夜间经济示范街区有什么奖励？"}, headers=headers).json()
    assert not answer["refused"] and answer["citations"][0]["document_number"] == "深龙府办规〔2026〕9号"


def test_an_officer_marks_a_document_repealed_and_the_answers_follow(library, client):
    before = client.post(ASK, json={"question": RENT}).json()
    login(client, "policy")
    first = before["citations"][0]
    version_id = int(re.search(r"version=(\d+)", first["link"]).group(1))
    page = client.get(urlsplit(first["link"]).path, params={"version": version_id})
    edited = client.post(
        f"/policy/versions/{version_id}/metadata",
        data={"csrf_token": csrf_token(page.text), "status": "已废止"},
        follow_redirects=False,
    )
    assert edited.status_code == 303
    headers = {"X-CSRF-Token": csrf_token(page.text)}
    after = client.post(ASK, json={"question": RENT}, headers=headers).json()
    assert all(c["document_number"] != "深龙府规〔2025〕1号" for c in after["citations"])
    assert any(c["document_number"] == "深龙府规〔2025〕1号" for c in after["withheld"])


def test_the_chat_page_survives_a_bad_earlier_question_and_links_each_turns_citations(library, client):
    page = client.get("/public/policy", params={"q": "那个体工商户呢？", "earlier": ["问" * 600, RENT]})
    assert page.status_code == 200
    assert page.text.count("问题过长") == 1  # only the bad one; the later turns are answered
    # The second turn's citation [1] points to the second turn's list, not the first's.
    assert 'href="#cite-1-1"' in page.text and 'id="cite-1-1"' in page.text


def test_library_edits_reach_the_index_and_the_standing_follows_the_dates(library, client):
    login(client, "policy")
    listed = client.get("/api/v1/policy/documents", params={"q": "人才住房"}).json()["items"][0]
    page = client.get(f"/policy/documents/{listed['document_id']}")
    token = csrf_token(page.text)
    edited = client.post(
        f"/policy/versions/{listed['version_id']}/metadata",
        data={
            "csrf_token": token,
            "title": "龙岗区青年驿站安居试行办法（示例）",
            "valid_until": "2024-12-31",
        },
        follow_redirects=False,
    )
    assert edited.status_code == 303
    hits = client.get("/api/v1/policy/hit-test", params={"q": "青年驿站安居试行办法"}).json()["hits"]
    assert hits and hits[0]["title"] == "龙岗区青年驿站安居试行办法（示例）"
    lapsed = client.get("/policy", params={"status": "已失效"})
    assert "青年驿站安居试行办法" in lapsed.text
    in_force = client.get("/policy", params={"status": "现行有效"})
    assert "青年驿站安居试行办法" not in in_force.text
    shown = client.get(f"/api/v1/policy/documents/{listed['document_id']}").json()
    assert shown["status_label"] == "已失效" and shown["marked_status"] == "in_force"


def test_an_exact_phrase_is_found_in_any_document_whatever_its_width(library, client):
    login(client, "leader")
    found = client.get("/policy", params={"q": "“市场指导价的６０％”"})  # full-width digits and percent
    assert "深龙府规〔2025〕1号" in found.text
