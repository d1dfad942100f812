"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) under /open311/v2/.

Every answer comes in the format the path's suffix names, .json or .xml, errors included: a list
of {code, description} with the HTTP status as code. Filing goes through the one intake path,
zhengshu.appeals.intake.submit_appeal; what the fields mean is decided in the
zhengshu.appeals.open311_* modules (services, filing, requests, view).
"""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Coroutine
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from zhengshu.appeals import open311_services as catalogue
from zhengshu.appeals.intake import submit_appeal
from zhengshu.appeals.open311_errors import FIELD_LABELS, InvalidRequest, describe_field
from zhengshu.appeals.open311_filing import COORDINATE_RANGES, TEXT_LIMITS, draft_from_request, filed_notice
from zhengshu.appeals.open311_requests import (
    MAX_REQUESTS,
    REQUEST_IDS_PATTERN,
    SERVICE_CODES_PATTERN,
    STATUSES_PATTERN,
    find_requests,
    request_filter,
    requests_by_ids,
    split_ids,
)
from zhengshu.appeals.open311_view import COORDINATE_DECIMALS, service_request
from zhengshu.clock import now
from zhengshu.db import transaction
from zhengshu.errors import DomainError, InvalidInput, NotFound
from zhengshu.validation import field_errors, invalid_input
from zhengshu.web.deps import Factory
from zhengshu.web.problems import TITLES, parse_json_body, status_for
from zhengshu.web.ratelimit import limit_submissions

log = logging.getLogger("zhengshu.web.open311")

PREFIX = "/open311/v2"
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-26T00:00:00+08:00"
CONTACT = "龙岗区政务服务和数据管理局 12345 民生诉求中心（热线 12345）"
KEY_SERVICE = "如需 API 密钥，请联系龙岗区政务服务和数据管理局；目前提交诉求不校验密钥"
MAX_FORM_FIELDS = 64


class Open311Format(StrEnum):
    JSON = "json"
    XML = "xml"


MEDIA_TYPES = {Open311Format.JSON: "application/json", Open311Format.XML: "text/xml; charset=utf-8"}
FormatParam = Annotated[Open311Format, Path(alias="format", description="响应格式：json 或 xml")]
# An empty value counts as not given.
DATE_TIME: dict[str, Any] = {
    "anyOf": [
        {"type": "string", "format": "date-time", "maxLength": 40},
        {"type": "string", "maxLength": 0},
        {"type": "null"},
    ]
}

# --- rendering ------------------------------------------------------------------------------

# The spec's XML names each member of a list after the list.
CHILD_TAGS = {"endpoints": "endpoint", "formats": "format", "attributes": "attribute", "values": "value"}
# Characters XML 1.0 cannot carry at all, not even escaped.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for tag, child in value.items():
            _fill(ET.SubElement(element, tag), child)
    elif isinstance(value, list):
        for child in value:
            _fill(ET.SubElement(element, CHILD_TAGS.get(element.tag, "item")), child)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = _NOT_XML.sub("", str(value))


def to_xml(root: str, item: str | None, body: Any) -> bytes:
    """body is a list (each member becomes an <item>) or a dict (its keys become children)."""
    element = ET.Element(root)
    if isinstance(body, list):
        for member in body:
            _fill(ET.SubElement(element, item or "item"), member)
    else:
        _fill(element, body)
    return ET.tostring(element, encoding="utf-8", xml_declaration=True)


def render(
    fmt: Open311Format,
    root: str,
    item: str | None,
    body: Any,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    if fmt is Open311Format.XML:
        return Response(
            to_xml(root, item, body),
            status_code=status_code,
            media_type=MEDIA_TYPES[Open311Format.XML],
            headers=headers,
        )
    return JSONResponse(body, status_code=status_code, headers=headers)


def errors_response(
    fmt: Open311Format, status_code: int, descriptions: list[str], headers: dict[str, str] | None = None
) -> Response:
    body = [{"code": status_code, "description": text} for text in descriptions]
    return render(fmt, "errors", "error", body, status_code, headers)


def _requested_format(request: Request) -> Open311Format:
    value = request.path_params.get("format")
    return Open311Format.XML if value == Open311Format.XML.value else Open311Format.JSON


def _validation_errors(error: RequestValidationError) -> tuple[int, list[str]]:
    details = error.errors()
    if any(tuple(e.get("loc", ())) == ("path", "format") for e in details):
        return 404, ["不支持的格式，请在路径末尾使用 .json 或 .xml"]
    if any(e.get("type") == "json_invalid" for e in details):
        return 400, ["请求体不是合法的 JSON"]
    return 400, [
        describe_field(field, message) if field in FIELD_LABELS else f"参数 {field}：{message}"
        for field, message in field_errors(details).items()
    ]


def _domain_errors(error: DomainError) -> tuple[int, list[str]]:
    if isinstance(error, InvalidRequest):
        return 400, list(error.errors.values())
    return (400 if isinstance(error, InvalidInput) else status_for(error)), [error.message]


def describe_error(error: Exception) -> tuple[int, list[str], dict[str, str] | None]:
    """The HTTP status, the descriptions and any headers for an error raised while answering."""
    if isinstance(error, RequestValidationError):
        return *_validation_errors(error), None
    if isinstance(error, ValidationError):
        error = invalid_input(error)
    if isinstance(error, DomainError):
        return *_domain_errors(error), None
    if isinstance(error, StarletteHTTPException):
        detail = (
            error.detail
            if isinstance(error.detail, str) and not error.detail.isascii()
            else TITLES.get(error.status_code, "请求无效")
        )
        return error.status_code, [detail], getattr(error, "headers", None)
    if isinstance(error, OperationalError):
        log.error("database unavailable: %s", type(error.orig).__name__)
        return 503, ["数据库暂时繁忙，请稍后重试"], {"Retry-After": "1"}
    if isinstance(error, IntegrityError):
        return 409, ["与已有记录冲突（可能是重复提交），请稍后重试"], None
    log.error("unexpected error in Open311", exc_info=error)
    return 500, ["服务器内部错误，请稍后重试"], None


class Open311Route(APIRoute):
    """Answers every error of its endpoint in the spec's format, validation errors included."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except Exception as error:
                status_code, descriptions, headers = describe_error(error)
                return errors_response(_requested_format(request), status_code, descriptions, headers)

        return guarded


