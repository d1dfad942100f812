"""`zhengshu bench dashboards`: the 民意地图 and 民意速办 data endpoints and pages, timed on a large store.

The database is brought to `appeals` generated appeals (zhengshu.bench.board_data; a second run reuses
them), the app is served by uvicorn in a thread on a free localhost port, and a leader's client calls
each endpoint with varied realistic parameters over one keep-alive connection. The first call of each
endpoint is timed apart as the warm-up (it builds the summary tables). With Chromium and Playwright at
hand, each board page is loaded in a headless browser until it marks itself ready.
"""

from __future__ import annotations

import math
import random
import secrets
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
from sqlalchemy import Engine, func, select, update
from sqlalchemy.engine import make_url

from zhengshu.appeals import similar
from zhengshu.appeals.days import MAX_PERIOD_DAYS
from zhengshu.appeals.models import Appeal
from zhengshu.appeals.rules import AppealRules
from zhengshu.appeals.vocabulary import CATEGORIES, AppealType
from zhengshu.bench.board_data import generate
from zhengshu.bench.chromium import CHROMIUM, LAUNCH_ARGS
from zhengshu.clock import local, now
from zhengshu.db import create_db_engine, session_factory, transaction
from zhengshu.migrate import upgrade
from zhengshu.org.models import Department, Street
from zhengshu.org.roles import Role
from zhengshu.org.services import create_user
from zhengshu.org.street_map import street_map
from zhengshu.settings import Settings
from zhengshu.web.app import create_app
from zhengshu.web.threaded_server import serving

__all__ = ["ENDPOINTS", "PAGES", "Endpoint", "Param", "run"]


@dataclass(frozen=True)
class Param:
    """A query parameter drawn from one of the pools of `_Pools`; sent on `share` of the calls."""

    name: str
    pool: str
    share: float = 1.0


@dataclass(frozen=True)
class Endpoint:
    name: str
    path: str
    params: tuple[Param, ...] = ()


# first=YYYY-MM-DD&last=YYYY-MM-DD: the last 7 or 30 days, this year, or the whole span of the data
# (at most the longest period the boards accept, MAX_PERIOD_DAYS).
PERIOD = Param("first,last", "period")
SOMETIMES_DEPARTMENT = Param("department", "department", 0.3)
SOMETIMES_STREET = Param("street", "street", 0.3)
# Every data endpoint the two board pages draw from, and the drill-down behind their numbers.
ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "map",
        "/api/v1/boards/map",
        (PERIOD, Param("category", "category", 0.3), Param("type", "type", 0.2), Param("measure", "measure")),
    ),
    Endpoint("map_geo", "/api/v1/boards/map/geo"),
    Endpoint("map_street", "/api/v1/boards/map/street", (Param("street", "street"), PERIOD)),
    Endpoint("map_points", "/api/v1/boards/map/points", (PERIOD, Param("category", "category", 0.2))),
    # Clustered in the background of the page, kept per window and filter for a few minutes: the
    # warm-up call shows the clustering, the timed ones the kept result.
    Endpoint("map_hotspots", "/api/v1/boards/map/hotspots", (PERIOD,)),
    Endpoint(
        "handling_overview",
        "/api/v1/boards/handling/overview",
        (PERIOD, SOMETIMES_DEPARTMENT, SOMETIMES_STREET),
    ),
    Endpoint("handling_due", "/api/v1/boards/handling/due", (SOMETIMES_DEPARTMENT, SOMETIMES_STREET)),
    Endpoint("handling_streets", "/api/v1/boards/handling/streets", (PERIOD,)),
    Endpoint("handling_assessment", "/api/v1/boards/handling/assessment", (PERIOD,)),
    Endpoint("handling_supervision", "/api/v1/boards/handling/supervision", (SOMETIMES_DEPARTMENT,)),
    Endpoint(
        "drill",
        "/api/v1/boards/appeals",
        (PERIOD, Param("street", "street", 0.5), Param("measure", "drill_measure")),
    ),
)
PAGES = {"map": "/boards/map", "handling": "/boards/handling"}
READY = 'body[data-ready="1"]'  # set by a board page once all its charts have drawn
PAGE_LOADS = 3  # timed loads of each page, after one untimed
PAGE_TIMEOUT_MS = 30_000
USERNAME_PREFIX = "bench-leader-"
SHOWN_SLOWEST = 5  # the slowest calls listed with their parameters, for whoever tunes them


