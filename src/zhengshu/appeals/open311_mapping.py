"""Open311 GeoReport v2 in the appeal domain: services, filing a request, reading requests.

The web layer (zhengshu.web.open311) only parses the transport and renders JSON or XML; what an
Open311 field means for an appeal is decided here.

Only appeals filed through Open311 are published on it. Citizens who use an Open311 app file on a
public platform; people who call the hotline or write a letter do not expect their appeal, even
masked, to appear in a public feed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from zhengshu.appeals.drafts import AppealDraft
from zhengshu.appeals.models import Appeal
from zhengshu.appeals.presenters import free_text
from zhengshu.appeals.vocabulary import CATEGORIES, AppealType, Channel
from zhengshu.appeals.workflow import Status
from zhengshu.clock import TZ
from zhengshu.errors import InvalidInput
from zhengshu.text.normalize import collapse_whitespace
from zhengshu.text.pii import mask_name
from zhengshu.validation import field_errors

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
PUBLISHED_CHANNELS = (Channel.OPEN311.value,)
# The spec allows up to 1000 requests per answer; 200 keeps an answer small enough for a phone.
MAX_REQUESTS = 200
DEFAULT_WINDOW = timedelta(days=90)
ANONYMOUS = "匿名市民"
TITLE_LENGTH = 30


@dataclass(frozen=True)
class Service:
    """One Open311 service: an appeal category under a stable ASCII code."""

    code: str
    category: str
    description: str
    keywords: tuple[str, ...]
    group: str

    @property
    def name(self) -> str:
        return self.category


DEPARTMENT_GROUP = "职能部门"
STREET_GROUP = "街道办事处"
GENERAL_GROUP = "综合受理"

# Codes are part of the public interface: never rename one, only add.
SERVICES: tuple[Service, ...] = (
    Service(
        "urban-construction",
        "城乡建设",
        "房屋建筑、工地施工、物业管理、住房保障等问题",
        ("施工", "噪音", "物业", "住房"),
        DEPARTMENT_GROUP,
    ),
    Service(
        "city-appearance",
        "市容环卫",
        "垃圾清运、占道经营、违章搭建、户外广告、绿化等城市管理问题",
        ("垃圾", "占道", "违建", "绿化"),
        DEPARTMENT_GROUP,
    ),
    Service(
        "environment",
        "环境保护",
        "大气、水体、噪声、油烟、异味等生态环境问题",
        ("污染", "油烟", "异味", "排污"),
        DEPARTMENT_GROUP,
    ),
    Service(
        "transport",
        "交通运输",
        "公交线路、出租车、网约车、道路运输和交通设施问题",
        ("公交", "出租车", "道路"),
        DEPARTMENT_GROUP,
    ),
    Service(
        "labour-social-security",
        "劳动和社会保障",
        "欠薪、劳动合同、社保缴纳、就业创业等问题",
        ("欠薪", "社保", "劳动合同", "就业"),
        DEPARTMENT_GROUP,
    ),
    Service(
        "education-culture-sports",
        "教育文体",
        "入学学位、学校管理、校外培训、文化体育设施等问题",
        ("学位", "学校", "培训", "体育"),
        DEPARTMENT_GROUP,
    ),
    Service(
        "health",
        "卫生健康",
        "医疗服务、医院管理、公共卫生、计划生育等问题",
        ("医院", "医疗", "公共卫生"),
        DEPARTMENT_GROUP,
    ),
    Service(
        "market-regulation",
        "市场监管",
        "食品安全、消费维权、价格、计量、特种设备、商事登记等问题",
        ("食品安全", "消费", "价格", "商事登记"),
        DEPARTMENT_GROUP,
    ),
    Service(
        "public-safety",
        "公共安全",
        "治安、消防、交通秩序等公共安全问题",
        ("治安", "消防", "交通秩序"),
        DEPARTMENT_GROUP,
    ),
    Service(
        "civil-affairs",
        "民政",
        "社会救助、养老服务、婚姻登记、殡葬、社会组织等问题",
        ("救助", "养老", "婚姻登记"),
        DEPARTMENT_GROUP,
    ),
    Service(
        "water",
        "水务",
        "供水、排水、内涝、河道、水土保持等问题",
        ("停水", "排水", "内涝", "河道"),
        DEPARTMENT_GROUP,
    ),
    Service(
        "planning-land",
        "规划国土",
        "城市规划、土地利用、不动产登记、查违等问题",
        ("规划", "土地", "不动产登记"),
        DEPARTMENT_GROUP,
    ),
    Service(
        "government-services",
        "政务服务",
        "办事指南、办事效率、政务服务大厅和网上办事等问题",
        ("办事", "政务服务", "网上办事"),
        DEPARTMENT_GROUP,
    ),
    Service(
        "street-affairs",
        "街道事务",
        "由所在街道办事处、社区处理的基层事务",
        ("街道", "社区", "基层"),
        STREET_GROUP,
    ),
    Service("other", "其他", "不属于以上分类的其他诉求，由 12345 民生诉求中心分拨", ("其他",), GENERAL_GROUP),
)
_BY_CODE = {service.code: service for service in SERVICES}
_BY_CATEGORY = {service.category: service for service in SERVICES}


def services() -> list[Service]:
    """The services in the vocabulary's order; a category without a code is not offered."""
    return [_BY_CATEGORY[category] for category in CATEGORIES if category in _BY_CATEGORY]


