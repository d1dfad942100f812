"""Open311 GeoReport v2: conformance of both formats, filing, reading, filters and errors."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, timedelta
from typing import Any

import pytest
from tests.web_helpers import token_headers

from zhengshu.appeals import open311_filing, open311_requests, open311_services
from zhengshu.appeals.drafts import ANONYMOUS
from zhengshu.appeals.vocabulary import CATEGORIES
from zhengshu.clock import now
from zhengshu.errors import InvalidInput

V2 = "/open311/v2"
FORM = {
    "service_code": "urban-construction",
    "description": "小区门口工地每晚十一点后仍在施工，噪音很大。"
    "我是王小明，电话13912345678，身份证110101199003078515。",
    "phone": "13812345678",
    "last_name": "王",
    "first_name": "小明",
    "email": "wang@example.com",
    "device_id": "device-1",
    "attribute[street]": "坂田街道",
    "address_string": "坂田街道五和大道1号",
    "lat": "22.63",
    "long": "114.06",
}
SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]


def xml(response: Any) -> ET.Element:
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    return ET.fromstring(response.content)


def file(client: Any, **changes: Any) -> str:
    fields = {**FORM, **changes}
    response = client.post(f"{V2}/requests.json", data={k: v for k, v in fields.items() if v is not None})
    assert response.status_code == 201, response.text
    return str(response.json()[0]["service_request_id"])


def spec_errors(response: Any, status: int) -> list[str]:
    assert response.status_code == status, response.text
    body = response.json()
    assert isinstance(body, list) and body
    assert all(set(e) == {"code", "description"} and e["code"] == status for e in body)
    return [e["description"] for e in body]


def test_discovery_in_both_formats(client):
    body = client.get(f"{V2}/discovery.json").json()
    assert {"changeset", "contact", "key_service", "endpoints"} <= set(body)
    assert body["max_requests"] == open311_requests.MAX_REQUESTS
    assert body["coordinate_decimals"] == 3
    [endpoint] = body["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]

    root = xml(client.get(f"{V2}/discovery.xml"))
    assert root.tag == "discovery"
    assert root.findtext("endpoints/endpoint/specification") == "http://wiki.open311.org/GeoReport_v2"
    formats = root.findall("endpoints/endpoint/formats/format")
    assert [f.text for f in formats] == ["text/xml", "application/json"]


def test_services_in_both_formats_one_per_category(client):
    services = client.get(f"{V2}/services.json").json()
    assert [s["service_name"] for s in services] == list(CATEGORIES)
    codes = [s["service_code"] for s in services]
    assert len(set(codes)) == len(codes) and all(c.isascii() for c in codes)
    first = services[0]
    assert list(first) == SERVICE_FIELDS
    assert first["metadata"] is False and first["type"] == "realtime"

    root = xml(client.get(f"{V2}/services.xml"))
    assert root.tag == "services" and len(root) == len(CATEGORIES)
    assert [child.tag for child in root[0]] == list(first)
    assert root[0].findtext("metadata") == "false"

    assert client.get(f"{V2}/services/water.json").json() == {"service_code": "water", "attributes": []}
    definition = xml(client.get(f"{V2}/services/water.xml"))
    assert definition.tag == "service_definition" and definition.findtext("service_code") == "water"
    assert definition.find("attributes") is not None
    assert spec_errors(client.get(f"{V2}/services/no-such.json"), 404)


def test_form_and_json_posts_file_real_appeals(client):
    filed = client.post(f"{V2}/requests.xml", data=FORM)
    assert filed.status_code == 201
    root = xml(filed)
    assert root.tag == "service_requests" and root[0].tag == "request"
    form_number = root.findtext("request/service_request_id")
    assert root.findtext("request/service_notice") and root.find("request/account_id") is not None

    body = {k: v for k, v in FORM.items() if not k.startswith("attribute")}
    body.update(
        {
            "lat": 22.63,
            "long": 114.06,
            "attribute": {"street": "平湖街道", "community": "凤凰社区"},
            "first_name": None,
            "last_name": None,
        }
    )
    response = client.post(f"{V2}/requests.json", json=body)
    assert response.status_code == 201, response.text
    [created] = response.json()
    assert created["account_id"] is None and created["service_request_id"] != form_number

    operator = token_headers(client, "operator")
    form_appeal = client.get(f"/api/v1/appeals/{form_number}", headers=operator).json()
    assert form_appeal["channel"] == "open311" and form_appeal["type"] == "complaint"
    assert form_appeal["category"] == "城乡建设" and form_appeal["street"] == "坂田街道"
    assert form_appeal["appellant"]["name"] == "王小明" and form_appeal["appellant"]["phone"] == "13812345678"
    assert form_appeal["title"] == FORM["description"][:30] + "…"
    json_appeal = client.get(f"/api/v1/appeals/{created['service_request_id']}", headers=operator).json()
    assert json_appeal["appellant"]["name"] == ANONYMOUS and json_appeal["community"] == "凤凰社区"

    [read] = client.get(f"{V2}/requests/{form_number}.json").json()
    assert list(read) == REQUEST_FIELDS
    assert read["service_request_id"] == form_number and read["status"] == "open"
    assert read["service_code"] == "urban-construction" and read["lat"] == 22.63
    one = xml(client.get(f"{V2}/requests/{form_number}.xml"))
    assert [child.tag for child in one[0]] == REQUEST_FIELDS


def test_description_is_masked_and_only_open311_appeals_are_published(client):
    number = file(client)
    [read] = client.get(f"{V2}/requests/{number}.json").json()
    text = str(read)
    assert "13912345678" not in text and "13812345678" not in text and "110101199003078515" not in text
    assert "王小明" not in text and "王**" in read["description"] and "139****5678" in read["description"]

    operator = token_headers(client, "operator")
    hotline = client.post(
        "/api/v1/appeals",
        headers=operator,
        json={
            "channel": "hotline",
            "title": "夜间施工噪音扰民",
            "content": "工地夜间施工，噪音很大。",
            "appellant_name": "李四",
            "appellant_phone": "13812345678",
            "street": "坂田街道",
        },
    ).json()["number"]
    assert spec_errors(client.get(f"{V2}/requests/{hotline}.json"), 404)
    listed = client.get(f"{V2}/requests.json").json()
    assert [r["service_request_id"] for r in listed] == [number]


def test_published_coordinates_are_rounded_to_about_100_metres(client):
    number = file(client, lat="22.634567", long="114.061234")
    [read] = client.get(f"{V2}/requests/{number}.json").json()
    assert (read["lat"], read["long"]) == (22.635, 114.061)
    root = xml(client.get(f"{V2}/requests/{number}.xml"))
    assert (root.findtext("request/lat"), root.findtext("request/long")) == ("22.635", "114.061")
    [listed] = client.get(f"{V2}/requests.json").json()
    assert (listed["lat"], listed["long"]) == (22.635, 114.061)
    # Staff keep the exact position.
    operator = token_headers(client, "operator")
    appeal = client.get(f"/api/v1/appeals/{number}", headers=operator).json()
    assert (appeal["latitude"], appeal["longitude"]) == (22.634567, 114.061234)


def test_walked_to_closure_the_request_is_closed_with_the_masked_reply(client):
    number = file(client)
    client.post(
        f"/api/v1/appeals/{number}/dispatch",
        json={"department": "zjj"},
        headers=token_headers(client, "dispatcher"),
    )
    handler = token_headers(client, "handler_zjj")
    assert client.post(f"/api/v1/appeals/{number}/accept", json={}, headers=handler).status_code == 200
    [handling] = client.get(f"{V2}/requests/{number}.json").json()
    assert handling["status"] == "open" and handling["status_notes"] == "办理中"
    assert handling["agency_responsible"] == "区住房和建设局" and handling["expected_datetime"]
    reply = "已责令工地夜间停工，并已电话13912345678告知王小明。"
    client.post(f"/api/v1/appeals/{number}/reply", json={"text": reply}, headers=handler)
    reviewer = token_headers(client, "reviewer")
    closed = client.post(f"/api/v1/appeals/{number}/approve", json={}, headers=reviewer)
    assert closed.json()["status"] == "closed"

    [read] = client.get(f"{V2}/requests/{number}.json").json()
    assert read["status"] == "closed"
    assert read["status_notes"] == "已责令工地夜间停工，并已电话139****5678告知王**。"
    assert read["updated_datetime"] >= read["requested_datetime"]
    root = xml(client.get(f"{V2}/requests.xml?service_request_id={number}"))
    assert root.findtext("request/status") == "closed"


def test_filters_by_status_service_and_date(client):
    noise = file(client)
    water = file(client, service_code="water", description="小区停水两天了，请尽快恢复供水。")
    client.post(
        f"/api/v1/appeals/{noise}/dispatch",
        json={"department": "zjj"},
        headers=token_headers(client, "dispatcher"),
    )

    def ids(query: str) -> list[str]:
        response = client.get(f"{V2}/requests.json?{query}")
        assert response.status_code == 200, response.text
        return [r["service_request_id"] for r in response.json()]

    assert ids("") == [water, noise]
    assert ids("service_code=water") == [water]
    assert ids("service_code=water,urban-construction") == [water, noise]
    assert ids("status=open") == [water, noise] and ids("status=closed") == []
    assert ids(f"service_request_id={noise},{water},99999999999") == [noise, water]
    today = now().date()
    assert ids(f"start_date={today}") == [water, noise]
    assert ids(f"end_date={today}") == [water, noise]  # a date names the whole day
    assert ids(f"end_date={today - timedelta(days=1)}") == []
    assert ids(f"start_date={today + timedelta(days=1)}") == []
    moment = now().replace(microsecond=0)
    since = (moment - timedelta(hours=1)).isoformat()
    assert ids(f"start_date={since}") == [water, noise]  # "+08:00" unencoded arrives as " 08:00"
    utc = (moment - timedelta(hours=1)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ids(f"start_date={utc}&service_code=water") == [water]


@pytest.mark.parametrize(
    ("changes", "status", "needle"),
    [
        ({"service_code": None}, 400, "service_code"),
        ({"service_code": "potholes"}, 400, "potholes"),
        ({"phone": None}, 400, "phone"),
        ({"phone": "12345"}, 400, "电话号码无效"),
        ({"phone": "0755 2890"}, 400, "电话号码无效"),
        ({"lat": "95"}, 400, "lat"),
        ({"lat": "north"}, 400, "lat"),
        ({"lat": None}, 400, "经纬度须同时填写"),
        ({"lat": None, "long": None, "address_string": None, "attribute[street]": None}, 400, "位置"),
        ({"description": "吵"}, 400, "description"),
        ({"media_url": "ftp://example.com/a.jpg"}, 400, "media_url"),
        ({"address_id": "abc", "attribute[street]": None}, 400, "address_id"),
        ({"attribute[street]": "火星街道"}, 404, "火星街道"),
    ],
)
def test_bad_submissions_get_spec_errors(client, changes, status, needle):
    fields = {k: v for k, v in {**FORM, **changes}.items() if v is not None}
    descriptions = spec_errors(client.post(f"{V2}/requests.json", data=fields), status)
    assert any(needle in d for d in descriptions), descriptions


@pytest.mark.parametrize(
    ("phone", "stored"),
    [
        ("0755 2890 1234", "0755-28901234"),
        ("(0755) 2890-1234", "0755-28901234"),
        ("+86 139 1234 5678", "13912345678"),
        ("２８９０１２３４", "28901234"),
    ],
)
def test_phones_are_accepted_as_the_rest_of_the_server_accepts_them(client, phone, stored):
    number = file(client, phone=phone)
    operator = token_headers(client, "operator")
    assert client.get(f"/api/v1/appeals/{number}", headers=operator).json()["appellant"]["phone"] == stored


def test_bad_reads_and_transport_errors_get_spec_errors(client):
    assert spec_errors(client.get(f"{V2}/requests/00000000000.json"), 404)
    assert spec_errors(client.get(f"{V2}/requests/not-a-number.json"), 404)
    assert "start_date" in spec_errors(client.get(f"{V2}/requests.json?start_date=2024-13-01"), 400)[0]
    assert "end_date" in spec_errors(client.get(f"{V2}/requests.json?end_date=yesterday"), 400)[0]
    assert client.get(f"{V2}/requests.json?start_date=2024-05-02&end_date=2024-05-01").json() == []
    assert spec_errors(client.get(f"{V2}/requests.json?status=pending"), 400)
    assert spec_errors(client.get(f"{V2}/requests.json?service_code=potholes"), 400)
    assert spec_errors(client.get(f"{V2}/requests.json?service_request_id=1;DROP"), 400)
    assert client.get(f"{V2}/requests.json?start_date=0001-01-01&end_date=9999-12-31T23:59:59Z").json() == []
    assert spec_errors(client.get(f"{V2}/services.csv"), 404)
    assert spec_errors(client.get(f"{V2}/discovery"), 404)
    assert spec_errors(
        client.post(f"{V2}/requests.json", content=b"{no", headers={"content-type": "application/json"}), 400
    )
    assert spec_errors(client.post(f"{V2}/requests.json", json=["service_code"]), 400)
    assert spec_errors(client.post(f"{V2}/requests.json", json={**FORM, "phone": 13812345678}), 400)
    assert spec_errors(
        client.post(f"{V2}/requests.json", content=b"x", headers={"content-type": "text/plain"}), 415
    )
    # Characters PostgreSQL text and XML cannot carry are dropped, not a server error.
    assert spec_errors(client.post(f"{V2}/requests.json", json=FORM), 400)  # JSON coordinates are numbers
    dirty_text = "噪音\x00扰民\ud800严重，请处理。"
    raw = json.dumps({**FORM, "lat": 22.6, "long": 114.1, "description": dirty_text}).encode()
    dirty = client.post(f"{V2}/requests.json", content=raw, headers={"content-type": "application/json"})
    number = dirty.json()[0]["service_request_id"]
    root = xml(client.get(f"{V2}/requests/{number}.xml"))
    assert root.findtext("request/description") == "噪音扰民严重，请处理。"

    error = xml(client.post(f"{V2}/requests.xml", data={"phone": "13812345678"}))
    assert error.tag == "errors" and error[0].tag == "error"
    assert error.findtext("error/code") == "400"
    assert "service_code" in (error.findtext("error/description") or "")


def test_routes_are_in_the_openapi_schema_with_the_two_formats(client):
    schema = client.get("/openapi.json").json()
    paths = {p: ops for p, ops in schema["paths"].items() if p.startswith(V2)}
    assert set(paths) == {
        f"{V2}/discovery.{{format}}",
        f"{V2}/services.{{format}}",
        f"{V2}/services/{{service_code}}.{{format}}",
        f"{V2}/requests.{{format}}",
        f"{V2}/requests/{{service_request_id}}.{{format}}",
    }
    post = paths[f"{V2}/requests.{{format}}"]["post"]
    assert set(post["requestBody"]["content"]) == {"application/x-www-form-urlencoded", "application/json"}
    fmt = next(p for p in post["parameters"] if p["name"] == "format")
    enum = schema["components"]["schemas"][fmt["schema"]["$ref"].split("/")[-1]]["enum"]
    assert enum == ["json", "xml"]
    # What a phone number is, is decided by normalize_phone alone: no second rule in the schema.
    for content in post["requestBody"]["content"].values():
        phone = content["schema"]["properties"]["phone"]
        assert "pattern" not in phone and phone["maxLength"] == 32
    get = paths[f"{V2}/requests.{{format}}"]["get"]
    assert "3 位小数" in get["description"]


def test_every_category_has_a_service_code():
    assert [s.category for s in open311_services.services()] == list(CATEGORIES)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2024-05-01", "2024-05-01T00:00:00+08:00", "2024-05-02T00:00:00+08:00"),
        ("2024-05", "2024-05-01T00:00:00+08:00", "2024-06-01T00:00:00+08:00"),
        ("2024-12", "2024-12-01T00:00:00+08:00", "2025-01-01T00:00:00+08:00"),
        ("2024-05-01T08:00Z", "2024-05-01T16:00:00+08:00", "2024-05-01T16:01:00+08:00"),
        ("2024-05-01T08:00:00 08:00", "2024-05-01T08:00:00+08:00", "2024-05-01T08:00:01+08:00"),
        ("2016-12-31T23:59:60Z", "2017-01-01T07:59:59+08:00", "2017-01-01T08:00:00+08:00"),
    ],
)
def test_w3c_periods(text, start, end):
    period = open311_requests.parse_period(text, "start_date")
    assert (period.start.isoformat(), period.end.isoformat()) == (start, end)


def test_extreme_dates_are_kept_within_range():
    assert (
        open311_requests.parse_period("9999-12-31T23:59:59-12:00", "end_date").end == open311_requests.LATEST
    )
    assert (
        open311_requests.parse_period("0001-01-01T00:00+14:00", "start_date").start
        == open311_requests.EARLIEST
    )
    where = open311_requests.request_filter(
        service_code=None, status=None, start_date=None, end_date="0001-01-01", moment=now()
    )
    assert where.start == open311_requests.EARLIEST


@pytest.mark.parametrize(
    "text", ["2024-02-30", "2024-05-01T25:00Z", "2024-05-01T08:00+24:00", "05/01/2024", "0000"]
)
def test_bad_w3c_dates_are_invalid_input(text):
    with pytest.raises(InvalidInput):
        open311_requests.parse_period(text, "end_date")


def test_names_in_chinese_order():
    assert open311_filing.appellant_name("小明", "王") == "王小明"
    assert open311_filing.appellant_name("Ada", "Lovelace") == "Ada Lovelace"
    assert open311_filing.appellant_name(None, " ") == ANONYMOUS
