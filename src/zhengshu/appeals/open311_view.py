"""A published appeal as an Open311 service request: what an anonymous reader may see of it.

Free text goes through presenters.free_text with no viewer, the one rule for masking personal
information. The feed is public and can be walked through by date, so coordinates are coarsened
to COORDINATE_DECIMALS places: enough to put the problem on a map, not to find a doorstep.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from zhengshu.appeals.models import Appeal
from zhengshu.appeals.open311_services import service_for_category
from zhengshu.appeals.presenters import free_text
from zhengshu.appeals.workflow import Status
from zhengshu.clock import TZ

# Three decimal places of a degree are about 110 m of latitude, and less of longitude here.
COORDINATE_DECIMALS = 3

STATUS_NOTICES = {
    Status.SUBMITTED: "诉求已受理，正在分拨至承办单位",
    Status.DISPATCHED: "已分拨至承办单位，等待签收",
    Status.RETURNED: "承办单位认为不属其职责，正在重新分拨",
    Status.HANDLING: "承办单位正在办理",
    Status.REPLIED: "承办单位已答复，正在审核",
    Status.CLOSED: "已办结；如对办理结果不满意，可拨打 12345 反映",
}


def _w3c(moment: datetime | None) -> str | None:
    return moment.astimezone(TZ).replace(microsecond=0).isoformat() if moment is not None else None


def coarse_coordinate(value: float | None) -> float | None:
    return round(value, COORDINATE_DECIMALS) if value is not None else None


def service_request(appeal: Appeal) -> dict[str, Any]:
    status = Status(appeal.status)
    closed = status is Status.CLOSED
    service = service_for_category(appeal.category)
    place = appeal.community or appeal.street
    address = appeal.address or "".join(p.name for p in (appeal.street, appeal.community) if p) or None
    return {
        "service_request_id": appeal.number,
        "status": "closed" if closed else "open",
        "status_notes": (free_text(appeal.reply, appeal, None) if closed else None) or status.label,
        "service_name": service.name if service else appeal.category,
        "service_code": service.code if service else None,
        "description": free_text(appeal.content, appeal, None),
        "agency_responsible": appeal.lead_department.name if appeal.lead_department else None,
        "service_notice": STATUS_NOTICES[status],
        "requested_datetime": _w3c(appeal.created_at),
        "updated_datetime": _w3c(appeal.updated_at),
        "expected_datetime": _w3c(appeal.due_at),
        "address": free_text(address, appeal, None),
        "address_id": place.code if place else None,
        "zipcode": None,
        "lat": coarse_coordinate(appeal.latitude),
        "long": coarse_coordinate(appeal.longitude),
        "media_url": None,
    }
