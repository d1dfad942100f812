from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests.pages.helpers import csrf_token, login
from tests.web_helpers import token_headers

from zhengshu.appeals.import_samples import generate_rows, rows_to_csv, rows_to_xlsx
from zhengshu.appeals.models import Appeal
from zhengshu.audit import AuditEvent
from zhengshu.db import transaction
from zhengshu.settings import Settings
from zhengshu.web.app import create_app

URL = "/api/v1/appeals/import"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(rows: list[dict[str, str]], kind: str = "xlsx") -> dict[str, tuple[str, bytes, str]]:
    if kind == "xlsx":
        return {"file": ("诉求.xlsx", rows_to_xlsx(rows), XLSX)}
    return {"file": ("诉求.csv", rows_to_csv(rows), "text/csv")}


def appeal_count(db) -> int:
    with transaction(db.factory) as session:
        return session.scalar(select(func.count()).select_from(Appeal)) or 0


def import_events(db) -> list[AuditEvent]:
    with transaction(db.factory) as session:
        events = list(session.scalars(select(AuditEvent).where(AuditEvent.action == "appeal.imported")))
        session.expunge_all()
        return events


def bad_rows() -> list[dict[str, str]]:
    rows = generate_rows(4, seed=7)
    rows[1]["联系电话"] = "123"
    rows[3]["外部编号"] = ""
    return rows


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_dispatcher_imports_a_file_and_a_second_upload_files_nothing(client, db, kind):
    headers = token_headers(client, "dispatcher")
    rows = generate_rows(3, seed=1)
    response = client.post(URL, files=upload(rows, kind), headers=headers)
    assert response.status_code == 200, response.text
    assert response.json() == {"total": 3, "created": 3, "unchanged": 0, "errors": []}
    assert appeal_count(db) == 3
    [event] = import_events(db)
    assert event.actor_id == db.user("dispatcher").id and event.data["source"] == f"诉求.{kind}"

    again = client.post(URL, files=upload(rows, kind), headers=headers)
    assert again.status_code == 200, again.text
    assert again.json() == {"total": 3, "created": 0, "unchanged": 3, "errors": []}
    assert appeal_count(db) == 3


def test_rows_with_errors_are_listed_and_nothing_is_filed(client, db):
    headers = token_headers(client, "dispatcher")
    response = client.post(URL, files=upload(bad_rows(), "csv"), headers=headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == 422
    assert body["detail"] == "导入失败：共 2 处错误，本批未导入任何诉求"
    by_row = {(e["row"], e["field"]): e["message"] for e in body["errors_by_row"]}
    # The header is row 1: the second and fourth data rows are rows 3 and 5.
    assert set(by_row) == {(3, "appellant_phone"), (5, "external_id")}
    assert "电话号码无效" in by_row[3, "appellant_phone"] and "必填" in by_row[5, "external_id"]
    assert body["errors"] == {
        "appellant_phone": "第 3 行：" + by_row[3, "appellant_phone"],
        "external_id": "第 5 行：" + by_row[5, "external_id"],
    }
    assert appeal_count(db) == 0 and import_events(db) == []


def test_handler_may_not_import(client, db):
    headers = token_headers(client, "handler_zjj")
    response = client.post(URL, files=upload(generate_rows(1)), headers=headers)
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "无权" in response.json()["detail"]
    assert appeal_count(db) == 0


def test_import_needs_a_login(client, db):
    response = client.post(URL, files=upload(generate_rows(1)))
    assert response.status_code == 401 and response.json()["detail"] == "请先登录"
    bad_token = client.post(URL, files=upload(generate_rows(1)), headers={"Authorization": "Bearer nope"})
    assert bad_token.status_code == 401
    assert appeal_count(db) == 0


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("诉求.xlsx", b"PK\x03\x04 this is not a workbook", "无法读取该 Excel 文件"),
        ("诉求.xls", b"\xd0\xcf\x11\xe0", "另存为 .xlsx"),
        ("诉求.csv", b"", "文件是空的"),
        ("诉求.csv", "标题,内容\n只有标题,没有别的\n".encode(), "缺少必需的列"),
    ],
)
def test_unreadable_files_are_refused_in_chinese(client, db, filename, data, message):
    headers = token_headers(client, "dispatcher")
    response = client.post(URL, files={"file": (filename, data, "application/octet-stream")}, headers=headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert message in response.json()["detail"]
    assert appeal_count(db) == 0


def test_missing_file_is_a_chinese_422(client):
    headers = token_headers(client, "dispatcher")
    for request in (
        {},
        {"data": {"file": "not a file"}, "files": {"other": ("a.csv", b"x", "text/csv")}},
        {"files": {"file": ("", b"", "application/octet-stream")}},
        {"json": {"file": "x"}},
    ):
        response = client.post(URL, headers=headers, **request)
        assert response.status_code == 422, (request, response.text)
        assert response.json()["detail"].startswith("请选择要导入的文件")
        assert response.json()["errors"] == {"file": "请选择文件"}


def test_a_browser_session_must_send_its_csrf_token(client, db):
    login(client, "dispatcher")
    token = csrf_token(client.get("/appeals/import").text)
    refused = client.post(URL, files=upload(generate_rows(1)))
    assert refused.status_code == 403 and "刷新页面" in refused.json()["detail"]
    accepted = client.post(URL, files=upload(generate_rows(1)), headers={"X-CSRF-Token": token})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["created"] == 1 and appeal_count(db) == 1


def test_an_upload_over_the_limit_is_refused(db):
    app = create_app(Settings(database_url=db.url, dev=True, max_upload_bytes=4096))
    with TestClient(app) as client:
        headers = token_headers(client, "dispatcher")
        response = client.post(URL, files=upload(generate_rows(200)), headers=headers)
    assert response.status_code == 413
    assert appeal_count(db) == 0


def test_the_operation_is_described_in_the_openapi_schema(client):
    operation = client.get("/openapi.json").json()["paths"][URL]["post"]
    body = operation["requestBody"]
    assert body["required"] is True
    schema = body["content"]["multipart/form-data"]["schema"]
    assert schema["required"] == ["file"] and schema["properties"]["file"]["format"] == "binary"
    assert {"200", "401", "403", "413", "422"} <= set(operation["responses"])
