"""Appeal numbers a person can read out on the phone: YYMMDD and a 5-digit daily sequence."""

from __future__ import annotations

from datetime import date

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from zhengshu.appeals.models import NumberCounter


def next_number(session: Session, day: date) -> str:
    """Take the next number of the day. The counter row is locked until the caller commits,
    so concurrent intakes queue for it briefly and never share a number."""
    bump = (
        update(NumberCounter)
        .where(NumberCounter.day == day)
        .values(last=NumberCounter.last + 1)
        .returning(NumberCounter.last)
    )
    sequence = session.execute(bump).scalar()
    if sequence is None:
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        session.execute(
            dialect.insert(NumberCounter).values(day=day, last=0).on_conflict_do_nothing(index_elements=["day"])
        )
        sequence = session.execute(bump).scalar_one()
    return f"{day:%y%m%d}{sequence:05d}"
