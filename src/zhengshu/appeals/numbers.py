"""Appeal numbers a person can read out on the phone: YYMMDD and a 5-digit daily sequence."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import ReturningInsert

from zhengshu.appeals.models import NumberCounter


def _take(dialect_name: str, day: date, count: int) -> ReturningInsert[int]:
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    insert = dialect.insert(NumberCounter).values(day=day, last=count)
    return insert.on_conflict_do_update(
        index_elements=["day"], set_={"last": NumberCounter.last + count}
    ).returning(NumberCounter.last)


def next_number(session: Session, day: date) -> str:
    return take_numbers(session, day, 1)[0]


def take_numbers(session: Session, day: date, count: int) -> list[str]:
    """Take the next `count` numbers of the day in one atomic statement; numbers never repeat.

    On PostgreSQL the statement commits on its own connection at once, so concurrent intakes do not
    queue behind each other's transactions for the counter row; a failed intake leaves a gap, as a
    sequence would. SQLite has a single writer anyway, so there it is part of the intake."""
    if count <= 0:
        return []
    bind = session.get_bind()
    if bind.dialect.name == "postgresql" and isinstance(bind, Engine):
        with bind.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            last = connection.execute(_take("postgresql", day, count)).scalar_one()
    else:
        last = session.execute(_take(bind.dialect.name, day, count)).scalar_one()
    return [f"{day:%y%m%d}{sequence:05d}" for sequence in range(last - count + 1, last + 1)]
