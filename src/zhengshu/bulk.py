"""Writing many rows at once: COPY on PostgreSQL for large batches, INSERT otherwise."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import psycopg
from sqlalchemy import JSON, Column, Table, insert, select
from sqlalchemy.orm import Session

# Below this many rows an INSERT … RETURNING costs fewer round trips than COPY and a look-up.
COPY_FROM_ROWS = 100


def insert_rows(
    session: Session, table: Table, rows: Sequence[dict[str, Any]], *, key: Column[Any] | None = None
) -> dict[Any, int]:
    """Insert rows that all carry the same keys, in the session's transaction. With `key` (a unique
    column the rows carry), returns each row's key → its new id.

    Large batches on PostgreSQL stream through COPY: a multi-row INSERT spends most of its time
    having the driver parse a statement with tens of thousands of placeholders."""
    if not rows:
        return {}
    if session.get_bind().dialect.name == "postgresql" and len(rows) >= COPY_FROM_ROWS:
        _copy(session, table, rows)
        if key is None:
            return {}
        found = session.execute(select(key, table.c.id).where(key.in_([row[key.name] for row in rows])))
        return dict(found.tuples().all())
    statement = insert(table).execution_options(render_nulls=True)
    if key is None:
        session.execute(statement, list(rows))
        return {}
    inserted = session.execute(statement.returning(key, table.c.id), list(rows))
    return dict(inserted.tuples().all())


def _copy(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    columns = list(rows[0])
    json_columns = {c.name for c in table.columns if isinstance(c.type, JSON)}
    raw = session.connection().connection.dbapi_connection
    if not isinstance(raw, psycopg.Connection):
        raise TypeError("COPY needs a psycopg connection")
    names = ", ".join(f'"{name}"' for name in columns)
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(
                [json.dumps(row[c], ensure_ascii=False) if c in json_columns else row[c] for c in columns]
            )