router = APIRouter(tags=["open311"], route_class=Open311Route)

# --- OpenAPI documentation ------------------------------------------------------------------


def _nullable(kind: str) -> dict[str, Any]:
    return {"type": [kind, "null"]}


def _list_of(properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "array",
        "items": {"type": "object", "properties": properties, "required": list(properties)},
    }


ERRORS_SCHEMA = _list_of({"code": {"type": "integer"}, "description": {"type": "string"}})
SERVICE_SCHEMA = {
    "service_code": {"type": "string"},
    "service_name": {"type": "string"},
    "description": {"type": "string"},
    "metadata": {"type": "boolean"},
    "type": {"type": "string"},
    "keywords": {"type": "string"},
    "group": {"type": "string"},
}
REQUEST_SCHEMA = {
    "service_request_id": {"type": "string"},
    "status": {"type": "string", "enum": ["open", "closed"]},
    "status_notes": _nullable("string"),
    "service_name": _nullable("string"),
    "service_code": _nullable("string"),
    "description": _nullable("string"),
    "agency_responsible": _nullable("string"),
    "service_notice": _nullable("string"),
    "requested_datetime": {"type": "string"},
    "updated_datetime": _nullable("string"),
    "expected_datetime": _nullable("string"),
    "address": _nullable("string"),
    "address_id": _nullable("string"),
    "zipcode": {"type": "null"},
    "lat": _nullable("number"),
    "long": _nullable("number"),
    "media_url": {"type": "null"},
}
FILED_SCHEMA = _list_of(
    {
        "service_request_id": {"type": "string"},
        "service_notice": {"type": "string"},
        "account_id": {"type": "null"},
    }
)
DISCOVERY_SCHEMA = {"type": "object", "required": ["changeset", "contact", "key_service", "endpoints"]}
DEFINITION_SCHEMA = {
    "type": "object",
    "required": ["service_code", "attributes"],
    "properties": {"service_code": {"type": "string"}, "attributes": {"type": "array"}},
}


