from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from zhengshu.cli import app
from zhengshu.db import transaction
from zhengshu.migrate import MIGRATIONS
from zhengshu.org.models import User

runner = CliRunner()


@pytest.fixture
def cli_env(db, monkeypatch):
    monkeypatch.setenv("ZHENGSHU_DATABASE_URL", db.url)
    monkeypatch.setenv("ZHENGSHU_DEV", "1")
    return db


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["serve"],
        ["migrate"],
        ["users", "create"],
        ["demo", "load"],
        ["bench", "intake"],
        ["bench", "import"],
        ["import", "appeals"],
        ["jobs", "run"],
    ],
)
def test_every_command_has_help(command):
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_migrate_is_idempotent(cli_env):
    first = runner.invoke(app, ["migrate"])
    second = runner.invoke(app, ["migrate"])
    assert first.exit_code == 0 and second.exit_code == 0
    newest = max(path.name[:4] for path in (MIGRATIONS / "versions").glob("0*.py"))
    assert newest in second.output


def test_users_create(cli_env):
    name = f"cli_handler_{cli_env.backend}"
    result = runner.invoke(
        app,
        ["users", "create", name, "--role", "handler", "--department", "jd014", "--password", "a-long-pass"],
    )
    assert result.exit_code == 0, result.output
    with transaction(cli_env.factory) as session:
        user = session.scalar(select(User).where(User.username == name))
        assert user is not None and user.department is not None and user.department.name == "布吉街道办事处"
        assert user.password_hash.startswith("$argon2id$")
    again = runner.invoke(
        app,
        ["users", "create", name, "--role", "handler", "--department", "jd014", "--password", "a-long-pass"],
    )
    assert again.exit_code == 1 and "已存在" in again.output


def test_users_create_rejects_unknown_role_and_handler_without_department(cli_env):
    bad_role = runner.invoke(app, ["users", "create", "x1", "--role", "boss", "--password", "a-long-pass"])
    assert bad_role.exit_code == 2 and "未知角色" in bad_role.output
    no_dept = runner.invoke(app, ["users", "create", "x2", "--role", "handler", "--password", "a-long-pass"])
    assert no_dept.exit_code == 1 and "部门" in no_dept.output


def test_default_secret_refused_outside_dev(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZHENGSHU_")}
    env["ZHENGSHU_DATABASE_URL"] = f"sqlite:///{tmp_path}/x.db"
    result = subprocess.run(
        [sys.executable, "-m", "zhengshu.cli", "migrate"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 2
    assert "ZHENGSHU_SECRET_KEY" in result.stderr


def test_deadline_settings_are_checked(monkeypatch):
    from pydantic import ValidationError

    from zhengshu.settings import Settings

    with pytest.raises(ValidationError, match="未知诉求类型"):
        Settings(dev=True, deadline_days={"complain": 3})
    with pytest.raises(ValidationError, match="至少为 1"):
        Settings(dev=True, urgency_cap_days={"urgent": 0})
    assert Settings(dev=True, deadline_days={"complaint": 7}).deadline_days == {"complaint": 7}


@pytest.mark.parametrize(
    "command",
    [
        ["brief", "daily", "--date", "0001-01-01"],
        ["brief", "daily", "--date", "9999-12-31"],
        ["signals", "detect", "--date", "0001-01-01"],
        ["signals", "detect", "--date", "9999-12-31"],
    ],
)
def test_days_out_of_range_are_refused_in_chinese(cli_env, command, tmp_path):
    result = runner.invoke(app, [*command] + (["--output", str(tmp_path)] if command[0] == "brief" else []))
    assert result.exit_code == 1, result.output
    assert "日期须在 2000-01-01 至今天" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "command",
    [
        ["classify", "activate", "99999999999999999999999"],
        ["classify", "activate", "0"],
        ["bench", "similar", "--appeals", "-5"],
        ["bench", "similar", "--lookups", "0"],
    ],
)
def test_numbers_out_of_range_are_usage_errors_not_tracebacks(command):
    result = runner.invoke(app, command)
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit) and "Invalid value" in result.output