def service_for_code(code: str) -> Service | None:
    service = _BY_CODE.get(code.strip())
    return service if service is not None and service.category in CATEGORIES else None


def service_for_category(category: str | None) -> Service | None:
    return _BY_CATEGORY.get(category) if category else None


def service_view(service: Service) -> dict[str, Any]:
    return {
        "service_code": service.code,
        "service_name": service.name,
        "description": service.description,
        "metadata": False,
        "type": "realtime",
        "keywords": ", ".join(service.keywords),
        "group": service.group,
    }


def service_definition(service: Service) -> dict[str, Any]:
    # metadata is false for every service: the street and community extension attributes are
    # documented in the API description instead of as required service attributes.
    return {"service_code": service.code, "attributes": []}


# --- filing ---------------------------------------------------------------------------------

# Text fields of a POST and their longest accepted value. The name limits add up (with a space)
# to the draft's 64; the description leaves room for the media link appended to the content.
TEXT_LIMITS: dict[str, int] = {
    "service_code": 64,
    "jurisdiction_id": 64,
    "api_key": 128,
    "address_string": 200,
    "address_id": 12,
    "email": 254,
    "device_id": 128,
    "account_id": 64,
    "first_name": 31,
    "last_name": 32,
    "phone": 32,
    "description": 4000,
    "media_url": 500,
    "attribute[street]": 32,
    "attribute[community]": 32,
}
# Fields with a fixed shape: one made only of control characters is wrong, not merely blank.
CODED_FIELDS = frozenset({"service_code", "phone", "address_id", "media_url"})
COORDINATE_RANGES: dict[str, tuple[float, float]] = {"lat": (-90.0, 90.0), "long": (-180.0, 180.0)}
FIELD_LABELS = {
    "service_code": "服务代码",
    "jurisdiction_id": "辖区编号",
    "api_key": "API 密钥",
    "lat": "纬度",
    "long": "经度",
    "address_string": "地址",
    "address_id": "地址编码",
    "email": "电子邮箱",
    "device_id": "设备编号",
    "account_id": "账号",
    "first_name": "名",
    "last_name": "姓",
    "phone": "联系电话",
    "description": "问题描述",
    "media_url": "图片链接",
    "attribute[street]": "街道",
    "attribute[community]": "社区",
    "service_request_id": "诉求编号",
    "status": "状态",
    "start_date": "开始时间",
    "end_date": "结束时间",
}
# Where a draft field came from, so a draft's validation error names the field the client sent.
DRAFT_SOURCES = {
    "category": "service_code",
    "title": "description",
    "content": "description",
    "appellant_name": "last_name",
    "appellant_phone": "phone",
    "address": "address_string",
    "street": "attribute[street]",
    "community": "attribute[community]",
    "latitude": "lat",
    "longitude": "long",
}
PHONE_REQUIRED = (
    "联系电话（phone）：必填。12345 热线凭诉求编号和手机号后四位查询办理进度，承办单位也需要联系诉求人"
)
LOCATION_REQUIRED = (
    "位置：必填。请提供经纬度（lat 与 long）、地址（address_string）、地址编码（address_id）"
    "或街道（attribute[street]）之一"
)
# Street codes have 9 digits, community codes 12 (the statistical division codes).
_ADDRESS_ID = re.compile(r"[0-9]{9}(?:[0-9]{3})?")
_MEDIA_URL = re.compile(r"https?://\S*", re.IGNORECASE)
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_KEPT_CONTROLS = frozenset("\n\t")


