"""Intake: every channel files appeals through file_appeals (one) or its batch form."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from zhengshu import audit
from zhengshu.appeals.classification import classify_filed
from zhengshu.appeals.drafts import AppealDraft
from zhengshu.appeals.models import Appeal
from zhengshu.appeals.numbers import take_numbers
from zhengshu.appeals.search_terms import search_terms
from zhengshu.appeals.workflow import Status
from zhengshu.bulk import insert_rows
from zhengshu.clock import now
from zhengshu.errors import NotFound
from zhengshu.org.models import User
from zhengshu.org.services import find_community, find_street
from zhengshu.text.identifiers import phone_last_four

Place = tuple[int | None, int | None]  # street id, community id


# Streets and communities change only with a migration, so places found stay valid for the life of
# the process; every intake request then skips the look-ups.
_found_places: WeakKeyDictionary[Engine, dict[tuple[str, str], Place]] = WeakKeyDictionary()


@dataclass
class Places:
    """Resolves the street and community a draft names, each distinct spelling once."""

    session: Session
    known: dict[tuple[str, str], Place | NotFound] = field(default_factory=dict)

    def resolve(self, street: str | None, community: str | None) -> Place:
        """The ids of the place; raises NotFound for a street or community Longgang lacks."""
        if not street:
            return None, None
        key = (street, community or "")
        if key not in self.known:
            self.known[key] = self._remembered(key) or self._look_up(street, community)
        found = self.known[key]
        if isinstance(found, NotFound):
            raise found
        return found

    def _remembered(self, key: tuple[str, str]) -> Place | None:
        bind = self.session.get_bind()
        return _found_places.get(bind, {}).get(key) if isinstance(bind, Engine) else None

    def _look_up(self, street_name: str, community_name: str | None) -> Place | NotFound:
        try:
            street = find_street(self.session, street_name)
            community = find_community(self.session, street, community_name) if community_name else None
        except NotFound as error:
            return error
        place = street.id, community.id if community else None
        bind = self.session.get_bind()
        if isinstance(bind, Engine):
            _found_places.setdefault(bind, {})[(street_name, community_name or "")] = place
        return place


@dataclass(frozen=True)
class Filed:
    id: int
    number: str
    created: bool


def actor_label(actor: User | None, fallback: str) -> str:
    if actor is None:
        return fallback
    if actor.department is not None:
        return f"{actor.display_name}（{actor.department.name}）"
    return actor.display_name


def _row(draft: AppealDraft, place: Place, actor: User | None, moment: Any) -> dict[str, Any]:
    enterprise = draft.is_enterprise
    return {
        "external_id": draft.external_id,
        "channel": draft.channel.value,
        "type": draft.type.value,
        "urgency": draft.urgency.value,
        "category": draft.category,
        "status": Status.SUBMITTED.value,
        "appellant_name": draft.appellant_name,
        "appellant_phone": draft.appellant_phone,
        "appellant_phone_last4": phone_last_four(draft.appellant_phone),
        "appellant_id_number": draft.appellant_id_number,
        "is_enterprise": enterprise,
        "enterprise_name": draft.enterprise_name if enterprise else None,
        "enterprise_credit_code": draft.enterprise_credit_code if enterprise else None,
        "title": draft.title,
        "content": draft.content,
        "address": draft.address,
        "street_id": place[0],
        "community_id": place[1],
        "latitude": draft.latitude,
        "longitude": draft.longitude,
        "created_at": moment,
        "updated_at": moment,
        "created_by_id": actor.id if actor else None,
        "reopen_count": 0,
        "due_estimated": False,
        "version": 1,
        "search_terms": search_terms(draft.title, draft.content),
    }


def _existing(session: Session, drafts: Sequence[AppealDraft]) -> dict[str, tuple[int, str]]:
    external_ids = [d.external_id for d in drafts if d.external_id]
    if not external_ids:
        return {}
    rows = session.execute(
        select(Appeal.external_id, Appeal.id, Appeal.number).where(Appeal.external_id.in_(external_ids))
    )
    return {
        external_id: (appeal_id, number) for external_id, appeal_id, number in rows.tuples() if external_id
    }


def file_appeals(
    session: Session,
    drafts: Sequence[AppealDraft],
    *,
    actor: User | None = None,
    places: Places | None = None,
) -> list[Filed]:
    """File the drafts in the caller's transaction, in one round of statements for the batch, and
    classify them (zhengshu.appeals.classification): confident ones are dispatched at once.

    A draft whose external id was filed before is not filed again: retries and re-imports create
    nothing twice. Raises NotFound for an unknown street or community before writing anything."""
    places = places or Places(session)
    located = [places.resolve(d.street, d.community) for d in drafts]
    existing = _existing(session, drafts)
    fresh = [i for i, d in enumerate(drafts) if not (d.external_id and d.external_id in existing)]
    moment = now()
    # Numbers are taken last, so the counter is touched only once everything else has passed.
    numbers = iter(take_numbers(session, moment.date(), len(fresh)))
    rows = [{**_row(drafts[i], located[i], actor, moment), "number": next(numbers)} for i in fresh]
    ids: dict[str, int] = {}
    if rows:
        ids = insert_rows(session, Appeal.__table__, rows, key=Appeal.__table__.c.number)  # type: ignore[arg-type]
        audit.record_many(
            session,
            "appeal.submitted",
            "appeal",
            [(ids[row["number"]], {"channel": row["channel"], "number": row["number"]}) for row in rows],
            actor_id=actor.id if actor else None,
            actor_labels=[actor_label(actor, drafts[i].channel.label) for i in fresh],
            at=moment,
        )
        # With an active model: suggestions stored, confident appeals dispatched (no model: nothing).
        classify_filed(session, [ids[row["number"]] for row in rows])
    filed = {i: Filed(ids[row["number"]], row["number"], True) for i, row in zip(fresh, rows, strict=True)}
    result = []
    for i, draft in enumerate(drafts):
        if i in filed:
            result.append(filed[i])
        else:
            appeal_id, number = existing[draft.external_id or ""]
            result.append(Filed(appeal_id, number, False))
    return result


def submit_appeal(session: Session, draft: AppealDraft, *, actor: User | None = None) -> tuple[Appeal, bool]:
    """File one draft; returns the appeal and whether it is new."""
    filed = file_appeals(session, [draft], actor=actor)[0]
    return session.get_one(Appeal, filed.id), filed.created