def _content(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}, "text/xml": {"schema": {"type": "string"}}}


def _responses(success: int, schema: dict[str, Any], *errors: int) -> dict[int | str, dict[str, Any]]:
    documented: dict[int | str, dict[str, Any]] = {
        success: {"description": "成功", "content": _content(schema)}
    }
    for status_code in (400, 404, *errors):
        documented[status_code] = {
            "description": TITLES.get(status_code, "错误"),
            "content": _content(ERRORS_SCHEMA),
        }
    return documented


def _submission_schema(*, typed: bool) -> dict[str, Any]:
    """typed: JSON, where optional text fields may also be null; a form only carries strings."""

    def kind(name: str) -> str | list[str]:
        return [name, "null"] if typed else name

    properties: dict[str, Any] = {}
    for name, limit in TEXT_LIMITS.items():
        properties[name] = {
            "type": kind("string"),
            "maxLength": limit,
            "description": FIELD_LABELS[name],
        }
    properties["service_code"] = {"type": "string", "enum": [s.code for s in catalogue.services()]}
    # No pattern: what counts as a phone number is decided in one place, normalize_phone.
    properties["phone"] = {
        "type": "string",
        "maxLength": TEXT_LIMITS["phone"],
        "description": "联系电话（必填）：手机号、带区号的固定电话或 8 位本地号码，可含空格、短横线和括号",
    }
    # Blank optional fields count as not given, as form-filling clients send them.
    properties["address_id"]["pattern"] = r"^(?:\s*|[0-9]{9}(?:[0-9]{3})?)$"
    properties["media_url"]["pattern"] = r"^(?:\s*|[Hh][Tt][Tt][Pp][Ss]?://\S*)$"
    properties["description"]["anyOf"] = [{"pattern": r"^\s*$"}, {"minLength": 5}]
    for name, (low, high) in COORDINATE_RANGES.items():
        properties[name] = {
            "type": "number",
            "minimum": low,
            "maximum": high,
            "description": FIELD_LABELS[name],
        }
    return {
        "type": "object",
        "properties": properties,
        "required": ["service_code", "phone"],
        "dependentRequired": {"lat": ["long"], "long": ["lat"]},
        # A community is named within its street.
        "dependentSchemas": {
            "attribute[community]": {
                "required": ["attribute[street]"],
                "properties": {"attribute[street]": {"type": "string", "pattern": r"\S"}},
            }
        },
        # A location is required: coordinates, or a non-blank address, address id or street.
        "anyOf": [
            {
                "required": ["lat", "long"],
                "properties": {"lat": {"type": "number"}, "long": {"type": "number"}},
            },
            *(
                {"required": [name], "properties": {name: {"type": "string", "pattern": r"\S"}}}
                for name in ("address_string", "address_id", "attribute[street]")
            ),
        ],
    }


SUBMISSION_BODY = {
    "requestBody": {
        "required": True,
        "description": (
            "按规范以 application/x-www-form-urlencoded 提交，也接受 JSON。"
            "phone 必填（凭手机号后四位查询进度）。"
            "扩展属性 attribute[street]、attribute[community] 为街道、社区名称或代码；JSON 中也可写作 "
            '{"attribute": {"street": "平湖街道"}}。address_id 为 9 位街道代码或 12 位社区代码。'
        ),
        "content": {
            "application/x-www-form-urlencoded": {"schema": _submission_schema(typed=False)},
            "application/json": {"schema": _submission_schema(typed=True)},
        },
    }
}

# --- request bodies -------------------------------------------------------------------------


