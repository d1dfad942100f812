from __future__ import annotations

from tests.pages.helpers import csrf_token, login
from tests.web_helpers import token_headers

from zhengshu.appeals.import_samples import generate_rows, rows_to_csv

APPEAL = {
    "channel": "hotline",
    "type": "complaint",
    "title": "小区门口夜间施工噪音扰民",
    "content": "工地每晚十一点后仍在施工，噪音很大。我的电话13912345678，请回电。",
    "appellant_name": "李四",
    "appellant_phone": "13812345678",
    "street": "坂田街道",
}


def test_operator_files_and_everyone_walks_it_to_closure(client):
    operator = token_headers(client, "operator")
    created = client.post("/api/v1/appeals", json=APPEAL, headers=operator)
    assert created.status_code == 201, created.text
    number = created.json()["number"]
    assert created.json()["appellant"]["phone"] == "13812345678"

    dispatcher = token_headers(client, "dispatcher")
    response = client.post(
        f"/api/v1/appeals/{number}/dispatch", json={"department": "zjj"}, headers=dispatcher
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "dispatched" and response.json()["due_at"]

    handler = token_headers(client, "handler_zjj")
    version = client.get(f"/api/v1/appeals/{number}", headers=handler).json()["version"]
    assert (
        client.post(
            f"/api/v1/appeals/{number}/accept", json={"version": version}, headers=handler
        ).status_code
        == 200
    )
    stale = client.post(
        f"/api/v1/appeals/{number}/reply", json={"text": "已处理", "version": version}, headers=handler
    )
    assert stale.status_code == 409 and stale.headers["content-type"].startswith("application/problem+json")
    replied = client.post(
        f"/api/v1/appeals/{number}/reply", json={"text": "已责令工地夜间停工。"}, headers=handler
    )
    assert replied.json()["status"] == "replied"

    reviewer = token_headers(client, "reviewer")
    closed = client.post(f"/api/v1/appeals/{number}/approve", json={}, headers=reviewer)
    assert closed.json()["status"] == "closed"
    followed = client.post(
        f"/api/v1/appeals/{number}/follow-up", json={"satisfaction": "satisfied"}, headers=operator
    )
    assert followed.json()["satisfaction_label"] == "满意"
    actions = [e["action"] for e in followed.json()["timeline"]]
    assert actions == [
        "appeal.submitted",
        "appeal.dispatched",
        "appeal.accepted",
        "appeal.replied",
        "appeal.closed",
        "appeal.followed_up",
    ]


def test_other_department_cannot_see_appeal_and_leader_sees_masked_pii(client):
    operator = token_headers(client, "operator")
    number = client.post("/api/v1/appeals", json=APPEAL, headers=operator).json()["number"]
    client.post(
        f"/api/v1/appeals/{number}/dispatch",
        json={"department": "zjj"},
        headers=token_headers(client, "dispatcher"),
    )
    other = client.get(f"/api/v1/appeals/{number}", headers=token_headers(client, "handler_cgj"))
    assert other.status_code == 404
    leader = client.get(f"/api/v1/appeals/{number}", headers=token_headers(client, "leader")).json()
    assert leader["appellant"] == {"name": "李*", "phone": "138****5678", "id_number": None, "masked": True}
    assert "13912345678" not in leader["content"] and "139****5678" in leader["content"]


def test_notes_in_the_timeline_are_masked_for_viewers_without_permission(client):
    operator = token_headers(client, "operator")
    number = client.post("/api/v1/appeals", json=APPEAL, headers=operator).json()["number"]
    client.post(
        f"/api/v1/appeals/{number}/dispatch",
        json={"department": "zjj", "note": "请联系诉求人13912345678核实"},
        headers=token_headers(client, "dispatcher"),
    )
    leader = client.get(f"/api/v1/appeals/{number}", headers=token_headers(client, "leader")).json()
    notes = [e["data"].get("note") for e in leader["timeline"] if e["action"] == "appeal.dispatched"]
    assert notes == ["请联系诉求人139****5678核实"]
    reviewer = client.get(f"/api/v1/appeals/{number}", headers=token_headers(client, "reviewer")).json()
    assert "13912345678" in str(reviewer["timeline"])


def test_bad_input_gets_problem_details_never_500(client):
    operator = token_headers(client, "operator")
    malformed = client.post(
        "/api/v1/appeals", content=b"{not json", headers={**operator, "content-type": "application/json"}
    )
    assert malformed.status_code == 400 and malformed.json()["status"] == 400
    wrong = client.post("/api/v1/appeals", json={**APPEAL, "appellant_phone": "12"}, headers=operator)
    assert wrong.status_code == 422 and "电话" in wrong.json()["detail"]
    street = client.post("/api/v1/appeals", json={**APPEAL, "street": "不存在街道"}, headers=operator)
    assert street.status_code == 404 and "街道" in street.json()["detail"]
    huge = client.post("/api/v1/appeals", json={**APPEAL, "content": "字" * 2_000_000}, headers=operator)
    assert huge.status_code == 413
    anonymous = client.post("/api/v1/appeals", json=APPEAL)
    assert anonymous.status_code == 401
    illegal = client.post("/api/v1/appeals/00000000000/accept", json={}, headers=operator)
    assert illegal.status_code == 404


def test_public_submit_and_track(client):
    public = {k: v for k, v in APPEAL.items() if k != "channel"}
    created = client.post("/api/v1/public/appeals", json=public)
    assert created.status_code == 201
    number = created.json()["number"]
    tracked = client.post("/api/v1/public/track", json={"number": number, "phone_last4": "5678"})
    assert tracked.status_code == 200
    body = tracked.json()
    assert body["status_label"] == "待分拨" and "actor" not in body["timeline"][0]
    assert "13912345678" not in str(body)
    wrong = client.post("/api/v1/public/track", json={"number": number, "phone_last4": "0000"})
    assert wrong.status_code == 404


def test_the_operator_api_cannot_file_into_the_open311_channel(client):
    operator = token_headers(client, "operator")
    refused = client.post("/api/v1/appeals", json={**APPEAL, "channel": "open311"}, headers=operator)
    assert refused.status_code == 422
    assert refused.json()["errors"] == {"channel": "Open311 渠道仅限 Open311 接口使用"}
    assert client.get("/open311/v2/requests.json").json() == []


def test_public_submission_schema_carries_the_drafts_limits(client):
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    public, draft = schemas["PublicAppeal"], schemas["AppealDraft"]
    assert not {"channel", "urgency", "category", "external_id"} & set(public["properties"])
    assert set(public["properties"]) < set(draft["properties"])
    for name, field in public["properties"].items():
        assert field == draft["properties"][name], name
    assert (
        public["properties"]["title"]["maxLength"] == 200
        and public["properties"]["content"]["minLength"] == 5
    )
    assert public["properties"]["latitude"]["anyOf"][0]["maximum"] == 90
    assert public.get("additionalProperties") is False
    too_long = client.post(
        "/api/v1/public/appeals",
        json={**{k: v for k, v in APPEAL.items() if k != "channel"}, "title": "长" * 201},
    )
    assert too_long.status_code == 422 and "title" in too_long.json()["errors"]
    assert client.post("/api/v1/public/appeals", json=APPEAL).status_code == 422  # no channel here


# --- the CSRF rule: a page session's unsafe API request shows the page's token ------------------


def test_a_page_session_must_send_its_csrf_token_to_the_api(client):
    login(client, "operator")
    token = csrf_token(client.get("/").text)
    refused = client.post("/api/v1/appeals", json=APPEAL)
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["type"].endswith("/csrf") and "刷新页面" in refused.json()["detail"]
    wrong = client.post("/api/v1/appeals", json=APPEAL, headers={"X-CSRF-Token": token + "x"})
    assert wrong.status_code == 403
    assert client.get("/api/v1/appeals").json()["total"] == 0
    created = client.post("/api/v1/appeals", json=APPEAL, headers={"X-CSRF-Token": token})
    assert created.status_code == 201, created.text
    number = created.json()["number"]
    # Reading needs no token.
    assert client.get(f"/api/v1/appeals/{number}").status_code == 200
    assert client.get("/api/v1/me").status_code == 200


def test_a_workflow_action_with_the_page_session_needs_the_token(client):
    number = client.post("/api/v1/appeals", json=APPEAL, headers=token_headers(client, "operator")).json()[
        "number"
    ]
    login(client, "dispatcher")
    token = csrf_token(client.get("/").text)
    url = f"/api/v1/appeals/{number}/dispatch"
    refused = client.post(url, json={"department": "zjj"})
    assert refused.status_code == 403 and refused.json()["type"].endswith("/csrf")
    assert client.get(f"/api/v1/appeals/{number}").json()["status"] == "submitted"
    done = client.post(url, json={"department": "zjj"}, headers={"X-CSRF-Token": token})
    assert done.status_code == 200 and done.json()["status"] == "dispatched"


def test_a_bearer_token_needs_no_csrf_token_even_beside_a_page_session(client):
    headers = token_headers(client, "operator")
    assert client.post("/api/v1/appeals", json=APPEAL, headers=headers).status_code == 201
    login(client, "dispatcher")
    # The bearer token decides who calls, and no other site can send it.
    with_cookie = client.post("/api/v1/appeals", json=APPEAL, headers=headers)
    assert with_cookie.status_code in (200, 201), with_cookie.text


def test_an_upload_with_the_page_session_may_carry_the_token_as_a_form_field(client, db):
    login(client, "dispatcher")
    token = csrf_token(client.get("/").text)
    rows = generate_rows(1, seed=3)
    files = {"file": ("诉求.csv", rows_to_csv(rows), "text/csv")}
    refused = client.post("/api/v1/appeals/import", files=files, data={"csrf_token": "forged"})
    assert refused.status_code == 403 and refused.json()["type"].endswith("/csrf")
    accepted = client.post("/api/v1/appeals/import", files=files, data={"csrf_token": token})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["created"] == 1


# --- lists: who may open them ----------------------------------------------------------------


def test_deadline_lists_and_supervision_list_follow_the_roles_table(client):
    for username, queue, expected in [
        ("operator", "overdue", 200),
        ("handler_zjj", "near-due", 200),
        ("leader", "overdue", 200),
        ("handler_zjj", "dispatch", 403),
        ("admin", "inbox", 404),
        ("supervisor", "nothing", 404),
    ]:
        response = client.get(f"/api/v1/queues/{queue}", headers=token_headers(client, username))
        assert response.status_code == expected, (username, queue, response.text)
    for username, expected in [("operator", 403), ("reviewer", 200), ("handler_zjj", 200), ("leader", 200)]:
        response = client.get("/api/v1/supervision", headers=token_headers(client, username))
        assert response.status_code == expected, (username, response.text)
    refused = client.get("/api/v1/supervision", headers=token_headers(client, "operator"))
    assert refused.headers["content-type"].startswith("application/problem+json")


def test_keyword_search_treats_wildcards_literally(client):
    operator = token_headers(client, "operator")
    client.post("/api/v1/appeals", json={**APPEAL, "title": "满意率100%的小区路灯不亮"}, headers=operator)
    client.post("/api/v1/appeals", json={**APPEAL, "title": "小区路灯不亮已两周"}, headers=operator)
    found = client.get("/api/v1/appeals", params={"q": "%"}, headers=operator).json()
    assert [a["title"] for a in found["items"]] == ["满意率100%的小区路灯不亮"]
    assert client.get("/api/v1/appeals", params={"q": "_"}, headers=operator).json()["total"] == 0


def test_reply_withdraws_a_pending_extension_and_the_page_still_renders(client):
    operator = token_headers(client, "operator")
    number = client.post("/api/v1/appeals", json=APPEAL, headers=operator).json()["number"]
    client.post(
        f"/api/v1/appeals/{number}/dispatch",
        json={"department": "zjj"},
        headers=token_headers(client, "dispatcher"),
    )
    handler = token_headers(client, "handler_zjj")
    client.post(f"/api/v1/appeals/{number}/accept", json={}, headers=handler)
    asked = client.post(
        f"/api/v1/appeals/{number}/extension", json={"days": 3, "reason": "需现场复核"}, headers=handler
    )
    assert asked.status_code == 200, asked.text
    replied = client.post(f"/api/v1/appeals/{number}/reply", json={"text": "已处理完毕"}, headers=handler)
    assert replied.status_code == 200
    event = [e for e in replied.json()["timeline"] if e["action"] == "appeal.replied"][0]
    assert "withdrawn_extension" in event["data"]
    login(client, "reviewer")
    page = client.get(f"/appeals/{number}")
    assert page.status_code == 200 and "已撤回" in page.text


def test_issuing_a_token_is_audited(client, db):
    from sqlalchemy import select

    from zhengshu.audit import AuditEvent

    token_headers(client, "supervisor")
    with db.factory() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "user.token_issued")).all()
    assert [e.subject_id for e in events] == [db.user("supervisor").id]
    assert "token" not in str(events[0].data).replace("token_id", "")
