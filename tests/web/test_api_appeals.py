from __future__ import annotations

from tests.web_helpers import token_headers

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
