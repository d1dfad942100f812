"""Intake: every channel files an appeal through submit_appeal."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhengshu import audit
from zhengshu.appeals.drafts import AppealDraft
from zhengshu.appeals.models import Appeal
from zhengshu.appeals.numbers import next_number
from zhengshu.appeals.workflow import Status
from zhengshu.clock import now
from zhengshu.org.models import Community, Street, User
from zhengshu.org.services import find_community, find_street
from zhengshu.text.identifiers import phone_last_four


def resolve_place(session: Session, draft: AppealDraft) -> tuple[Street | None, Community | None]:
    if not draft.street:
        return None, None
    street = find_street(session, draft.street)
    community = find_community(session, street, draft.community) if draft.community else None
    return street, community


def find_by_external_id(session: Session, external_id: str) -> Appeal | None:
    return session.scalar(select(Appeal).where(Appeal.external_id == external_id))


def actor_label(actor: User | None, fallback: str) -> str:
    if actor is None:
        return fallback
    if actor.department is not None:
        return f"{actor.display_name}（{actor.department.name}）"
    return actor.display_name


def submit_appeal(session: Session, draft: AppealDraft, *, actor: User | None = None) -> tuple[Appeal, bool]:
    """File the draft; returns the appeal and whether it is new. A draft whose external id was
    filed before returns that appeal unchanged, so retries and re-imports create nothing twice."""
    if draft.external_id:
        existing = find_by_external_id(session, draft.external_id)
        if existing is not None:
            return existing, False
    street, community = resolve_place(session, draft)
    moment = now()
    # The number is taken last: its counter row stays locked only until commit.
    appeal = Appeal(
        number=next_number(session, moment.date()),
        external_id=draft.external_id,
        channel=draft.channel.value,
        type=draft.type.value,
        urgency=draft.urgency.value,
        category=draft.category,
        status=Status.SUBMITTED.value,
        appellant_name=draft.appellant_name,
        appellant_phone=draft.appellant_phone,
        appellant_phone_last4=phone_last_four(draft.appellant_phone),
        appellant_id_number=draft.appellant_id_number,
        is_enterprise=draft.is_enterprise,
        enterprise_name=draft.enterprise_name if draft.is_enterprise else None,
        enterprise_credit_code=draft.enterprise_credit_code if draft.is_enterprise else None,
        title=draft.title,
        content=draft.content,
        address=draft.address,
        street=street,
        community=community,
        latitude=draft.latitude,
        longitude=draft.longitude,
        created_at=moment,
        updated_at=moment,
        created_by_id=actor.id if actor else None,
        reopen_count=0,
        due_estimated=False,
    )
    session.add(appeal)
    session.flush()
    audit.record(
        session,
        "appeal.submitted",
        "appeal",
        appeal.id,
        actor_id=actor.id if actor else None,
        actor_label=actor_label(actor, draft.channel.label),
        data={"channel": draft.channel.value, "number": appeal.number},
        at=moment,
    )
    return appeal, True
