"""Reading Open311 requests: the GET filters, W3C datetimes, and finding the published appeals.

Only appeals filed through Open311 are published on it. Citizens who use an Open311 app file on a
public platform; people who call the hotline or write a letter do not expect their appeal, even
masked, to appear in a public feed. Only the Open311 POST can give an appeal that channel (see
zhengshu.appeals.drafts.OPEN311_CONTEXT).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from zhengshu.appeals.models import Appeal
from zhengshu.appeals.open311_errors import describe_field, invalid_request
from zhengshu.appeals.open311_services import SERVICES, service_for_code
from zhengshu.appeals.vocabulary import Channel
from zhengshu.appeals.workflow import Status
from zhengshu.clock import TZ

PUBLISHED_CHANNELS = (Channel.OPEN311.value,)
# The spec allows up to 1000 requests per answer; 200 keeps an answer small enough for a phone.
MAX_REQUESTS = 200
DEFAULT_WINDOW = timedelta(days=90)

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
        raise invalid_request({field: describe_field(field, f"应为 W3C 日期时间，{example}")})
    try:
        return _period(match)
    except (ValueError, OverflowError):
        raise invalid_request(
            {field: describe_field(field, f"不是有效的日期时间：{value.strip()}")}
        ) from None


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
        raise invalid_request({field: describe_field(field, message)})
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
