from __future__ import annotations

import re

from tests.appeals.helpers import submit
from tests.pages.helpers import csrf_token

from zhengshu.appeals.queries import by_number
from zhengshu.db import transaction

NEUTRAL = "未找到该诉求，请核对编号和手机号后四位"


def public_fields(token: str, **overrides: str) -> dict[str, str]:
    fields = {
        "csrf_token": token,
        "type": "complaint",
        "title": "路边井盖缺失",
        "content": "坂田街道五和大道路边井盖缺失多日，夜间行人容易踩空。",
        "appellant_name": "李四",
        "appellant_phone": "13900001234",
        "street": "440307013",
        "community": "",
        "address": "五和大道与坂雪岗大道交汇处",
    }
    fields.update(overrides)
    return fields


def track(client, number: str, digits: str):
    token = csrf_token(client.get("/public/track").text)
    return client.post("/public/track", data={"csrf_token": token, "number": number, "phone_last4": digits})


def test_citizen_submits_and_tracks(client, db):
    form = client.get("/public/submit")
    assert form.status_code == 200 and "我要反映" in form.text
    fields = public_fields(csrf_token(form.text))
    response = client.post("/public/submit", data=fields, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/public/submitted"
    done = client.get("/public/submitted").text
    number = re.search(r'id="appeal-number">(\d+)<', done)
    assert number
    number_text = number.group(1)
    assert "手机号码的后四位" in done
    with transaction(db.factory) as session:
        appeal = by_number(session, number_text)
        assert appeal is not None and appeal.channel == "website" and appeal.created_by_id is None

    found = track(client, number_text, "1234")
    assert found.status_code == 200
    assert "路边井盖缺失" in found.text and "待分拨" in found.text and "受理登记" in found.text
    assert "李四" not in found.text and "13900001234" not in found.text


def test_wrong_digits_look_exactly_like_an_unknown_number(client, db):
    with transaction(db.factory) as session:
        number = submit(session, appellant_phone="13900001234").number
    wrong = track(client, number, "9999")
    unknown = track(client, "99999999999", "1234")
    assert wrong.status_code == unknown.status_code == 200
    for response in (wrong, unknown):
        assert NEUTRAL in response.text
        assert "track-result" not in response.text
        assert "小区门口夜间施工噪音扰民" not in response.text
    # Apart from the number typed back into the field, the two pages are the same.
    assert wrong.text.replace(number, "N") == unknown.text.replace("99999999999", "N")


def test_track_shows_the_reply_once_closed(client, db):
    from zhengshu.appeals import handling
    from zhengshu.appeals.rules import AppealRules

    rules = AppealRules.default()
    with transaction(db.factory) as session:
        appeal = submit(session)
        handling.dispatch(session, appeal.id, db.user("dispatcher"), rules, department_code="zjj")
        handling.accept(session, appeal.id, db.user("handler_zjj"))
        reply = "已责令停止夜间施工，联系电话13812345678。"
        handling.reply(session, appeal.id, db.user("handler_zjj"), text=reply)
        number = appeal.number
    replied = track(client, number, "5678")
    assert "已责令停止夜间施工" not in replied.text and "待审核" in replied.text
    with transaction(db.factory) as session:
        handling.approve(session, appeal.id, db.user("reviewer"))
    closed = track(client, number, "5678").text
    assert "已办结" in closed and "已责令停止夜间施工" in closed
    assert "13812345678" not in closed
    assert "handler_zjj" not in closed and "区住房和建设局" in closed


def test_track_form_checks_the_digits_format(client):
    response = track(client, "26010100001", "12a")
    assert response.status_code == 422 and "4位数字" in response.text


def test_public_form_errors_keep_the_input(client):
    token = csrf_token(client.get("/public/submit").text)
    response = client.post("/public/submit", data=public_fields(token, appellant_phone="110"))
    assert response.status_code == 422
    assert "电话号码无效" in response.text and 'value="李四"' in response.text
    assert "夜间行人容易踩空" in response.text


def test_public_submit_needs_the_form_token(client):
    client.get("/public/submit")
    response = client.post("/public/submit", data=public_fields("forged"))
    assert response.status_code == 403 and "刷新页面" in response.text and 'value="李四"' in response.text


def test_submitted_page_without_a_submission_goes_back_to_the_form(client):
    response = client.get("/public/submitted", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/public/submit"
