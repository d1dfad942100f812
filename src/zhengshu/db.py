"""Engine and session factory. SQLite runs in WAL mode; PostgreSQL through psycopg 3."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, DateTime, Dialect, Engine, MetaData, TypeDecorator, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from zhengshu.clock import TZ, local

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def normalise_url(url: str) -> str:
    """Accept plain postgresql:// URLs and use psycopg 3 for them."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # NORMAL in WAL mode survives a killed process; only a power loss may drop the last commits.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def create_db_engine(url: str, pool_size: int = 32) -> Engine:
    url = normalise_url(url)
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=pool_size,
            hide_parameters=True,  # bound values carry names and phone numbers: keep them out of logs
        )
        event.listen(engine, "connect", _on_sqlite_connect)
        # BEGIN IMMEDIATE: a writer takes the lock up front, so two writers queue instead of
        # deadlocking on a lock upgrade. Reads (see `reading`) begin deferred and never wait.
        event.listen(engine, "begin", _begin_sqlite)
        _disable_pysqlite_transactions(engine)
        return engine
    return create_engine(url, pool_size=pool_size, max_overflow=0, pool_recycle=3600, hide_parameters=True)


def _begin_sqlite(connection: Connection) -> None:
    read_only = connection.get_execution_options().get(READ_ONLY, False)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def _disable_pysqlite_transactions(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _autocommit_off(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own handling is broken).
        dbapi_connection.isolation_level = None


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


READ_ONLY = "zhengshu_read_only"
_writer_locks: WeakKeyDictionary[Engine, threading.Lock] = WeakKeyDictionary()


def _writer_lock(factory: sessionmaker[Session]) -> threading.Lock | None:
    """SQLite has one writer at a time. Threads of one process queue on a lock here, which is
    fair and instant, instead of on SQLite's busy handler, which sleeps and retries."""
    bind = factory.kw.get("bind")
    if not isinstance(bind, Engine) or bind.dialect.name != "sqlite":
        return None
    lock = _writer_locks.get(bind)
    if lock is None:
        lock = _writer_locks.setdefault(bind, threading.Lock())
    return lock


@contextmanager
def reading(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A unit of work that only reads: on SQLite it neither waits for nor blocks writers."""
    # Closing the session ends the transaction without expiring what was loaded, so objects read
    # here stay usable after the block.
    with factory() as session:
        session.connection(execution_options={READ_ONLY: True})
        yield session


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    lock = _writer_lock(factory)
    if lock is None:
        with factory() as session, session.begin():
            yield session
        return
    with lock, factory() as session, session.begin():
        yield session


class Moment(TypeDecorator[datetime]):
    """A point in time, always returned aware in Asia/Shanghai on SQLite and PostgreSQL alike.

    SQLite has no zone-aware type, so values are stored there as Shanghai local time, which keeps
    string comparison in SQL correct.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime stored; use zhengshu.clock.now()")
        value = value.astimezone(TZ)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else local(value)
