"""办事指南 over HTTP: browsing without logging in, facets and filters, an item's guide with an
anchor per section, the officers' import page with its row-by-row report in Chinese, and the JSON
API with problem details."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from tests.guide.guide_files import GOOD_ROW, emptied, guide_officer, jsonl, native, workbook
from tests.pages.helpers import csrf_token, login
from tests.web_helpers import token_headers

from zhengshu.db import reading
from zhengshu.guide.demo import load_demo
from zhengshu.guide.models import ServiceItem

PROBLEM = "application/problem+json"
API = "/api/v1/guide"


@pytest.fixture
def demo(db):
    with emptied(db):
        load_demo(db.factory)
        yield db


def names(html: str) -> list[str]:
    return re.findall(r'class="document-item__title">([^<]+)</a>', html)


def item_count(db) -> int:
    with reading(db.factory) as session:
        return session.scalar(select(func.count()).select_from(ServiceItem)) or 0


def test_citizens_browse_without_logging_in(demo, client):
    page = client.get("/guide")
    assert page.status_code == 200
    assert "共 20 个服务事项" in page.text and len(names(page.text)) == 20
    assert 'href="/public/submit"' in page.text  # the public header, not the staff menu
    assert 'id="facet-life_event"' in page.text and 'id="facet-department"' in page.text
    assert "导入事项" not in page.text


def test_a_facet_link_filters_and_the_chosen_filter_can_be_removed(demo, client):
    page = client.get("/guide")
    link = re.search(r'<a href="([^"]+)" >出入境</a><span class="muted">2</span>', page.text)
    assert link
    filtered = client.get(link.group(1).replace("&amp;", "&"))
    assert sorted(names(filtered.text)) == [
        "往来港澳通行证再次签注（个人旅游）（示例）",
        "往来港澳通行证再次签注（探亲）（示例）",
    ]
    assert "人生事件：出入境 ×" in filtered.text
    assert 'href="/guide" class="small">清除全部筛选' in filtered.text


def test_the_search_box_keeps_the_question_and_the_filters(demo, client):
    page = client.get("/guide", params={"q": "营业执照丢了", "audience": "enterprise"})
    assert page.status_code == 200
    assert 'value="营业执照丢了"' in page.text
    assert '<input type="hidden" name="audience" value="enterprise">' in page.text
    assert "服务对象：法人办事" in page.text


def test_bad_filters_get_a_chinese_page(demo, client):
    page = client.get("/guide", params={"audience": "外星人"})
    assert page.status_code == 422 and "服务对象应为：个人办事、法人办事" in page.text


def test_an_item_s_guide_has_an_anchor_per_section(demo, client):
    page = client.get("/guide/items/SAMPLE-LG-0007")
    assert page.status_code == 200
    html = page.text
    for anchor in ("conditions", "materials", "limits", "fees", "place", "online", "basis", "faq-1", "faq-3"):
        assert f'id="{anchor}"' in html, anchor
    assert "示例事项，非真实办事指南" in html
    assert "3 个工作日" in html and "即办" in html  # the legal and the promised limit
    assert "房屋租赁合同" in html and "已办理租赁登记备案的可免交" in html
    assert 'href="/guide/items/SAMPLE-LG-0008"' in html  # the other variant
    assert "《住房公积金管理条例》第二十四条" in html


def test_other_bodies_same_item_is_linked(db, client):
    data = jsonl(
        native("P-1", "设立外籍人员子女学校", "广东省教育厅", legal_limit="90(自然日)"),
        native("C-1", "设立外籍人员子女学校", "广州市教育局"),
    )
    with emptied(db):
        login(client, "admin")
        upload = post_file(client, "items.jsonl", data)
        assert upload.status_code == 200, upload.text
        page = client.get("/guide/items/P-1")
        assert 'id="same-name"' in page.text and 'href="/guide/items/C-1"' in page.text
        assert "90个自然日" in page.text


@pytest.mark.parametrize(("path", "status", "says"), [
    ("/guide/items/NO-SUCH", 404, "未找到编码为“NO-SUCH”的服务事项"),
    ("/guide/items/bad%20code", 400, "请求参数有误"),
])  # fmt: skip
def test_unknown_or_malformed_items_get_a_chinese_page(demo, client, path, status, says):
    page = client.get(path)
    assert page.status_code == status and says in page.text


def post_file(client, filename: str, data: bytes, token: str | None = None):
    token = token if token is not None else csrf_token(client.get("/guide/import").text)
    files = {"file": (filename, data, "application/octet-stream")}
    return client.post("/guide/import", data={"csrf_token": token}, files=files)


def test_an_officer_imports_a_workbook_and_sees_the_counts(db, client):
    with emptied(db):
        guide_officer(db)
        login(client, "guide_officer")
        form = client.get("/guide/import")
        assert form.status_code == 200 and "事项编码" in form.text
        response = post_file(client, "事项.xlsx", workbook([GOOD_ROW]))
        assert response.status_code == 200
        assert re.search(r'id="import-created">1<', response.text)
        assert item_count(db) == 1
        again = post_file(client, "事项.xlsx", workbook([GOOD_ROW]))
        assert re.search(r'id="import-unchanged">1<', again.text)
        assert "导入事项" in client.get("/guide").text  # officers get the link


def test_a_broken_file_is_reported_row_by_row_and_nothing_is_imported(db, client):
    data = jsonl(
        native("A-1", "高龄津贴申领"),
        "{不是 JSON",
        native("A-1", "重复编码"),
        native("A-3", "高龄津贴申领", department="区残疾人联合会"),
    )
    with emptied(db):
        login(client, "admin")
        response = post_file(client, "items.jsonl", data)
        assert response.status_code == 422
        html = response.text
        assert "导入失败：2 行有错误，本次未导入任何事项" in html
        assert "第 2 行" in html and "不是合法的 JSON" in html
        assert "事项编码“A-1”与第 1 行重复" in html
        assert 'id="import-notes"' in html and "不同实施主体的同一事项" in html
        assert item_count(db) == 0


@pytest.mark.parametrize(("filename", "data", "says"), [
    ("items.xlsx", b"not a workbook", "无法读取该 Excel 文件"),
    ("items.pdf", b"%PDF", "不支持的文件类型"),
])  # fmt: skip
def test_unreadable_uploads_are_explained(db, client, filename, data, says):
    login(client, "admin")
    response = post_file(client, filename, data)
    assert response.status_code == 422 and says in response.text


def test_import_needs_the_permission_and_the_form_token(db, client):
    assert client.get("/guide/import", follow_redirects=False).headers["location"].startswith("/login")
    login(client, "operator")
    refused = client.get("/guide/import")
    assert refused.status_code == 403 and "无权导入服务事项" in refused.text
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/").text)})
    login(client, "admin")
    forged = post_file(client, "items.jsonl", jsonl(native("A-1", "一")), token="forged")
    assert forged.status_code == 403 and item_count(db) == 0


def test_the_api_lists_and_shows_items_without_logging_in(demo, client):
    listing = client.get(f"{API}/items", params={"life_event": "住房", "size": 1})
    assert listing.status_code == 200
    body = listing.json()
    assert body["total"] == 2 and len(body["items"]) == 1 and body["size"] == 1
    assert {"value": "person", "label": "个人办事", "count": 2} in body["facets"]["audience"]
    item = client.get(f"{API}/items/SAMPLE-LG-0001").json()
    assert item["sample"] and item["materials"][0]["form"] == "原件"
    assert item["sections"]["materials"] == "/guide/items/SAMPLE-LG-0001#materials"
    assert item["sections"]["faq-3"].endswith("#faq-3") and "id" not in item["extra"]
    assert [v["code"] for v in item["variants"]] == ["SAMPLE-LG-0002"]  # 个体工商户, same catalogue item
    missing = client.get(f"{API}/items/NO-SUCH")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith(PROBLEM)
    assert "未找到" in missing.json()["detail"]
    bad = client.get(f"{API}/items", params={"audience": "x"})
    assert bad.status_code == 422 and "服务对象应为" in bad.json()["detail"]


def test_the_api_imports_with_a_row_report_and_problem_details(db, client):
    headers = token_headers(client, "admin")
    with emptied(db):
        good = client.post(f"{API}/items/import", headers=headers, files={"file": ("a.jsonl", TWO, "x")})
        assert good.status_code == 200 and good.json()["created"] == 2
        rejected = client.post(
            f"{API}/items/import",
            headers=headers,
            files={"file": ("b.jsonl", jsonl(native("", "x", "")), "x")},
        )
        assert rejected.status_code == 422 and rejected.headers["content-type"].startswith(PROBLEM)
        problem = rejected.json()
        assert problem["detail"] == "导入失败：1 行有错误，本次未导入任何事项"
        assert problem["report"]["rows"][0]["errors"] == ["缺少事项编码", "缺少实施主体"]
        assert problem["errors"] == {"第 1 行": "缺少事项编码；缺少实施主体"}
        unreadable = client.post(
            f"{API}/items/import", headers=headers, files={"file": ("c.xlsx", b"zz", "x")}
        )
        assert unreadable.status_code == 422 and "无法读取" in unreadable.json()["detail"]
        missing = client.post(f"{API}/items/import", headers=headers)
        assert missing.status_code == 422
        operator = token_headers(client, "operator")
        refused = client.post(f"{API}/items/import", headers=operator, files={"file": ("a.jsonl", TWO, "x")})
        assert refused.status_code == 403
        assert item_count(db) == 2


def test_the_api_edits_an_item(db, client):
    headers = token_headers(client, "admin")
    with emptied(db):
        client.post(f"{API}/items/import", headers=headers, files={"file": ("a.jsonl", TWO, "x")})
        edited = client.patch(f"{API}/items/LG-1", headers=headers, json={"fee": "不收费"})
        assert edited.status_code == 200 and edited.json()["fee"] == "不收费"
        bad = client.patch(f"{API}/items/LG-1", headers=headers, json={"code": "LG-9"})
        assert bad.status_code == 422 and bad.json()["detail"] == "事项编码不能修改"
        anonymous = client.patch(f"{API}/items/LG-1", json={"fee": "1元"})
        assert anonymous.status_code == 401


TWO = jsonl(native("LG-1", "高龄津贴申领"), native("LG-2", "老年人优待证办理"))


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b'{"extra": null, "fee": 5}', "收费：应为文字"),
        (b'{"extra": "x"}', "其他信息：应为对象"),
        (b'{"extra": 5}', "其他信息：应为对象"),
        (b'{"extra": [1]}', "其他信息：应为对象"),
        (b'{"legal_limit_days": 1e400}', "法定时限：时限应为 0 到 3650 之间的整数个工作日"),
        (b'{"promised_limit_days": NaN}', "承诺时限：时限应为 0 到 3650 之间的整数个工作日"),
        (b'{"name": 5}', "事项名称：应为文字"),
        (b'{"name": "\u8001\u5e74\u4eba\u4f18\u5f85\u8bc1\u529e\u7406"}', "已有名为“老年人优待证办理”"),
    ],
)
def test_bad_edits_are_problem_details_not_crashes(db, client, body, says):
    headers = token_headers(client, "admin")
    with emptied(db):
        client.post(f"{API}/items/import", headers=headers, files={"file": ("a.jsonl", TWO, "x")})
        as_json = headers | {"Content-Type": "application/json"}
        reply = client.patch(f"{API}/items/LG-1", headers=as_json, content=body)
        assert reply.status_code == 422 and reply.headers["content-type"].startswith(PROBLEM)
        assert says in reply.json()["detail"]
        assert client.get(f"{API}/items/LG-1").json()["name"] == "高龄津贴申领"


def test_imported_text_is_escaped_and_only_web_links_become_links(db, client):
    data = jsonl(
        native(
            "X-1",
            "<script>alert(1)</script>办证",
            extra={"booking_url": "javascript:alert(2)"},
            online_url="https://www.gdzwfw.gov.cn/",
        )
    )
    with emptied(db):
        login(client, "admin")
        assert post_file(client, "items.jsonl", data).status_code == 200
        page = client.get("/guide/items/X-1").text
        assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;办证" in page
        assert "javascript:" not in page and 'href="https://www.gdzwfw.gov.cn/"' in page


def test_every_section_the_assistant_cites_has_its_anchor_on_the_item_page(demo, client):
    from zhengshu.guide.sections import BY_KEY

    page = client.get("/guide/items/SAMPLE-LG-0001").text
    item = client.get(f"{API}/items/SAMPLE-LG-0001").json()
    for key in BY_KEY:
        assert f'id="{key}"' in page, key
        assert item["sections"][key] == f"/guide/items/SAMPLE-LG-0001#{key}"