def describe_field(field: str, message: str) -> str:
    label = FIELD_LABELS.get(field)
    return f"{label}（{field}）：{message}" if label else message


def _clean(value: str) -> str:
    # Control characters and lone surrogates cannot be stored in PostgreSQL text or sent in XML.
    return "".join(
        char for char in value if char in _KEPT_CONTROLS or unicodedata.category(char) not in ("Cc", "Cs")
    ).strip()


def _texts(fields: Mapping[str, object], errors: dict[str, str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for name, limit in TEXT_LIMITS.items():
        raw = fields.get(name)
        if raw is None:
            continue
        if not isinstance(raw, str):
            errors[name] = describe_field(name, "应为文本")
            continue
        value = _clean(raw)
        if len(raw) > limit:
            errors[name] = describe_field(name, f"不能超过 {limit} 个字")
        elif raw.strip() and not value and name in CODED_FIELDS:
            errors[name] = describe_field(name, "只有无法识别的控制字符")
        elif value:
            values[name] = value
    return values


def _coordinate(fields: Mapping[str, object], name: str, errors: dict[str, str]) -> float | None:
    raw = fields.get(name)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    value: float | None = None
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        value = float(raw)
    elif isinstance(raw, str) and _DECIMAL.fullmatch(raw.strip()):
        value = float(raw.strip())
    low, high = COORDINATE_RANGES[name]
    if value is None or not low <= value <= high:
        errors[name] = describe_field(name, f"应为 {low:g} 到 {high:g} 之间的十进制数")
        return None
    return value


def appellant_name(first_name: str | None, last_name: str | None) -> str:
    """Chinese names are written surname first and without a space; other names keep their order."""
    first, last = (first_name or "").strip(), (last_name or "").strip()
    if not first and not last:
        return ANONYMOUS
    if any(_is_cjk(char) for char in first + last):
        return last + first
    return " ".join(part for part in (first, last) if part)


_CJK_RANGES = (("\u3400", "\u9fff"), ("\uf900", "\ufaff"), ("\U00020000", "\U0003134f"))


def _is_cjk(char: str) -> bool:
    return any(low <= char <= high for low, high in _CJK_RANGES)


def title_for(description: str | None, service: Service) -> str:
    line = collapse_whitespace(description or "")
    if len(line) < 2:
        return service.name
    return line if len(line) <= TITLE_LENGTH else line[:TITLE_LENGTH] + "…"


def content_for(description: str | None, service: Service, media_url: str | None) -> str:
    content = description or f"{service.name}问题（市民未填写具体描述，请联系诉求人核实）"
    if media_url:
        content += f"\n附图链接：{media_url}"
    return content


def _place(texts: Mapping[str, str], errors: dict[str, str]) -> tuple[str | None, str | None]:
    """The street and community, from the extension attributes or else from address_id."""
    street, community = texts.get("attribute[street]"), texts.get("attribute[community]")
    address_id = texts.get("address_id")
    if address_id and not _ADDRESS_ID.fullmatch(address_id):
        errors["address_id"] = describe_field("address_id", "应为 9 位街道代码或 12 位社区代码")
        return street, community
    if street or community or not address_id:
        return street, community
    return address_id[:9], address_id if len(address_id) == 12 else None


def _draft_errors(error: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for field, message in field_errors(error.errors()).items():
        source = DRAFT_SOURCES.get(field, "_")
        errors.setdefault(source, describe_field(source, message))
    return errors


def draft_from_request(fields: Mapping[str, object]) -> AppealDraft:
    """The appeal draft for an Open311 POST; InvalidInput names every field that is wrong.

    email, device_id, account_id and api_key are accepted and not kept: the appeal has nowhere
    to keep them, and an email written into the content would be published unmasked."""
    errors: dict[str, str] = {}
    texts = _texts(fields, errors)
    lat, long = _coordinate(fields, "lat", errors), _coordinate(fields, "long", errors)
    service = None
    if "service_code" in texts:
        service = service_for_code(texts["service_code"])
        if service is None:
            errors["service_code"] = describe_field(
                "service_code", f"未知的服务代码“{texts['service_code']}”，可用的代码见 services 接口"
            )
    elif "service_code" not in errors:
        errors["service_code"] = describe_field("service_code", "必填")
    if "phone" not in texts and "phone" not in errors:
        errors["phone"] = PHONE_REQUIRED
    media_url = texts.get("media_url")
    if media_url and not _MEDIA_URL.fullmatch(media_url):
        errors["media_url"] = describe_field("media_url", "应为 http:// 或 https:// 开头、不含空白的网址")
    located = (
        lat is not None
        or long is not None
        or any(name in texts for name in ("address_string", "address_id", "attribute[street]"))
    )
    if not located and not any(name in errors for name in ("lat", "long", "address_id")):
        errors["location"] = LOCATION_REQUIRED
    street, community = _place(texts, errors)
    if errors or service is None:
        raise _invalid(errors)
    description = texts.get("description")
    try:
        return AppealDraft.model_validate(
            {
                "channel": Channel.OPEN311,
                "type": AppealType.COMPLAINT,
                "category": service.category,
                "title": title_for(description, service),
                "content": content_for(description, service, media_url),
                "appellant_name": appellant_name(texts.get("first_name"), texts.get("last_name")),
                "appellant_phone": texts["phone"],
                "address": texts.get("address_string"),
                "street": street,
                "community": community,
                "latitude": lat,
                "longitude": long,
            }
        )
    except ValidationError as error:
        raise _invalid(_draft_errors(error)) from None


class InvalidRequest(InvalidInput):
    """An Open311 request that is wrong; errors hold one complete description per field."""


def _invalid(errors: dict[str, str]) -> InvalidRequest:
    return InvalidRequest("提交的内容有误：" + "；".join(errors.values()), errors=errors)


# --- reading --------------------------------------------------------------------------------

_W3C_DATETIME = re.compile(
    r"(?P<year>[0-9]{4})(?:-(?P<month>[0-9]{2})(?:-(?P<day>[0-9]{2})"
    r"(?:[Tt ](?P<hour>[0-9]{2}):(?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2})(?:[.,](?P<fraction>[0-9]+))?)?"
    # A "+" left unencoded in a query string arrives as a space.
    r"(?P<zone>[Zz]|[+\- ][0-9]{2}:?[0-9]{2})?)?)?)?"
)


@dataclass(frozen=True)
class Period:
    """The span a W3C datetime names: 2024-05 is all of May, 2024-05-01T08:00 that minute."""

    start: datetime
    end: datetime  # exclusive


def parse_period(value: str, field: str) -> Period:
    match = _W3C_DATETIME.fullmatch(value.strip())
    if match is None:
        example = "例如 2024-05-01 或 2024-05-01T08:00:00+08:00"
        raise _invalid({field: describe_field(field, f"应为 W3C 日期时间，{example}")})
    try:
        return _period(match)
    except (ValueError, OverflowError):
        raise _invalid({field: describe_field(field, f"不是有效的日期时间：{value.strip()}")}) from None


def _period(match: re.Match[str]) -> Period:
    part = match.groupdict()
    zone = _zone(part["zone"])
    year, month, day = int(part["year"]), int(part["month"] or 1), int(part["day"] or 1)
    hour, minute = int(part["hour"] or 0), int(part["minute"] or 0)
    # Leap seconds (23:59:60) are valid W3C times that Python cannot represent.
    second = min(int(part["second"] or 0), 59)
    fraction = part["fraction"] or ""
    micro = int((fraction + "000000")[:6])
    start = datetime(year, month, day, hour, minute, second, micro, tzinfo=zone)
    return Period(_local(start), _local(_end_of(start, part)))


def _end_of(start: datetime, part: dict[str, str | None]) -> datetime:
    try:
        if part["fraction"]:
            return start + timedelta(microseconds=1)
        if part["second"]:
            return start + timedelta(seconds=1)
        if part["hour"]:
            return start + timedelta(minutes=1)
        if part["day"]:
            return start + timedelta(days=1)
        if part["month"]:
            return start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)
        return start.replace(year=start.year + 1)
    except (ValueError, OverflowError):
        return LATEST


# Bounds every moment of a filter is kept within, so that no zone conversion (here or when the
# value is bound to SQL) can leave the range Python represents.
EARLIEST = datetime(1, 1, 3, tzinfo=TZ)
LATEST = datetime(9999, 12, 29, tzinfo=TZ)


def _local(moment: datetime) -> datetime:
    try:
        local = moment.astimezone(TZ)
    except OverflowError:
        return EARLIEST if moment.year < 5000 else LATEST
    return min(max(local, EARLIEST), LATEST)


def _shift(moment: datetime, delta: timedelta) -> datetime:
    try:
        return _local(moment + delta)
    except OverflowError:
        return EARLIEST if delta < timedelta(0) else LATEST


def _zone(text: str | None) -> tzinfo:
    if text is None:
        return TZ  # a time without a zone is local time in Shenzhen
    if text in ("Z", "z"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


@dataclass(frozen=True)
class RequestFilter:
    start: datetime
    end: datetime
    categories: tuple[str, ...] = ()
    status: str | None = None  # "open", "closed" or None for both


def _list_pattern(item: str) -> str:
    # An empty value means the parameter is not given, as form-filling clients send it.
    return f"^(?:(?:{item})(?:, ?(?:{item}))*)?$"


# Comma-separated list parameters of GET requests; the OpenAPI schema publishes the same patterns.
# Codes are lowercase ASCII words joined by hyphens, which need no escaping in any regex dialect.
SERVICE_CODES_PATTERN = _list_pattern("|".join(s.code for s in SERVICES))
STATUSES_PATTERN = _list_pattern("open|closed")
REQUEST_IDS_PATTERN = _list_pattern("[0-9]{1,16}")


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _check_list(field: str, value: str | None, pattern: str, message: str) -> list[str]:
    if not value:
        return []
    if re.fullmatch(pattern, value) is None:
        raise _invalid({field: describe_field(field, message)})
    return _split(value)


def request_filter(
    *,
    service_code: str | None,
    status: str | None,
    start_date: str | None,
    end_date: str | None,
    moment: datetime,
) -> RequestFilter:
    """The spec's defaults: all services and statuses, the last 90 days when no date is given."""
    codes = _check_list(
        "service_code",
        service_code,
        SERVICE_CODES_PATTERN,
        "应为 services 接口列出的服务代码，多个代码以逗号分隔",
    )
    categories = [s.category for s in (service_for_code(code) for code in codes) if s is not None]
    statuses = set(_check_list("status", status, STATUSES_PATTERN, "只能是 open 或 closed（可用逗号分隔）"))
    start = parse_period(start_date, "start_date").start if start_date else None
    end = parse_period(end_date, "end_date").end if end_date else None
    start, end = _window(start, end, moment)
    # An end before the start is an empty span, which holds no requests: not an error.
    return RequestFilter(start, end, tuple(categories), statuses.pop() if len(statuses) == 1 else None)


def _window(start: datetime | None, end: datetime | None, moment: datetime) -> tuple[datetime, datetime]:
    if end is None:
        end = _shift(max(moment, start or moment), timedelta(seconds=1))
    return (start if start is not None else _shift(end, -DEFAULT_WINDOW)), end


def _published() -> Select[Appeal]:
    return select(Appeal).where(Appeal.channel.in_(PUBLISHED_CHANNELS))


def is_request_id(value: str) -> bool:
    return 0 < len(value) <= 16 and value.isascii() and value.isdigit()


def find_requests(session: Session, where: RequestFilter) -> list[Appeal]:
    """Newest first, at most MAX_REQUESTS: clients narrow the dates to see more."""
    query = _published().where(Appeal.created_at >= where.start, Appeal.created_at < where.end)
    if where.categories:
        query = query.where(Appeal.category.in_(where.categories))
    if where.status == "closed":
        query = query.where(Appeal.status == Status.CLOSED.value)
    elif where.status == "open":
        query = query.where(Appeal.status != Status.CLOSED.value)
    query = query.order_by(Appeal.created_at.desc(), Appeal.id.desc()).limit(MAX_REQUESTS)
    return list(session.scalars(query).unique())


def requests_by_ids(session: Session, ids: Sequence[str]) -> list[Appeal]:
    """The published requests among the ids, in the order asked; unknown ids are left out."""
    wanted = list(dict.fromkeys(i for i in ids if is_request_id(i)))[:MAX_REQUESTS]
    if not wanted:
        return []
    found = {a.number: a for a in session.scalars(_published().where(Appeal.number.in_(wanted))).unique()}
    return [found[number] for number in wanted if number in found]


def split_ids(value: str) -> list[str]:
    """The asked ids; requests_by_ids answers the first MAX_REQUESTS of them."""
    return _check_list("service_request_id", value, REQUEST_IDS_PATTERN, "应为诉求编号，多个编号以逗号分隔")


def _w3c(moment: datetime | None) -> str | None:
    return moment.astimezone(TZ).replace(microsecond=0).isoformat() if moment is not None else None


def public_text(text: str | None, appeal: Appeal) -> str | None:
    """Free text as an anonymous reader may see it: numbers masked, the appellant's name too."""
    masked = free_text(text, appeal, None)
    name = appeal.appellant_name.strip()
    if masked and len(name) >= 2 and name != ANONYMOUS:
        masked = masked.replace(name, mask_name(name))
    return masked


STATUS_NOTICES = {
    Status.SUBMITTED: "诉求已受理，正在分拨至承办单位",
    Status.DISPATCHED: "已分拨至承办单位，等待签收",
    Status.RETURNED: "承办单位认为不属其职责，正在重新分拨",
    Status.HANDLING: "承办单位正在办理",
    Status.REPLIED: "承办单位已答复，正在审核",
    Status.CLOSED: "已办结；如对办理结果不满意，可拨打 12345 反映",
}


def service_request(appeal: Appeal) -> dict[str, Any]:
    status = Status(appeal.status)
    closed = status is Status.CLOSED
    service = service_for_category(appeal.category)
    place = appeal.community or appeal.street
    address = appeal.address or "".join(p.name for p in (appeal.street, appeal.community) if p) or None
    return {
        "service_request_id": appeal.number,
        "status": "closed" if closed else "open",
        "status_notes": (public_text(appeal.reply, appeal) if closed else None) or status.label,
        "service_name": service.name if service else appeal.category,
        "service_code": service.code if service else None,
        "description": public_text(appeal.content, appeal),
        "agency_responsible": appeal.lead_department.name if appeal.lead_department else None,
        "service_notice": STATUS_NOTICES[status],
        "requested_datetime": _w3c(appeal.created_at),
        "updated_datetime": _w3c(appeal.updated_at),
        "expected_datetime": _w3c(appeal.due_at),
        "address": public_text(address, appeal),
        "address_id": place.code if place else None,
        "zipcode": None,
        "lat": appeal.latitude,
        "long": appeal.longitude,
        "media_url": None,
    }


def filed_notice(number: str) -> str:
    return f"诉求已受理，编号 {number}。请凭编号和手机号后四位查询办理进度。"
