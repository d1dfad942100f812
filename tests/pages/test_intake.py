from __future__ import annotations

import re

from sqlalchemy import func, select
from tests.pages.helpers import csrf_token, login

from zhengshu.appeals.models import Appeal
from zhengshu.appeals.queries import by_number
from zhengshu.db import transaction

PINGHU = "440307003"
BUJI = "440307014"
FENGHUANG_PINGHU = "440307003012"
FENGHUANG_BUJI = "440307014014"


def intake_fields(token: str, **overrides: str) -> dict[str, str]:
    fields = {
        "csrf_token": token,
        "appellant_phone": "138 1234 5678",
        "appellant_name": "张三",
        "street": PINGHU,
        "community": FENGHUANG_PINGHU,
        "address": "凤凰大道88号",
        "content": "小区门口工地每晚十一点后仍在施工，噪音很大，影响休息。",
        "title": "夜间施工噪音扰民",
        "type": "complaint",
        "urgency": "normal",
        "category": "",
        "channel": "hotline",
    }
    fields.update(overrides)
    return fields


def test_intake_form_is_ready_for_keyboard_entry(client):
    login(client, "operator")
    html = client.get("/appeals/new").text
    inputs = re.findall(r'<(?:input|select|textarea)[^>]*\bname="([a-z_]+)"', html)
    fields = [name for name in inputs if name not in ("csrf_token",)]
    assert fields[:6] == ["appellant_phone", "appellant_name", "street", "community", "address", "content"]
    assert re.search(r'name="appellant_phone"[^>]*autofocus', html)
    assert re.search(r'<option value="hotline"\s+selected>热线</option>', html)
    assert "tabindex" not in html  # the document order is the tab order
    # 凤凰社区 exists in two streets: options carry community codes, never bare names.
    assert f'value="{FENGHUANG_PINGHU}"' in html and f'value="{FENGHUANG_BUJI}"' in html
    assert 'value="凤凰社区"' not in html


def test_community_fragment_lists_the_streets_communities(client):
    html = client.get("/public/communities", params={"street": BUJI, "community": FENGHUANG_BUJI}).text
    assert html.lstrip().startswith('<select id="community"')
    assert re.search(rf'value="{FENGHUANG_BUJI}"\s+selected', html)
    assert FENGHUANG_PINGHU not in html and "<optgroup" not in html
    everything = client.get("/public/communities").text
    assert FENGHUANG_PINGHU in everything and FENGHUANG_BUJI in everything and "<optgroup" in everything


def test_operator_files_an_appeal_through_the_form(client, db):
    login(client, "operator")
    token = csrf_token(client.get("/appeals/new").text)
    response = client.post("/appeals/new", data=intake_fields(token), follow_redirects=False)
    assert response.status_code == 303
    number = response.headers["location"].removeprefix("/appeals/")
    page = client.get(response.headers["location"])
    assert f"诉求已登记，编号 {number}" in page.text
    assert "夜间施工噪音扰民" in page.text and "13812345678" in page.text
    with transaction(db.factory) as session:
        appeal = by_number(session, number)
        assert appeal is not None
        assert appeal.channel == "hotline" and appeal.created_by_id == db.user("operator").id
        assert appeal.community is not None and appeal.community.code == FENGHUANG_PINGHU
    # The flash is shown once.
    assert "诉求已登记" not in client.get(f"/appeals/{number}").text


def test_community_alone_implies_its_street(client, db):
    login(client, "operator")
    token = csrf_token(client.get("/appeals/new").text)
    response = client.post("/appeals/new", data=intake_fields(token, street="", community=FENGHUANG_BUJI))
    assert response.status_code == 200
    number = str(response.url).rsplit("/", 1)[-1]
    with transaction(db.factory) as session:
        appeal = by_number(session, number)
        assert appeal is not None and appeal.street is not None and appeal.street.name == "布吉街道"


def test_invalid_phone_keeps_the_input_and_says_why(client):
    login(client, "operator")
    token = csrf_token(client.get("/appeals/new").text)
    response = client.post("/appeals/new", data=intake_fields(token, appellant_phone="12345", title="测"))
    assert response.status_code == 422
    html = response.text
    assert "电话号码无效" in html and "至少 2 个字" in html
    assert 'id="appellant_phone-error"' in html and 'id="title-error"' in html
    assert 'value="12345"' in html and 'value="张三"' in html and "影响休息" in html
    assert re.search(rf'value="{FENGHUANG_PINGHU}"\s+selected', html)


def test_unknown_community_is_reported_next_to_the_field(client):
    login(client, "operator")
    token = csrf_token(client.get("/appeals/new").text)
    # 布吉's 凤凰社区 under 平湖街道: the codes differ, so it is not 平湖's community.
    response = client.post("/appeals/new", data=intake_fields(token, community=FENGHUANG_BUJI))
    assert response.status_code == 422
    assert 'id="community-error">未知社区' in response.text
    assert 'value="凤凰大道88号"' in response.text


def test_enterprise_appeal_needs_its_enterprise_fields(client):
    login(client, "operator")
    token = csrf_token(client.get("/appeals/new").text)
    response = client.post("/appeals/new", data=intake_fields(token, is_enterprise="1"))
    assert response.status_code == 422
    assert "企业诉求须填写企业名称和统一社会信用代码" in response.text
    assert re.search(r'id="is_enterprise"[^>]*checked', response.text)
    enterprise = {"enterprise_name": "深圳某科技有限公司", "enterprise_credit_code": "91350100M000100Y43"}
    ok = client.post("/appeals/new", data=intake_fields(token, is_enterprise="1", **enterprise))
    assert ok.status_code == 200 and "深圳某科技有限公司" in ok.text and "企业诉求" in ok.text


def test_missing_required_fields_say_必填(client):
    login(client, "operator")
    token = csrf_token(client.get("/appeals/new").text)
    response = client.post("/appeals/new", data={"csrf_token": token, "channel": "hotline"})
    assert response.status_code == 422
    for field in ("appellant_phone", "appellant_name", "title", "content"):
        assert f'id="{field}-error">必填' in response.text


def test_intake_is_for_operators_and_dispatchers(client):
    login(client, "handler_zjj")
    assert client.get("/appeals/new").status_code == 403


def test_only_the_offered_channels_are_accepted(client, db):
    login(client, "operator")
    token = csrf_token(client.get("/appeals/new").text)
    for channel, message in [
        ("open311", "Open311 渠道仅限 Open311 接口使用"),
        ("import", "请选择登记渠道：热线、网站、微信、信件、来访、邮件、移动应用"),
        ("fax", "请选择登记渠道："),
    ]:
        response = client.post("/appeals/new", data=intake_fields(token, channel=channel))
        assert response.status_code == 422, channel
        assert f'id="channel-error">{message}' in response.text
        assert 'value="张三"' in response.text and "影响休息" in response.text
    # A wrong channel does not hide the other fields' errors.
    both = client.post("/appeals/new", data=intake_fields(token, channel="open311", appellant_phone="12345"))
    assert 'id="channel-error">Open311' in both.text and "电话号码无效" in both.text
    html = client.get("/appeals/new").text
    assert 'value="open311"' not in html and 'value="import"' not in html
    with transaction(db.factory) as session:
        assert session.scalar(select(func.count()).select_from(Appeal)) == 0
