"""The overdue job: a supervision notice for every missed acceptance or handling deadline."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from zhengshu import audit
from zhengshu.appeals.models import Appeal, SupervisionNotice
from zhengshu.appeals.workflow import Status
from zhengshu.clock import now

KINDS = {
    "overdue_accept": ((Status.DISPATCHED,), "accept_due_at", "超过签收时限仍未签收，请立即签收办理"),
    # An appeal never accepted has missed its handling deadline too once that passes.
    "overdue_handle": (
        (Status.DISPATCHED, Status.HANDLING),
        "due_at",
        "已超过办理时限，请尽快办结并说明超期原因",
    ),
}


def issue_overdue_notices(session: Session, at: datetime | None = None) -> int:
    """Idempotent: one notice per appeal and missed deadline however often the job runs."""
    moment = at or now()
    issued = 0
    for kind, (statuses, due_column, message) in KINDS.items():
        due = getattr(Appeal, due_column)
        already = and_(
            SupervisionNotice.appeal_id == Appeal.id,
            SupervisionNotice.kind == kind,
            SupervisionNotice.due_at == due,
        )
        rows = session.execute(
            select(Appeal.id, Appeal.lead_department_id, due)
            .where(
                Appeal.status.in_([s.value for s in statuses]),
                due < moment,
                ~select(SupervisionNotice.id).where(already).exists(),
            )
            .order_by(Appeal.id)
        ).all()
        for appeal_id, department_id, due_at in rows:
            notice = SupervisionNotice(
                appeal_id=appeal_id,
                department_id=department_id,
                kind=kind,
                due_at=due_at,
                message=message,
                issued_at=moment,
                issued_by_id=None,
            )
            session.add(notice)
            audit.record(
                session,
                "appeal.supervised",
                "appeal",
                appeal_id,
                actor_id=None,
                actor_label="系统（超期督办）",
                data={"kind": kind},
                at=moment,
            )
            issued += 1
    return issued
