"""The `zhengshu` command: thin wrappers over the services."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session, sessionmaker

from zhengshu.settings import InsecureSettings, Settings

app = typer.Typer(help="政数 zhengshu：区政务服务和数据管理局平台", no_args_is_help=True)
users_app = typer.Typer(help="用户管理", no_args_is_help=True)
demo_app = typer.Typer(help="演示数据", no_args_is_help=True)
jobs_app = typer.Typer(help="后台任务", no_args_is_help=True)
bench_app = typer.Typer(help="性能基准：每个命令输出一行 JSON", no_args_is_help=True)
import_app = typer.Typer(help="数据导入", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(demo_app, name="demo")
app.add_typer(jobs_app, name="jobs")
app.add_typer(bench_app, name="bench")
app.add_typer(import_app, name="import")
console = Console()
errors = Console(stderr=True)


def load_settings() -> Settings:
    try:
        return Settings()
    except (InsecureSettings, ValidationError) as error:
        errors.print(f"[red]配置错误：{error}[/red]")
        raise typer.Exit(2) from None


def _factory(settings: Settings) -> sessionmaker[Session]:
    from zhengshu.db import create_db_engine, session_factory

    return session_factory(create_db_engine(settings.database_url, settings.web_threads * 2))


@app.command()
def migrate() -> None:
    """把数据库升级到最新结构（含街道、社区、部门基础数据）。"""
    from zhengshu.db import create_db_engine
    from zhengshu.migrate import current_revision, upgrade

    settings = load_settings()
    engine = create_db_engine(settings.database_url)
    upgrade(engine)
    console.print(f"数据库已是最新版本：{current_revision(engine)}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="监听地址")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口")] = 8000,
    workers: Annotated[int, typer.Option(help="进程数（PostgreSQL 时可大于 1）")] = 1,
) -> None:
    """启动 Web 服务（页面、JSON API、Open311）。"""
    import uvicorn

    from zhengshu.logs import configure

    load_settings()
    configure()
    console.print(f"政数已启动：http://{host}:{port}/  （API 文档：/docs）")
    uvicorn.run(
        "zhengshu.web.asgi:create",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,
        access_log=False,
    )


@users_app.command("create")
def users_create(
    username: Annotated[str, typer.Argument(help="用户名")],
    role: Annotated[
        str, typer.Option(help="角色：hotline_operator/dispatcher/handler/reviewer/supervisor/leader/admin")
    ],
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help="密码")
    ],
    department: Annotated[str | None, typer.Option(help="部门代码（承办人必填），如 zjj、jd003")] = None,
    display_name: Annotated[str | None, typer.Option(help="显示姓名")] = None,
) -> None:
    """创建用户。"""
    from zhengshu.db import transaction
    from zhengshu.errors import DomainError
    from zhengshu.org.roles import Role
    from zhengshu.org.services import create_user

    try:
        role_value = Role(role)
    except ValueError:
        errors.print(f"[red]未知角色 {role}，可选：{', '.join(r.value for r in Role)}[/red]")
        raise typer.Exit(2) from None
    factory = _factory(load_settings())
    try:
        with transaction(factory) as session:
            user = create_user(
                session,
                username=username,
                password=password,
                role=role_value,
                department_code=department,
                display_name=display_name,
            )
            label = f"{user.username}（{role_value.label}）"
    except DomainError as error:
        errors.print(f"[red]{error.message}[/red]")
        raise typer.Exit(1) from None
    console.print(f"已创建用户 {label}")


@demo_app.command("load")
def demo_load(
    appeals: Annotated[int, typer.Option(help="生成的诉求数")] = 400,
    days: Annotated[int, typer.Option(help="分布在最近多少天")] = 60,
) -> None:
    """载入演示数据（各角色演示账号和数百条诉求），可重复执行。"""
    from zhengshu.appeals.demo import load_demo
    from zhengshu.appeals.rules import AppealRules

    settings = load_settings()
    summary = load_demo(_factory(settings), AppealRules.from_settings(settings), appeals=appeals, days=days)
    table = Table(title="演示账号")
    for column in ("用户名", "角色", "单位", "密码"):
        table.add_column(column)
    for row in summary.logins:
        table.add_row(*row)
    console.print(table)
    console.print(f"演示诉求：{summary.describe()}")


@jobs_app.command("run")
def jobs_run() -> None:
    """执行一次周期任务（超期督办），供 cron 或进程管理器调用。"""
    from zhengshu.jobs import supervise_overdue

    issued = supervise_overdue(_factory(load_settings()))
    console.print(f"已生成超期督办单 {issued} 张")


@import_app.command("appeals")
def import_appeals_command(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help=".xlsx 或 .csv 文件")],
) -> None:
    """从 Excel/CSV 导入诉求：按外部编号幂等；有任何错误行则整批不导入并列出错误。"""
    from zhengshu.appeals.importing import import_appeals, read_rows
    from zhengshu.db import transaction
    from zhengshu.errors import DomainError

    factory = _factory(load_settings())
    try:
        rows = read_rows(path.read_bytes(), path.name)
        with transaction(factory) as session:
            report = import_appeals(session, rows, actor=None)
    except DomainError as error:
        errors.print(f"[red]{error.message}[/red]")
        raise typer.Exit(1) from None
    if not report.ok:
        table = Table(title=f"共 {len(report.errors)} 处错误，本批未导入任何诉求")
        for column in ("行", "字段", "问题"):
            table.add_column(column)
        for row_error in report.errors:
            table.add_row(str(row_error.row), row_error.field, row_error.message)
        errors.print(table)
        raise typer.Exit(1)
    console.print(f"共 {report.total} 行：新建 {report.created}，已存在未变 {report.unchanged}")


@bench_app.command("intake")
def bench_intake(
    url: Annotated[str, typer.Option(help="运行中的服务地址")] = "http://127.0.0.1:8000",
    clients: Annotated[int, typer.Option(help="并发客户端数")] = 32,
    total: Annotated[int, typer.Option(help="提交总数")] = 2000,
) -> None:
    """并发提交诉求并全部读回，输出一行 JSON。"""
    from zhengshu.bench.intake import run_sync

    print(json.dumps(run_sync(url, clients, total), ensure_ascii=False))


@bench_app.command("import")
def bench_import(
    rows: Annotated[int, typer.Option(help="生成的行数")] = 100_000,
    database_url: Annotated[str | None, typer.Option(help="目标数据库（默认 ZHENGSHU_DATABASE_URL）")] = None,
) -> None:
    """生成诉求表格并导入，输出一行 JSON（rows_per_second）。"""
    from zhengshu.appeals.import_samples import generate_rows
    from zhengshu.appeals.importing import import_appeals
    from zhengshu.db import create_db_engine, session_factory, transaction
    from zhengshu.migrate import upgrade

    settings = load_settings()
    engine = create_db_engine(database_url or settings.database_url)
    upgrade(engine)
    data = generate_rows(rows, seed=int(time.time()))
    started = time.perf_counter()
    with transaction(session_factory(engine)) as session:
        report = import_appeals(session, data, actor=None)
    elapsed = time.perf_counter() - started
    result = {
        "rows": rows,
        "created": report.created,
        "errors": len(report.errors),
        "seconds": round(elapsed, 2),
        "rows_per_second": round(rows / elapsed, 1),
        "backend": engine.dialect.name,
    }
    print(json.dumps(result, ensure_ascii=False))
    if not report.ok:
        sys.exit(1)


if __name__ == "__main__":
    app()
