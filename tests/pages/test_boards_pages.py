"""The dashboards over HTTP: who may open them, the JSON their charts draw, the drill-down pages, the
.xlsx exports (personal information masked unless the viewer may see it), and bad input."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from tests.appeals.helpers import submit
from tests.conftest import PASSWORD
from tests.pages.helpers import login

from zhengshu.appeals.workflow import Status
from zhengshu.db import transaction

API = "/api/v1/boards"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PROBLEM = "application/problem+json"
FORMULA = '=HYPERLINK("http://evil.example")'
ENDPOINTS = (
    "/map",
    "/map?measure=change&type=complaint",
    "/map/street?street=440307003",
    "/map/points",
    "/map/geo",
    "/handling/overview",
    "/handling/due?department=zjj",
    "/handling/streets",
    "/handling/assessment",
    "/handling/supervision",
    "/appeals?measure=received",
)


def _seed(db, count: int = 6) -> None:
    with transaction(db.factory) as session:
        for index in range(count):
            title = '=HYPERLINK("http://evil.example")' if index == 0 else f"小区门口夜间施工噪音扰民{index}"
            submit(session, title=title, appellant_name="王小明", appellant_phone="13912345678")


def _token(client, username: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_the_api_answers_leaders_and_refuses_others(db, client):
    _seed(db)
    leader = _token(client, "leader")
    for path in ENDPOINTS:
        response = client.get(API + path, headers=leader)
        assert response.status_code == 200, (path, response.text)
    data = client.get(f"{API}/map", headers=leader).json()
    assert len(data["streets"]) == 11 and data["total"] == 6
    assert next(s for s in data["streets"] if s["name"] == "平湖街道")["count"] == 6
    geo = client.get(f"{API}/map/geo", headers=leader).json()
    assert geo["schematic"] is True and "示意" in geo["source"]
    assert len(geo["geojson"]["features"]) == 11
    assert client.get(f"{API}/map").status_code == 401
    handler = _token(client, "handler_zjj")
    refused = client.get(f"{API}/handling/overview", headers=handler)
    assert refused.status_code == 403 and refused.headers["content-type"].startswith(
        "application/problem+json"
    )


@pytest.mark.parametrize(
    ("query", "status", "detail"),
    [
        ("/map?first=2026-13-01", 422, "格式"),
        ("/map?first=2026-03-02&last=2026-03-01", 422, "不能晚于"),
        ("/map?measure=volume", 422, None),
        ("/map/street", 422, "请指定街道"),
        ("/map/street?street=440307999", 404, "街道代码不存在"),
        ("/handling/due?department=nope", 404, "承办单位代码不存在"),
        ("/handling/overview?type=rumour", 422, "未知的诉求类型"),
        ("/appeals?measure=everything", 422, "未知的统计口径"),
        ("/appeals?page=0", 422, None),
        (f"/map?category={'类' * 65}", 422, None),
        ("/handling/overview?street=%00", 422, "控制字符"),
    ],
)
def test_bad_input_is_a_problem_in_chinese(db, client, query, status, detail):
    response = client.get(API + query, headers=_token(client, "leader"))
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    if detail:
        assert detail in response.json()["detail"]


def test_pages_are_in_the_menu_of_leaders_only(db, client):
    login(client, "leader")
    home = client.get("/")
    assert 'href="/boards/map"' in home.text and 'href="/boards/handling"' in home.text
    for path in ("/boards/map", "/boards/handling"):
        page = client.get(path)
        assert page.status_code == 200
        assert 'data-board="' in page.text and "/static/vendor/echarts-6.1.0/echarts.min.js" in page.text
    client.post(
        "/logout", data={"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', home.text).group(1)}
    )
    login(client, "handler_zjj")
    assert 'href="/boards/map"' not in client.get("/").text
    refused = client.get("/boards/handling")
    assert refused.status_code == 403 and "无权" in refused.text


def test_a_bad_filter_on_a_page_is_a_chinese_error_page(db, client):
    login(client, "leader")
    page = client.get("/boards/map?first=2026-02-30")
    assert page.status_code == 422
    assert "开始日期格式应为" in page.text and "Traceback" not in page.text
    drill = client.get("/boards/appeals?measure=nonsense")
    assert drill.status_code == 422 and "未知的统计口径" in drill.text
    for path in ("/boards/handling?street=%00", "/boards/export/streets.xlsx?category=%00"):
        refused = client.get(path)
        assert refused.status_code == 422 and "控制字符" in refused.text, path


def test_the_drill_down_page_lists_the_appeals_behind_a_number(db, client):
    _seed(db)
    login(client, "leader")
    page = client.get("/boards/appeals?measure=received&street=440307003")
    assert page.status_code == 200
    assert re.search(r'id="drill-total">6<', page.text)
    assert "13912345678" not in page.text  # a leader does not see phone numbers
    live = client.get("/boards/appeals?measure=awaiting_dispatch")
    assert "此刻在办的诉求" in live.text and re.search(r'id="drill-total">6<', live.text)


def _sheet(response) -> list[tuple]:
    assert response.status_code == 200, response.text
    assert (
        response.headers["content-type"]
        == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in response.headers["content-disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    return list(workbook.active.iter_rows(values_only=True))


def _header(rows: list[tuple]) -> tuple:
    """The row after the blank one that ends the caption."""
    blank = next(i for i, row in enumerate(rows) if all(cell is None for cell in row))
    return rows[blank + 1]


def test_every_table_exports_with_its_filters(db, client):
    _seed(db)
    login(client, "leader")
    for name in (
        "streets",
        "categories",
        "communities",
        "due_departments",
        "due_streets",
        "street_rates",
        "assessment",
        "supervision",
    ):
        rows = _sheet(client.get(f"/boards/export/{name}.xlsx?type=complaint&street=440307003"))
        assert rows[1][0].startswith("筛选条件：") and "平湖街道" in rows[1][0], name
        header = _header(rows)
        assert all(cell for cell in header), (name, header)
    streets = _sheet(client.get("/boards/export/streets.xlsx"))
    body = streets[streets.index(_header(streets)) + 1 :]
    assert len(body) == 11 and sum(r[1] for r in body) == 6
    assessment = _sheet(client.get("/boards/export/assessment.xlsx"))
    assert any(r[0] and str(r[0]).startswith("得分 =") for r in assessment)
    assert client.get("/boards/export/nothing.xlsx").status_code == 404


def test_exported_appeals_mask_personal_information_unless_permitted(db, client):
    _seed(db)
    login(client, "leader")
    rows = _sheet(client.get("/boards/export/appeals.xlsx?measure=received"))
    header_at = rows.index(_header(rows))
    header, body = rows[header_at], rows[header_at + 1 :]
    phone, name, title = header.index("联系电话"), header.index("诉求人"), header.index("标题")
    assert len(body) == 6
    assert all("*" in r[phone] and r[phone] != "13912345678" for r in body)
    assert all(r[name] != "王小明" for r in body)
    # A title typed as a formula stays text.
    assert any(r[title] == FORMULA for r in body)
    client.cookies.clear()
    login(client, "dispatcher")
    rows = _sheet(client.get("/boards/export/appeals.xlsx?measure=received"))
    assert any(r[phone] == "13912345678" for r in rows[header_at + 1 :])


def test_a_status_change_shows_on_the_board_at_once(db, client):
    _seed(db, 2)
    leader = _token(client, "leader")
    before = client.get(f"{API}/handling/overview", headers=leader).json()
    backlog = {b["key"]: b["count"] for b in before["backlog"]}
    assert backlog["status_submitted"] == 2 and before["rates"]["received"] == 2
    _seed(db, 1)
    after = client.get(f"{API}/handling/overview", headers=leader).json()
    assert {b["key"]: b["count"] for b in after["backlog"]}["status_submitted"] == 3
    assert after["rates"]["received"] == 3
    assert Status.SUBMITTED.label == "待分拨"