@dataclass
class _Pools:
    """The values parameters are drawn from, taken from the database."""

    periods: list[tuple[date, date]]
    values: dict[str, list[str]]

    @classmethod
    def of(cls, engine: Engine) -> _Pools:
        today = now().date()
        with engine.connect() as connection:
            first = connection.execute(select(func.min(Appeal.created_at))).scalar()
            streets = list(connection.scalars(select(Street.code).order_by(Street.code)))
            departments = list(connection.scalars(select(Department.code).order_by(Department.code)))
        # The whole span of the data, as far back as the boards allow one period to reach.
        widest = today - timedelta(days=MAX_PERIOD_DAYS - 1)
        span_start = max(local(first).date(), widest) if first is not None else today
        periods = [
            (today - timedelta(days=6), today),
            (today - timedelta(days=29), today),
            (date(today.year, 1, 1), today),
            (span_start, today),
        ]
        values = {
            "street": streets,
            "department": departments,
            "category": list(CATEGORIES),
            "type": [t.value for t in AppealType],
            "measure": ["count", "per10k", "change"],
            "drill_measure": ["received", "closed", "overdue", "near_due"],
        }
        return cls(periods, values)

    def params(self, endpoint: Endpoint, rng: random.Random) -> dict[str, str]:
        chosen: dict[str, str] = {}
        for param in endpoint.params:
            if param.share < 1 and rng.random() >= param.share:
                continue
            if param.pool == "period":
                first, last = rng.choice(self.periods)
                chosen.update(first=first.isoformat(), last=last.isoformat())
            else:
                chosen[param.name] = rng.choice(self.values[param.pool])
        return chosen

    def whole_span(self, endpoint: Endpoint) -> dict[str, str]:
        """The warm-up call: the widest period, no optional filter."""
        first, last = self.periods[-1]
        chosen: dict[str, str] = {}
        for param in endpoint.params:
            if param.pool == "period":
                chosen.update(first=first.isoformat(), last=last.isoformat())
            elif param.share >= 1:
                chosen[param.name] = self.values[param.pool][0]
        return chosen


@dataclass
class _Timings:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, dict[str, int]] = field(default_factory=dict)
    # (milliseconds, path with query) of every timed call, to name the slowest ones.
    calls: list[tuple[float, str]] = field(default_factory=list)

    def call(self, client: httpx.Client, name: str, path: str, params: dict[str, str]) -> float:
        """One GET; its milliseconds when it answered 200, else the failure is counted."""
        started = time.perf_counter()
        try:
            response = client.get(path, params=params)
            outcome = str(response.status_code)
        except httpx.HTTPError as error:
            outcome = type(error).__name__
        elapsed = (time.perf_counter() - started) * 1000
        if outcome == "200":
            self.latencies.setdefault(name, []).append(elapsed)
            self.calls.append((elapsed, f"{path}?{urlencode(params)}" if params else path))
        else:
            failures = self.errors.setdefault(name, {})
            failures[outcome] = failures.get(outcome, 0) + 1
        return elapsed


def _percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _figures(latencies: list[float]) -> dict[str, Any]:
    return {
        "p50_ms": round(_percentile(latencies, 0.50), 1),
        "p95_ms": round(_percentile(latencies, 0.95), 1),
        "n": len(latencies),
    }


def prepare(
    url: str, appeals: int, days: int, seed: int, progress: Callable[[int, int], None] | None
) -> tuple[int, float]:
    """Migrate, then generate what the database lacks of `appeals`: (appeals held, seconds spent)."""
    settings = _settings(url)
    engine = create_db_engine(url)
    try:
        upgrade(engine)
        with engine.connect() as connection:
            held = connection.execute(select(func.count()).select_from(Appeal)).scalar_one()
        if held >= appeals:
            return held, 0.0
        rules, streets = AppealRules.from_settings(settings), street_map(settings)
        generated = generate(engine, appeals - held, days, seed, progress, rules=rules, streets=streets)
        return held + generated.appeals, generated.seconds
    finally:
        engine.dispose()


def _settings(url: str) -> Settings:
    # A secret of the run: the bench's sessions and tokens are worth nothing after it.
    return Settings(database_url=url, supervision_interval_minutes=0, secret_key=secrets.token_urlsafe(32))


def _leader(url: str) -> tuple[str, str]:
    """A new leader account for this run (leaders hold analytics.view): its username and password."""
    username, password = f"{USERNAME_PREFIX}{secrets.token_hex(4)}", secrets.token_urlsafe(16)
    engine = create_db_engine(url)
    try:
        with transaction(session_factory(engine)) as session:
            create_user(
                session, username=username, password=password, role=Role.LEADER, display_name="压测领导"
            )
    finally:
        engine.dispose()
    return username, password


@contextmanager
def _serving(settings: Settings) -> Iterator[tuple[str, float]]:
    """The app served in this process: its base URL, and the milliseconds until it served with its
    similar-appeals index built (that build runs at start and would compete)."""
    started = time.perf_counter()
    app = create_app(settings)
    with serving(app, start_seconds=120) as base:
        similar.index_of(app.state.engine).wait_built()
        yield base, (time.perf_counter() - started) * 1000


