"""The overdue job: a supervision notice for every missed acceptance or handling deadline."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from zhengshu import audit
from zhengshu.appeals.models import Appeal, SupervisionNotice
from zhengshu.appeals.overdue import DEADLINES, missed
from zhengshu.clock import now


def issue_overdue_notices(session: Session, at: datetime | None = None) -> int:
    """Idempotent: one notice per appeal and missed deadline however often the job runs, even
    when several processes run it at once (the unique constraint decides, nothing fails)."""
    moment = at or now()
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    issued = 0
    for kind, (_statuses, due, message) in DEADLINES.items():
        already = and_(
            SupervisionNotice.appeal_id == Appeal.id,
            SupervisionNotice.kind == kind.value,
            SupervisionNotice.due_at == due,
        )
        rows = session.execute(
            select(Appeal.id, Appeal.lead_department_id, due)
            .where(missed(kind, moment), ~select(SupervisionNotice.id).where(already).exists())
            .order_by(Appeal.id)
        ).all()
        for appeal_id, department_id, due_at in rows:
            notice = (
                dialect.insert(SupervisionNotice)
                .values(
                    appeal_id=appeal_id,
                    department_id=department_id,
                    kind=kind.value,
                    due_at=due_at,
                    message=message,
                    issued_at=moment,
                    issued_by_id=None,
                )
                .on_conflict_do_nothing()
                .returning(SupervisionNotice.id)
            )
            if session.execute(notice).scalar() is None:
                continue  # another run issued it a moment ago
            audit.record(
                session,
                "appeal.supervised",
                "appeal",
                appeal_id,
                actor_id=None,
                actor_label="系统（超期督办）",
                data={"kind": kind.value},
                at=moment,
            )
            issued += 1
    return issued
