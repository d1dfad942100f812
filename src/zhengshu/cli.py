"""The `zhengshu` command: thin wrappers over the services."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
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
boards_app = typer.Typer(help="民意地图与民意速办看板", no_args_is_help=True)
bench_app = typer.Typer(help="性能基准：每个命令输出一行 JSON", no_args_is_help=True)
import_app = typer.Typer(help="数据导入", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(demo_app, name="demo")
app.add_typer(jobs_app, name="jobs")
app.add_typer(boards_app, name="boards")
app.add_typer(bench_app, name="bench")
app.add_typer(import_app, name="import")
brief_app = typer.Typer(help="每日简报（民生诉求每日5条、企业诉求每日速报）", no_args_is_help=True)
app.add_typer(brief_app, name="brief")
console = Console()
errors = Console(stderr=True)


def load_settings() -> Settings:
    try:
        return Settings()
    except (InsecureSettings, ValidationError) as error:
        errors.print(f"[red]配置错误：{error}[/red]")
        raise typer.Exit(2) from None


@contextmanager
def _refused() -> Iterator[None]:
    """A refusal of the domain (bad input, an unknown record) ends the command with its message, exit 1."""
    from zhengshu.errors import DomainError

    try:
        yield
    except DomainError as error:
        errors.print(f"[red]{error.message}[/red]")
        raise typer.Exit(1) from None


def _factory(settings: Settings) -> sessionmaker[Session]:
    from zhengshu.appeals.classification import configure_from_settings
    from zhengshu.db import create_db_engine, session_factory
    from zhengshu.errors import DomainError

    engine = create_db_engine(settings.database_url, settings.web_threads * 2)
    try:
        configure_from_settings(engine, settings)
    except DomainError as error:
        errors.print(f"[red]配置错误：{error.message}[/red]")
        raise typer.Exit(2) from None
    return session_factory(engine)


@app.command()
def migrate() -> None:
    """把数据库升级到最新结构（含街道、社区、部门基础数据）。"""
    from zhengshu.appeals.board_cube import ensure_fresh
    from zhengshu.db import create_db_engine, session_factory
    from zhengshu.migrate import current_revision, upgrade

    settings = load_settings()
    engine = create_db_engine(settings.database_url)
    upgrade(engine)
    # The dashboards' summaries, built here rather than by the first person to open a dashboard.
    ensure_fresh(session_factory(engine))
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

    settings = load_settings()
    configure()
    from zhengshu.errors import DomainError
    from zhengshu.org.street_map import street_map

    try:
        street_map(settings)
    except DomainError as error:
        errors.print(f"[red]配置错误：{error.message}[/red]")
        raise typer.Exit(2) from None
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
    from zhengshu.org.roles import Role
    from zhengshu.org.services import create_user

    try:
        role_value = Role(role)
    except ValueError:
        errors.print(f"[red]未知角色 {role}，可选：{', '.join(r.value for r in Role)}[/red]")
        raise typer.Exit(2) from None
    factory = _factory(load_settings())
    with _refused(), transaction(factory) as session:
        user = create_user(
            session,
            username=username,
            password=password,
            role=role_value,
            department_code=department,
            display_name=display_name,
        )
        label = f"{user.username}（{role_value.label}）"
    console.print(f"已创建用户 {label}")


@demo_app.command("load")
def demo_load(
    appeals: Annotated[int, typer.Option(help="生成的诉求数")] = 400,
    days: Annotated[int, typer.Option(help="分布在最近多少天")] = 60,
) -> None:
    """载入演示数据（各角色演示账号、数百条诉求和示例政策文件），可重复执行。"""
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
    from zhengshu.policy.demo import load_demo as load_policy_demo

    report = load_policy_demo(_factory(settings))
    counts = report.summary()
    console.print(f"示例政策文件：共 {counts['total']} 份（新建 {counts.get('created', 0)} 份）")
    from zhengshu.guide.demo import load_demo as load_guide_demo

    guide_report = load_guide_demo(_factory(settings))
    console.print(f"示例服务事项：{guide_report.summary()}")
    from zhengshu.guide.application_demo import load_demo as load_application_demo

    console.print(f"示例办事人（citizen、enterprise）：{load_application_demo(_factory(settings)).describe()}")


@jobs_app.command("run")
def jobs_run() -> None:
    """执行一次周期任务（超期督办），供 cron 或进程管理器调用。"""
    from zhengshu.jobs import supervise_overdue

    issued = supervise_overdue(_factory(load_settings()))
    console.print(f"已生成超期督办单 {issued} 张")
    from zhengshu.jobs import generate_daily_briefs

    if generate_daily_briefs(_factory(load_settings())):
        console.print("已生成昨日的每日简报")
    from zhengshu.jobs import detect_weak_signals

    if detect_weak_signals(_factory(load_settings())):
        console.print("已完成昨日的弱信号检测")
    from zhengshu.jobs import refresh_boards

    days = refresh_boards(_factory(load_settings()))
    console.print(f"看板汇总已更新（重算 {days} 天）")


@boards_app.command("rebuild")
def boards_rebuild() -> None:
    """从全部诉求重建看板汇总表（汇总表可随时丢弃重建）。"""
    from zhengshu.appeals.board_cube import rebuild
    from zhengshu.db import transaction

    with transaction(_factory(load_settings())) as session:
        rebuild(session)
    console.print("看板汇总表已重建")


@brief_app.command("daily")
def brief_daily(
    date: Annotated[str, typer.Option("--date", help="日期 YYYY-MM-DD（默认今天）")] = "",
    output: Annotated[Path, typer.Option("--output", help="输出目录")] = Path("."),
) -> None:
    """生成某日的“民生诉求每日5条”和“企业诉求每日速报”（保存到数据库并输出 .docx）。"""
    from zhengshu.appeals.brief_docx import save
    from zhengshu.appeals.briefs import generate
    from zhengshu.appeals.days import parse_day
    from zhengshu.clock import now
    from zhengshu.db import transaction
    from zhengshu.errors import DomainError

    try:
        day = parse_day(date, default=now().date())
        with transaction(_factory(load_settings())) as session:
            contents = [brief.content for brief in generate(session, day)]
        paths = [save(content, output) for content in contents]
    except DomainError as error:
        errors.print(f"[red]{error.message}[/red]")
        raise typer.Exit(1) from None
    except OSError as error:
        errors.print(f"[red]无法写入 {output}：{error.strerror}[/red]")
        raise typer.Exit(1) from None
    for content, path in zip(contents, paths, strict=True):
        console.print(f"{content['title']}：{content['message']}")
        console.print(f"  已写入 {path}")


@import_app.command("appeals")
def import_appeals_command(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help=".xlsx 或 .csv 文件")],
) -> None:
    """从 Excel/CSV 导入诉求：按外部编号幂等；有任何错误行则整批不导入并列出错误。"""
    from zhengshu.appeals.importing import import_appeals, read_rows
    from zhengshu.db import transaction

    factory = _factory(load_settings())
    with _refused():
        rows = read_rows(path.read_bytes(), path.name)
        with transaction(factory) as session:
            report = import_appeals(session, rows, actor=None)
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


@bench_app.command("dashboards")
def bench_dashboards(
    url: Annotated[
        str, typer.Option(help="数据库地址，如 postgresql://postgres@127.0.0.1:5432/zhengshu_bench")
    ],
    appeals: Annotated[int, typer.Option(min=0, help="库中诉求数（不足则生成差额，已有则复用）")] = 1_000_000,
    requests: Annotated[int, typer.Option(min=1, help="每个接口的计时请求数")] = 50,
    days: Annotated[int, typer.Option(min=1, max=3650, help="生成的诉求分布在截至今天的多少天")] = 730,
    seed: Annotated[int, typer.Option(help="随机种子")] = 1,
    pages: Annotated[bool, typer.Option(help="用 Chromium 计时看板页面（有浏览器时）")] = True,
) -> None:
    """民意地图、民意速办：生成诉求（不足时）、启动服务、计时各数据接口和页面，输出一行 JSON。"""
    from zhengshu.bench.dashboards import run

    def progress(done: int, total: int) -> None:
        print(f"已生成 {done}/{total} 条诉求", file=sys.stderr, flush=True)

    with _refused():
        result = run(url, appeals, requests, days=days, seed=seed, pages=pages, progress=progress)
    print(json.dumps(result, ensure_ascii=False))


@bench_app.command("similar")
def bench_similar(
    appeals: Annotated[int, typer.Option(min=1, help="库中诉求数")] = 200_000,
    lookups: Annotated[int, typer.Option(min=1, help="查询次数（一半为已有诉求的重复提交）")] = 1000,
    data_dir: Annotated[Path, typer.Option(help="真实数据目录（含 appeals/）")] = Path("../shared/data"),
    database_url: Annotated[str | None, typer.Option(help="目标数据库（默认临时 SQLite 文件）")] = None,
    jobs: Annotated[int, typer.Option(help="生成诉求检索词（分词）的进程数")] = 2,
) -> None:
    """相似诉求查找：建库、建索引、查询，输出一行 JSON（p50_ms、p95_ms、recall_at_5 等）。"""
    from zhengshu.bench.similar import run

    try:
        result = run(appeals, lookups, data_dir, database_url, jobs)
    except FileNotFoundError as error:
        errors.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from None
    print(json.dumps(result, ensure_ascii=False))


@bench_app.command("signals")
def bench_signals(
    data_dir: Annotated[Path, typer.Option(help="真实数据目录（含 appeals/）")] = Path("../shared/data"),
    seeds: Annotated[str, typer.Option(help="随机种子，逗号分隔")] = "1,2,3",
    bursts_per_series: Annotated[int, typer.Option(help="每条序列注入的突增次数（各自独立）")] = 5,
    composites: Annotated[int, typer.Option(help="每个种子合成的叠加序列数")] = 100,
) -> None:
    """弱信号：在真实背景序列中注入 3 倍突增，输出一行 JSON（检出率、中位延迟、误报率）。"""
    from zhengshu.bench.signals import parse_seeds, run

    with _refused():
        result = run(data_dir / "appeals", parse_seeds(seeds), bursts_per_series, composites)
    print(json.dumps(result, ensure_ascii=False))


@bench_app.command("hotspots")
def bench_hotspots(
    input: Annotated[Path | None, typer.Option("--input", help="留言 CSV（留言编号、留言用户、留言主题、留言时间、留言详情、点赞数）")] = None,  # noqa: E501
    synthetic: Annotated[int, typer.Option(help="由 CSV 文本生成的 30 天诉求条数（0 为直接聚类 CSV）")] = 0,
    top: Annotated[int, typer.Option(help="列出的热点数")] = 5,
    workers: Annotated[int, typer.Option(help="分词进程数")] = 2,
) -> None:
    """类案与热点：聚类 CSV 留言。热点问题（排名、热度、代表标题、地点、时间、条数、人数、留言编号）
    以文字写到 stderr；stdout 只输出一行 JSON（计时与计数）。"""
    from zhengshu.bench.hotspots import describe, read_messages, run
    from zhengshu.bench.hotspots import synthetic as build_synthetic

    if input is None:
        errors.print("[red]请用 --input 指定留言 CSV 文件[/red]")
        raise typer.Exit(2)
    with _refused():
        messages = read_messages(input)
        if synthetic > 0:
            messages = build_synthetic(messages, synthetic)
        result = run(messages, workers=workers, top=top)
    print(describe(result.cases), file=sys.stderr)
    print(json.dumps(result.figures, ensure_ascii=False))


@bench_app.command("closure")
def bench_closure(
    input: Annotated[
        Path, typer.Option("--input", help="答复 CSV（留言编号、留言主题、留言详情、答复意见，可选时间列）")
    ],
    output: Annotated[Path, typer.Option("--output", help="逐条结果 JSONL")],
    labels: Annotated[Path | None, typer.Option("--labels", help="标注 CSV（id,closed_on_paper），给出则输出精确率、召回率")] = None,  # noqa: E501
) -> None:
    """形式办结审查：逐条答复打分写入 JSONL；stdout 只输出一行 JSON（计数与计时）。"""
    from zhengshu.bench.closure import run
    from zhengshu.errors import DomainError

    try:
        result = run(input, output, labels)
    except DomainError as error:
        errors.print(f"[red]{error.message}[/red]")
        raise typer.Exit(1) from None
    except OSError as error:
        errors.print(f"[red]无法写入输出文件：{error.strerror}[/red]")
        raise typer.Exit(1) from None
    print(json.dumps(result, ensure_ascii=False))


signals_app = typer.Typer(help="弱信号预警", no_args_is_help=True)
app.add_typer(signals_app, name="signals")


@signals_app.command("detect")
def signals_detect(
    date: Annotated[str, typer.Option("--date", help="日期 YYYY-MM-DD（默认昨天）")] = "",
) -> None:
    """检测某日的弱信号（街道/社区×类别、新兴词），结果存库；重复执行不重复预警。"""
    from datetime import timedelta

    from zhengshu.appeals.days import parse_day
    from zhengshu.appeals.warnings import detect_day
    from zhengshu.clock import now
    from zhengshu.db import transaction

    with _refused():
        day = parse_day(date, default=now().date() - timedelta(days=1))
        with transaction(_factory(load_settings())) as session:
            outcome = detect_day(session, day, actor=None)
    console.print(outcome.message)


classify_app = typer.Typer(help="智能分类模型：训练、查看、启用", no_args_is_help=True)
app.add_typer(classify_app, name="classify")


@bench_app.command("qa")
def bench_qa(
    corpus: Annotated[Path, typer.Option("--corpus", help="文件 JSONL（docid、text，可选 title）")],
    queries: Annotated[list[Path], typer.Option("--queries", help="问题 JSONL（qid、question、docid、answer），可重复")],  # noqa: E501
    scale: Annotated[int, typer.Option(min=0, help="用合成段落把索引扩到这么多段落后再计时（0 为不扩）")] = 0,
    scale_docs: Annotated[int, typer.Option(min=0, help="另建这么多篇合成文件的索引并计时（0 为不建）")] = 0,
    jobs: Annotated[int, typer.Option(min=1, help="分词进程数")] = 2,
) -> None:
    """政策问答检索：建索引、逐题检索并判断能否作答，输出一行 JSON（召回率、拒答率、延迟）。"""
    from zhengshu.bench.qa import run

    def progress(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    with _refused():
        result = run(corpus, queries, scale=scale, scale_docs=scale_docs, jobs=jobs, progress=progress)
    print(json.dumps(result, ensure_ascii=False))


@bench_app.command("guide")
def bench_guide(
    items: Annotated[Path, typer.Option("--items", help="事项文件（.jsonl 或 .xlsx）")],
    queries: Annotated[list[Path], typer.Option("--queries", help="问题 JSONL（qid、question、item，可选 also_ok），可重复")],  # noqa: E501
) -> None:
    """智能客服事项检索：建索引、逐题检索，输出一行 JSON（item_recall@1/@3、延迟、答不了时的表现）。"""
    from zhengshu.bench.guide import run

    def progress(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    with _refused():
        result = run(items, queries, progress=progress)
    print(json.dumps(result, ensure_ascii=False))


@bench_app.command("classify")
def bench_classify(
    train: Annotated[Path, typer.Option("--train", help="训练 CSV（text,label）")],
    test: Annotated[Path, typer.Option("--test", help="测试 CSV（text,label）")],
) -> None:
    """智能分类：在训练集上训练、在测试集上评估，输出一行 JSON（macro_f1、accuracy 等）。"""
    from zhengshu.bench.classify import run

    with _refused():
        result = run(train, test)
    print(json.dumps(result, ensure_ascii=False))


@classify_app.command("train")
def classify_train(
    csv_file: Annotated[Path | None, typer.Option("--csv", help="训练 CSV（text,label）")] = None,
    from_appeals: Annotated[bool, typer.Option("--from-appeals", help="用已办结诉求的最终分类训练")] = False,
    activate: Annotated[bool, typer.Option("--activate", help="训练后立即启用")] = False,
) -> None:
    """训练一个新的模型版本（交叉验证给出评估指标和自动分拨阈值）。"""
    from zhengshu.appeals.classification import model_summary, train_from_appeals, train_from_csv
    from zhengshu.db import transaction

    if (csv_file is None) == (not from_appeals):
        errors.print("[red]请指定 --csv FILE 或 --from-appeals 之一[/red]")
        raise typer.Exit(2)
    with _refused(), transaction(_factory(load_settings())) as session:
        if csv_file is not None:
            try:
                text = csv_file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                errors.print(f"[red]无法读取 {csv_file}（需要 UTF-8 编码的 CSV）：{error}[/red]")
                raise typer.Exit(1) from None
            row = train_from_csv(session, text, source=csv_file.name, actor=None, activate_now=activate)
        else:
            row = train_from_appeals(session, actor=None, activate_now=activate)
        summary = model_summary(row)
    console.print(json.dumps(summary, ensure_ascii=False))
    if not activate:
        console.print(f"用 zhengshu classify activate {summary['version']} 启用")


@classify_app.command("models")
def classify_models() -> None:
    """列出模型版本及其交叉验证指标。"""
    from zhengshu.appeals.classification import list_models, model_summary
    from zhengshu.db import reading

    with reading(_factory(load_settings())) as session:
        rows = [model_summary(row) for row in list_models(session)]
    if not rows:
        console.print("还没有模型：用 zhengshu classify train --csv FILE 训练")
        return
    table = Table(title="分类模型")
    columns = ["版本", "启用", "来源", "样本", "分类数", "macro-F1", "准确率", "阈值", "自动分拨占比"]
    columns.append("自动分拨精确率")
    for column in columns:
        table.add_column(column)
    figures = ("macro_f1", "accuracy", "threshold", "auto_dispatch_share", "auto_dispatch_precision")
    for r in rows:
        cells = [str(r["version"]), "✓" if r["active"] else "", r["source"]]
        cells += [str(r["examples"]), str(r["labels"])]
        cells += [f"{r[k]:.3f}" if r[k] is not None else "—" for k in figures]
        table.add_row(*cells)
    console.print(table)


@classify_app.command("activate")
def classify_activate(
    version: Annotated[int, typer.Argument(min=1, max=2**31 - 1, help="模型版本号")],
) -> None:
    """启用一个模型版本（此后受理的诉求由它分类）。"""
    from zhengshu.appeals.classification import activate
    from zhengshu.db import transaction

    with _refused(), transaction(_factory(load_settings())) as session:
        activate(session, version, actor=None)
    console.print(f"已启用模型版本 {version}")


policy_app = typer.Typer(help="政策文件库：导入文件、载入示例文件", no_args_is_help=True)
app.add_typer(policy_app, name="policy")


def _print_policy_report(report: object) -> None:
    from zhengshu.policy.ingest import ERROR, OUTCOME_LABELS, BulkReport

    assert isinstance(report, BulkReport)
    if report.errors:
        table = Table(title=f"{len(report.errors)} 个文件未导入")
        table.add_column("文件")
        table.add_column("原因")
        for item in report.errors:
            table.add_row(item.name, item.message)
        errors.print(table)
    counts = "，".join(
        f"{label} {report.count(code)}" for code, label in OUTCOME_LABELS.items() if code != ERROR
    )
    console.print(f"共 {len(report.items)} 个：{counts}，失败 {len(report.errors)}")


@policy_app.command("import")
def policy_import(
    path: Annotated[Path, typer.Argument(exists=True, help="文件（.txt/.html/.docx/.pdf）、文件夹或 .jsonl")],
    progress: Annotated[bool, typer.Option("--progress", help="显示进度")] = False,
) -> None:
    """导入政策文件：同一文号（或同标题同机关）成为新版本，内容未变则跳过；逐个提交，失败的文件列出原因。"""
    from rich.progress import Progress

    from zhengshu.policy.ingest import ingest_path

    factory = _factory(load_settings())
    started = time.perf_counter()
    if progress:
        with Progress(console=errors) as bar:
            task = bar.add_task("导入中", total=None)

            def advance(done: int, total: int, _name: str) -> None:
                bar.update(task, completed=done, total=total)

            report = ingest_path(factory, path, progress=advance)
    else:
        report = ingest_path(factory, path)
    _print_policy_report(report)
    seconds = time.perf_counter() - started
    console.print(f"用时 {seconds:.1f} 秒（{len(report.items) / seconds:.1f} 个/秒）")
    if report.errors and len(report.errors) == len(report.items):
        raise typer.Exit(1)


@policy_app.command("demo")
def policy_demo() -> None:
    """载入示例政策文件（标注“示例文件，非真实文件”），可重复执行。"""
    from zhengshu.policy.demo import load_demo

    with _refused():
        report = load_demo(_factory(load_settings()))
    _print_policy_report(report)


guide_app = typer.Typer(help="办事指南：导入服务事项、载入示例事项", no_args_is_help=True)
app.add_typer(guide_app, name="guide")


def _print_guide_report(report: object, show_notes: bool) -> None:
    from zhengshu.guide.importing import ImportReport

    assert isinstance(report, ImportReport)
    shown = report.rejected if not show_notes else report.rows
    if shown:
        table = Table(title=report.summary() if not report.ok else "逐行提示")
        for column in ("位置", "事项编码", "事项名称", "问题" if not report.ok else "提示"):
            table.add_column(column)
        for row in shown:
            table.add_row(row.where, row.code, row.name, "；".join(row.errors or row.notes))
        (errors if not report.ok else console).print(table)
    if report.ok:
        notes = sum(len(row.notes) for row in report.rows)
        hint = "（加 --notes 逐行查看）" if notes and not show_notes else ""
        console.print(report.summary() + hint)


@guide_app.command("import")
def guide_import(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help=".jsonl 或 .xlsx 事项文件")],
    notes: Annotated[bool, typer.Option("--notes", help="逐行列出提示（如同名不同主体）")] = False,
) -> None:
    """导入服务事项：先检查全部行，有任何错误则不导入并列出错误行（退出码 1）；否则按事项编码新增或更新。"""
    from zhengshu.db import transaction
    from zhengshu.guide.importing import import_items
    from zhengshu.guide.item_files import read_item_file

    factory = _factory(load_settings())
    started = time.perf_counter()
    with _refused():
        item_file = read_item_file(path.name, path.read_bytes())
        with transaction(factory) as session:
            report = import_items(session, item_file, None, source=path.name)
    _print_guide_report(report, notes)
    console.print(f"用时 {time.perf_counter() - started:.2f} 秒")
    if not report.ok:
        raise typer.Exit(1)


@guide_app.command("demo")
def guide_demo() -> None:
    """载入示例服务事项（标注“示例事项，非真实办事指南”），可重复执行。"""
    from zhengshu.guide.demo import load_demo

    with _refused():
        report = load_demo(_factory(load_settings()))
    _print_guide_report(report, False)


if __name__ == "__main__":
    app()