def _time_endpoints(
    base: str, token: str, endpoints: Sequence[Endpoint], pools: _Pools, requests: int, seed: int
) -> tuple[_Timings, dict[str, float]]:
    timings = _Timings()
    warmup: dict[str, float] = {}
    rng = random.Random(seed)
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
        for endpoint in endpoints:
            warmup[endpoint.name] = timings.call(
                client, endpoint.name, endpoint.path, pools.whole_span(endpoint)
            )
        # A failed warm-up stays counted among the errors; its time is reported apart.
        timings.latencies.clear()
        timings.calls.clear()
        # Round robin, so that every endpoint meets the same state of caches.
        for _ in range(requests):
            for endpoint in endpoints:
                timings.call(client, endpoint.name, endpoint.path, pools.params(endpoint, rng))
    return timings, warmup


def _time_after_change(url: str, base: str, token: str, pools: _Pools, times: int = 5) -> float:
    """Milliseconds of the map's data right after an appeal changed, so that the summary has a day to
    recompute first (median of ``times``): what the incremental refresh costs a reader."""
    engine = create_db_engine(url)
    first, last = pools.periods[1]
    params = {"first": first.isoformat(), "last": last.isoformat()}
    elapsed = []
    try:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120) as client:
            for _ in range(times):
                with transaction(session_factory(engine)) as session:
                    newest = session.scalar(select(func.max(Appeal.id)))
                    session.execute(update(Appeal).where(Appeal.id == newest).values(updated_at=now()))
                started = time.perf_counter()
                client.get("/api/v1/boards/map", params=params).raise_for_status()
                elapsed.append((time.perf_counter() - started) * 1000)
    finally:
        engine.dispose()
    return round(statistics.median(elapsed), 1)


def _token(base: str, username: str, password: str) -> str:
    response = httpx.post(f"{base}/api/v1/auth/token", json={"username": username, "password": password})
    response.raise_for_status()
    return str(response.json()["access_token"])


def _time_pages(base: str, username: str, password: str) -> dict[str, Any]:
    """Milliseconds until each board page is ready in headless Chromium (median of PAGE_LOADS loads
    after one untimed); {"page_note": why not} when there is no browser."""
    if not CHROMIUM.exists():
        return {"page_ms": None, "page_note": f"{CHROMIUM} 不存在（apt-get install chromium），未测页面"}
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {"page_ms": None, "page_note": "未安装 playwright，未测页面"}
    page_ms: dict[str, float | None] = {}
    errors: dict[str, str] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
            page = context.new_page()
            page.set_default_timeout(PAGE_TIMEOUT_MS)
            page.goto(f"{base}/login")
            page.fill("#username", username)
            page.fill("#password", password)
            with page.expect_navigation():
                page.press("#password", "Enter")
            for name, path in PAGES.items():
                loads = []
                try:
                    for _ in range(PAGE_LOADS + 1):
                        started = time.perf_counter()
                        response = page.goto(f"{base}{path}")
                        if response is None or response.status != 200:
                            raise RuntimeError(f"HTTP {response.status if response else '无响应'}")
                        page.wait_for_selector(READY, state="attached")
                        loads.append((time.perf_counter() - started) * 1000)
                    page_ms[name] = round(statistics.median(loads[1:]), 1)
                except (PlaywrightError, RuntimeError) as error:
                    page_ms[name] = None
                    errors[name] = str(error).splitlines()[0][:200]
        finally:
            browser.close()
    result: dict[str, Any] = {"page_ms": page_ms}
    if errors:
        result["page_errors"] = errors
    return result


def run(
    url: str,
    appeals: int,
    requests: int,
    *,
    days: int = 730,
    seed: int = 1,
    pages: bool = True,
    endpoints: Sequence[Endpoint] = ENDPOINTS,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    held, generate_seconds = prepare(url, appeals, days, seed, progress)
    username, password = _leader(url)
    settings = _settings(url)
    engine = create_db_engine(url)
    try:
        pools = _Pools.of(engine)
    finally:
        engine.dispose()
    with _serving(settings) as (base, startup_ms):
        token = _token(base, username, password)
        timings, warmup = _time_endpoints(base, token, endpoints, pools, requests, seed)
        after_change_ms = _time_after_change(url, base, token, pools)
        browser = _time_pages(base, username, password) if pages else {"page_ms": None}
    figures = {name: _figures(values) for name, values in timings.latencies.items()}
    slowest = max(figures, key=lambda name: figures[name]["p95_ms"], default=None)
    result: dict[str, Any] = {
        "appeals": held,
        "backend": make_url(url).get_backend_name(),
        "endpoints": figures,
        "p95_ms_max": figures[slowest]["p95_ms"] if slowest else None,
        "slowest": slowest,
        "slowest_calls": [
            {"ms": round(ms, 1), "url": called}
            for ms, called in sorted(timings.calls, reverse=True)[:SHOWN_SLOWEST]
        ],
        "warmup_ms": round(sum(warmup.values()), 1),
        "warmup_ms_by_endpoint": {name: round(ms, 1) for name, ms in warmup.items()},
        "startup_ms": round(startup_ms, 1),
        "after_change_ms": after_change_ms,
        "generate_seconds": generate_seconds,
        "requests": requests,
        **browser,
    }
    if timings.errors:
        result["errors"] = timings.errors
    return result
