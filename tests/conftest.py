"""Test fixtures: every database test runs on SQLite and, when ZHENGSHU_TEST_DATABASE_URL is set,
on PostgreSQL too. Schemas are built through the migrations, as in production."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from zhengshu.db import create_db_engine, normalise_url, session_factory, transaction
from zhengshu.migrate import upgrade
from zhengshu.org.models import User
from zhengshu.org.roles import Role
from zhengshu.org.services import create_user

PG_URL = os.environ.get("ZHENGSHU_TEST_DATABASE_URL", "")
if os.environ.get("CI") and not PG_URL:
    raise RuntimeError("CI must run the suite on PostgreSQL: set ZHENGSHU_TEST_DATABASE_URL")

BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
# Tables holding what tests create; reference data and the session's users stay.
TRANSIENT_TABLES = [
    "applications",
    "applicant_profiles",
    "service_faqs",
    "service_materials",
    "service_items",
    "policy_articles",
    "policy_versions",
    "policy_documents",
    "appeal_day_stats",
    "appeal_street_day_stats",
    "appeal_street_month_stats",
    "board_marks",
    "appeal_classifications",
    "classifier_models",
    "closure_audits",
    "signal_warnings",
    "signal_runs",
    "daily_briefs",
    "exemplary_cases",
    "reply_templates",
    "supervision_notices",
    "appeal_extensions",
    "appeal_co_handlers",
    "appeals",
    "appeal_number_counters",
    "audit_events",
    "api_tokens",
]
PASSWORD = "test-password-1"

USERS = {
    "operator": (Role.HOTLINE_OPERATOR, None),
    "dispatcher": (Role.DISPATCHER, None),
    "handler_zjj": (Role.HANDLER, "zjj"),
    "handler_cgj": (Role.HANDLER, "cgj"),
    "handler_pinghu": (Role.HANDLER, "jd003"),
    "reviewer": (Role.REVIEWER, None),
    "supervisor": (Role.SUPERVISOR, None),
    "leader": (Role.LEADER, None),
    "policy": (Role.POLICY_OFFICER, None),
    "admin": (Role.ADMIN, None),
}


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _fresh_postgres_database(tmp_name: str) -> str:
    admin = create_engine(normalise_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{tmp_name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{tmp_name}"'))
    admin.dispose()
    return make_url(normalise_url(PG_URL)).set(database=tmp_name).render_as_string(hide_password=False)


def _drop_postgres_database(name: str) -> None:
    admin = create_engine(normalise_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@dataclass
class Database:
    backend: str
    url: str
    engine: Engine
    factory: sessionmaker[Session]
    users: dict[str, User]

    def user(self, name: str) -> User:
        return self.users[name]


@pytest.fixture(scope="session", params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    backend = request.param
    if backend == "sqlite":
        path = Path(tmp_path_factory.mktemp("db")) / "test.db"
        url = f"sqlite:///{path}"
    else:
        # One database per test process: parallel runs (xdist workers, other checkouts) never collide.
        url = _fresh_postgres_database(f"zhengshu_test_{_worker()}_{os.getpid()}")
    engine = create_db_engine(url)
    upgrade(engine)
    factory = session_factory(engine)
    users: dict[str, User] = {}
    with transaction(factory) as session:
        for name, (role, department) in USERS.items():
            users[name] = create_user(
                session,
                username=name,
                password=PASSWORD,
                role=role,
                department_code=department,
                display_name=name,
            )
    with factory() as session:
        users = {name: session.get_one(User, user.id) for name, user in users.items()}
        for user in users.values():
            _ = user.department
        session.expunge_all()
    yield Database(backend, url, engine, factory, users)
    engine.dispose()
    if backend == "postgresql":
        _drop_postgres_database(make_url(url).database or "")


@pytest.fixture
def db(database: Database) -> Iterator[Database]:
    yield database
    with database.engine.begin() as connection:
        for table in TRANSIENT_TABLES:
            connection.execute(text(f"DELETE FROM {table}"))
        connection.execute(text("DELETE FROM audit_events"))


@pytest.fixture
def app(db: Database):
    from zhengshu.settings import Settings
    from zhengshu.web.app import create_app

    return create_app(Settings(database_url=db.url, dev=True))


@pytest.fixture
def client(app):
    from fastapi.testclient import TestClient

    with TestClient(app) as test_client:
        yield test_client
