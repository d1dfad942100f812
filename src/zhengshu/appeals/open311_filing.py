"""Filing through Open311: the fields of a POST turned into an appeal draft.

The draft is the only one allowed the Open311 channel, which is what the public feed publishes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from pydantic import ValidationError

from zhengshu.appeals.drafts import ANONYMOUS, OPEN311_CONTEXT, AppealDraft
from zhengshu.appeals.open311_errors import describe_field, invalid_request
from zhengshu.appeals.open311_services import Service, service_for_code
from zhengshu.appeals.vocabulary import AppealType, Channel
from zhengshu.text.normalize import collapse_whitespace, has_cjk, remove_control_characters
from zhengshu.validation import field_errors

TITLE_LENGTH = 30

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


def _texts(fields: Mapping[str, object], errors: dict[str, str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for name, limit in TEXT_LIMITS.items():
        raw = fields.get(name)
        if raw is None:
            continue
        if not isinstance(raw, str):
            errors[name] = describe_field(name, "应为文本")
            continue
        # Control characters and lone surrogates cannot be stored in PostgreSQL text or sent in XML.
        value = remove_control_characters(raw).strip()
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
    if has_cjk(first + last):
        return last + first
    return " ".join(part for part in (first, last) if part)


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
        raise invalid_request(errors)
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
            },
            context=OPEN311_CONTEXT,
        )
    except ValidationError as error:
        raise invalid_request(_draft_errors(error)) from None


def filed_notice(number: str) -> str:
    return f"诉求已受理，编号 {number}。请凭编号和手机号后四位查询办理进度。"