def _flatten(body: dict[str, Any]) -> dict[str, object]:
    """JSON clients may nest the extension attributes: {"attribute": {"street": …}}."""
    fields: dict[str, object] = {k: v for k, v in body.items() if k != "attribute"}
    nested = body.get("attribute")
    if isinstance(nested, dict):
        for key, value in nested.items():
            fields.setdefault(f"attribute[{key}]", value)
    elif nested is not None:
        raise InvalidInput('attribute 应为对象，例如 {"street": "平湖街道"}')
    return fields


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


async def submitted_fields(request: Request) -> dict[str, object]:
    """The POSTed fields, form-encoded (the spec's format), multipart or JSON."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type == "application/json" or media_type.endswith("+json"):
        body = parse_json_body(await request.body())
        if not isinstance(body, dict):
            raise InvalidInput("JSON 请求体应为对象")
        fields = _flatten(body)
        for name in COORDINATE_RANGES:
            if name in fields and not _is_number(fields[name]):
                raise InvalidInput(describe_field(name, "JSON 中应为数值"))
        return fields
    if media_type in ("", "application/x-www-form-urlencoded", "multipart/form-data"):
        # Media is linked with media_url; uploaded files are refused rather than stored nowhere.
        form = await request.form(max_files=0, max_fields=MAX_FORM_FIELDS)
        return {key: value for key, value in form.items() if isinstance(value, str)}
    raise StarletteHTTPException(415, "不支持的内容类型，请使用 application/x-www-form-urlencoded 或 JSON")


# --- routes ---------------------------------------------------------------------------------


@router.get(
    f"{PREFIX}/discovery.{{format}}",
    summary="Open311 服务发现",
    responses=_responses(200, DISCOVERY_SCHEMA),
    response_class=Response,
)
def discovery(fmt: FormatParam, request: Request) -> Response:
    body = {
        "changeset": CHANGESET,
        "contact": CONTACT,
        "key_service": KEY_SERVICE,
        # Extension: the most requests one GET requests answer holds (the spec allows 1000).
        "max_requests": MAX_REQUESTS,
        # Extension: published coordinates are rounded to this many decimals (about 100 m), so
        # the public feed does not point at anyone's door.
        "coordinate_decimals": COORDINATE_DECIMALS,
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": str(request.base_url).rstrip("/") + PREFIX,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render(fmt, "discovery", None, body)


@router.get(
    f"{PREFIX}/services.{{format}}",
    summary="Open311 服务列表（诉求分类）",
    responses=_responses(200, _list_of(SERVICE_SCHEMA)),
    response_class=Response,
)
def list_services(fmt: FormatParam) -> Response:
    return render(fmt, "services", "service", [catalogue.service_view(s) for s in catalogue.services()])


@router.get(
    f"{PREFIX}/services/{{service_code}}.{{format}}",
    summary="Open311 服务定义",
    responses=_responses(200, DEFINITION_SCHEMA),
    response_class=Response,
)
def service_definition(
    fmt: FormatParam,
    service_code: Annotated[str, Path(json_schema_extra={"enum": [s.code for s in catalogue.services()]})],
) -> Response:
    service = catalogue.service_for_code(service_code)
    if service is None:
        raise NotFound(f"没有代码为“{service_code[:64]}”的服务")
    return render(fmt, "service_definition", None, catalogue.service_definition(service))


@router.post(
    f"{PREFIX}/requests.{{format}}",
    summary="Open311 提交诉求",
    status_code=201,
    responses=_responses(201, FILED_SCHEMA, 415),
    response_class=Response,
    openapi_extra=SUBMISSION_BODY,
)
@limit_submissions
def create_request(
    fmt: FormatParam, fields: Annotated[dict[str, object], Depends(submitted_fields)], factory: Factory
) -> Response:
    draft = draft_from_request(fields)
    with transaction(factory) as session:
        appeal, _ = submit_appeal(session, draft)
        number = appeal.number
    notice = filed_notice(number)
    filed = [{"service_request_id": number, "service_notice": notice, "account_id": None}]
    return render(fmt, "service_requests", "request", filed, status_code=201)


@router.get(
    f"{PREFIX}/requests.{{format}}",
    summary="Open311 查询诉求",
    description=f"不带日期时返回最近 90 天的诉求，每次最多 {MAX_REQUESTS} 条，"
    "按受理时间倒序。只公开经 Open311 提交的诉求，个人信息已脱敏，"
    f"经纬度保留 {COORDINATE_DECIMALS} 位小数（约 100 米）。",
    responses=_responses(200, _list_of(REQUEST_SCHEMA)),
    response_class=Response,
)
def list_requests(
    fmt: FormatParam,
    factory: Factory,
    service_request_id: Annotated[
        str | None,
        Query(
            max_length=4000,
            description="诉求编号，多个以逗号分隔；给出时忽略其他条件",
            json_schema_extra={"pattern": REQUEST_IDS_PATTERN},
        ),
    ] = None,
    service_code: Annotated[
        str | None,
        Query(
            max_length=1000,
            description="服务代码，多个以逗号分隔",
            json_schema_extra={"pattern": SERVICE_CODES_PATTERN},
        ),
    ] = None,
    start_date: Annotated[
        str | None,
        Query(max_length=40, description="受理时间下限（W3C 日期时间）", json_schema_extra=DATE_TIME),
    ] = None,
    end_date: Annotated[
        str | None,
        Query(max_length=40, description="受理时间上限（W3C 日期时间）", json_schema_extra=DATE_TIME),
    ] = None,
    status: Annotated[
        str | None,
        Query(
            max_length=20,
            description="open 或 closed，可用逗号分隔",
            json_schema_extra={"pattern": STATUSES_PATTERN},
        ),
    ] = None,
    jurisdiction_id: Annotated[
        str | None, Query(max_length=64, description="辖区编号（本接口只服务一个辖区，可不填）")
    ] = None,
) -> Response:
    # The filters are checked even when ids make the spec ignore them: a malformed one is an error.
    where = request_filter(
        service_code=service_code, status=status, start_date=start_date, end_date=end_date, moment=now()
    )
    with transaction(factory) as session:
        if service_request_id:
            appeals = requests_by_ids(session, split_ids(service_request_id))
        else:
            appeals = find_requests(session, where)
        found = [service_request(a) for a in appeals]
    return render(fmt, "service_requests", "request", found)


@router.get(
    f"{PREFIX}/requests/{{service_request_id}}.{{format}}",
    summary="Open311 查看单条诉求",
    responses=_responses(200, _list_of(REQUEST_SCHEMA)),
    response_class=Response,
)
def get_request(
    fmt: FormatParam,
    service_request_id: Annotated[str, Path(json_schema_extra={"pattern": "^[0-9]{1,16}$"})],
    factory: Factory,
) -> Response:
    with transaction(factory) as session:
        found = [service_request(a) for a in requests_by_ids(session, [service_request_id])]
    if not found:
        raise NotFound(f"没有编号为“{service_request_id[:16]}”的诉求")
    return render(fmt, "service_requests", "request", found)


@router.api_route(
    "/open311/{rest:path}",
    methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
    include_in_schema=False,
)
def unknown(rest: str, request: Request) -> Response:
    """Unknown paths and methods under /open311 answered in the spec's format, 405 with Allow
    for a known path (separate GET and POST routes would otherwise each claim to be the only one)."""
    allowed = sorted(
        {
            m
            for r in router.routes
            if isinstance(r, APIRoute)
            and r.endpoint is not unknown
            and r.matches(request.scope)[0] is not Match.NONE
            for m in r.methods or ()
        }
    )
    if allowed:
        raise StarletteHTTPException(405, "不支持的请求方法", headers={"Allow": ", ".join(allowed)})
    raise NotFound(
        "没有这个 Open311 接口。可用：/open311/v2/ 下的 discovery、services、requests，"
        "路径末尾加 .json 或 .xml"
    )
