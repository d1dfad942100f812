"""An appeal as its viewer may see it: personal information masked unless the viewer may see it.

Pages, the JSON API and Open311 all present appeals through these functions."""

from __future__ import annotations

from typing import Any

from zhengshu.appeals.access import can_see_pii
from zhengshu.appeals.drafts import ANONYMOUS
from zhengshu.appeals.models import Appeal
from zhengshu.appeals.vocabulary import AppealType, Channel, Satisfaction, Urgency
from zhengshu.appeals.workflow import Status
from zhengshu.audit import AuditEvent
from zhengshu.org.models import User
from zhengshu.text.pii import mask_id_number, mask_name, mask_phone, mask_pii_in_text


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def appellant(appeal: Appeal, viewer: User | None) -> dict[str, Any]:
    if can_see_pii(viewer, appeal):
        return {
            "name": appeal.appellant_name,
            "phone": appeal.appellant_phone,
            "id_number": appeal.appellant_id_number,
            "masked": False,
        }
    return {
        "name": mask_name(appeal.appellant_name),
        "phone": mask_phone(appeal.appellant_phone),
        "id_number": mask_id_number(appeal.appellant_id_number) if appeal.appellant_id_number else None,
        "masked": True,
    }


def free_text(text: str | None, appeal: Appeal, viewer: User | None) -> str | None:
    """Free text as the viewer may see it: without the permission, phone and ID numbers typed into
    it are masked, and so is the appellant's name wherever it appears."""
    if text is None or can_see_pii(viewer, appeal):
        return text
    return _mask_appellant_name(mask_pii_in_text(text), appeal.appellant_name)


def _mask_appellant_name(text: str, name: str) -> str:
    # A one-character name would mask that character everywhere, and the anonymous placeholder
    # names nobody.
    name = name.strip()
    if len(name) < 2 or name == ANONYMOUS:
        return text
    return text.replace(name, mask_name(name))


def appeal_summary(appeal: Appeal, viewer: User | None) -> dict[str, Any]:
    return {
        "number": appeal.number,
        "title": free_text(appeal.title, appeal, viewer),
        "status": appeal.status,
        "status_label": Status(appeal.status).label,
        "type": appeal.type,
        "type_label": AppealType(appeal.type).label,
        "urgency": appeal.urgency,
        "urgency_label": Urgency(appeal.urgency).label,
        "channel": appeal.channel,
        "channel_label": Channel(appeal.channel).label,
        "category": appeal.category,
        "street": appeal.street.name if appeal.street else None,
        "community": appeal.community.name if appeal.community else None,
        "department": appeal.lead_department.name if appeal.lead_department else None,
        "created_at": _iso(appeal.created_at),
        "due_at": _iso(appeal.due_at),
        "due_estimated": appeal.due_estimated,
    }


def appeal_detail(appeal: Appeal, viewer: User | None) -> dict[str, Any]:
    detail = appeal_summary(appeal, viewer)
    detail.update(
        {
            "id": appeal.id,
            "version": appeal.version,
            "external_id": appeal.external_id,
            "content": free_text(appeal.content, appeal, viewer),
            "address": free_text(appeal.address, appeal, viewer),
            "latitude": appeal.latitude,
            "longitude": appeal.longitude,
            "appellant": appellant(appeal, viewer),
            "is_enterprise": appeal.is_enterprise,
            "enterprise": {"name": appeal.enterprise_name, "credit_code": appeal.enterprise_credit_code}
            if appeal.is_enterprise
            else None,
            "co_handlers": [
                {
                    "department": c.department.name,
                    "opinion": free_text(c.opinion, appeal, viewer),
                    "replied_at": _iso(c.replied_at),
                }
                for c in appeal.co_handlers
            ],
            "dispatched_at": _iso(appeal.dispatched_at),
            "accepted_at": _iso(appeal.accepted_at),
            "accept_due_at": _iso(appeal.accept_due_at),
            "replied_at": _iso(appeal.replied_at),
            "closed_at": _iso(appeal.closed_at),
            "reply": free_text(appeal.reply, appeal, viewer),
            "satisfaction": appeal.satisfaction,
            "satisfaction_label": Satisfaction(appeal.satisfaction).label if appeal.satisfaction else None,
            "reopen_count": appeal.reopen_count,
        }
    )
    return detail


EVENT_LABELS = {
    "appeal.submitted": "受理登记",
    "appeal.dispatched": "分拨",
    "appeal.accepted": "签收",
    "appeal.returned": "退回",
    "appeal.co_handler_replied": "协办意见",
    "appeal.extension_requested": "申请延期",
    "appeal.extension_decided": "延期审批",
    "appeal.supervised": "督办",
    "appeal.replied": "提交答复",
    "appeal.closed": "办结",
    "appeal.sent_back": "审核退回",
    "appeal.followed_up": "回访",
    "appeal.reopened": "重办",
    "appeal.merged": "并案",
    "appeal.merge_received": "并入诉求",
    "appeal.merge_moved": "随原主件改并入新主件",
    "appeal.closed_with_main": "随主件办结",
}
# The public tracking page shows what happened, never who did it or internal notes.
PUBLIC_EVENTS = {
    "appeal.submitted",
    "appeal.dispatched",
    "appeal.accepted",
    "appeal.replied",
    "appeal.closed",
    "appeal.reopened",
    "appeal.followed_up",
    "appeal.merged",
    "appeal.closed_with_main",
}


def timeline(
    events: list[AuditEvent], appeal: Appeal, viewer: User | None, *, public: bool = False
) -> list[dict[str, Any]]:
    """The appeal's events; notes in them are masked like the appeal's own free text."""
    rows = []
    for event in events:
        if public and event.action not in PUBLIC_EVENTS:
            continue
        row: dict[str, Any] = {
            "action": event.action,
            "label": EVENT_LABELS.get(event.action, event.action),
            "at": _iso(event.at),
        }
        if not public:
            row["actor"] = event.actor_label
            row["data"] = {
                key: free_text(value, appeal, viewer) if isinstance(value, str) else value
                for key, value in event.data.items()
            }
        rows.append(row)
    return rows
