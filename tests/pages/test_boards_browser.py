"""The 民意地图 and 民意速办 dashboards in a real browser: Debian's Chromium driven by Playwright against
uvicorn, on the demo content (about 400 appeals over 60 days, some of them overdue).

A leader logs in, reads both boards on a 1366×768 office screen and on a phone, narrows the period and
the type, clicks a street on the map canvas and reaches its appeals, follows the 超期未办结 card to the
appeals behind it, and downloads .xlsx exports. The assertions are on what is drawn (the map's regions,
the charts' data, the tables) checked against the API and the database. Screenshots (boards-*.png) go
to test-artifacts/ for a person to look at."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest
from sqlalchemy import select
from tests.pages.test_browser import ARTIFACTS, TIMEOUT_MS, _require_browser

from zhengshu.appeals.demo import DEMO_PASSWORD, load_demo
from zhengshu.appeals.models import Appeal
from zhengshu.appeals.rules import AppealRules
from zhengshu.appeals.vocabulary import TYPE_LABELS, AppealType
from zhengshu.appeals.workflow import Status
from zhengshu.bench.chromium import CHROMIUM, LAUNCH_ARGS
from zhengshu.clock import TZ
from zhengshu.db import create_db_engine, session_factory
from zhengshu.migrate import upgrade
from zhengshu.org.models import Street
from zhengshu.settings import Settings
from zhengshu.web.app import create_app
from zhengshu.web.threaded_server import serving

DESK = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
STREETS = 11
DRILL_PAGE_SIZE = 50
CJK = re.compile(r"[\u4e00-\u9fff]")

# What the map draws: the geo component's regions, the map series' data and the source caption.
MAP_DRAWN = """() => {
  const chart = echarts.getInstanceByDom(document.getElementById('chart-map'));
  const option = chart.getOption();
  return {
    regions: chart.getModel().getComponent('geo').coordinateSystem.regions.map((r) => r.name),
    data: option.series[0].data.map((d) => ({name: d.name, code: d.code, value: d.value})),
    caption: option.graphic[0].elements[0].style.text,
  };
}"""
SERIES_DATA = """(id) => echarts.getInstanceByDom(document.getElementById(id)).getOption().series
  .map((s) => s.data.map((d) => (d !== null && typeof d === 'object' ? d.value : d)))"""
# Where each street's centre is drawn on the map canvas, or null when a marker of another layer
# (a warning, a hotspot pin) lies over it and would take the click.
CLEAR_CENTRES = """(centres) => {
  const chart = echarts.getInstanceByDom(document.getElementById('chart-map'));
  const pixel = (point) => chart.convertToPixel({geoIndex: 0}, [point[0], point[1]]);
  const markers = chart.getOption().series.filter((s) => s.id !== 'streets')
    .flatMap((s) => s.data.map((d) => pixel(Array.isArray(d) ? d : d.value)));
  return Object.fromEntries(Object.entries(centres).map(([code, centre]) => {
    const [x, y] = pixel(centre);
    return [code, markers.every(([u, v]) => Math.hypot(u - x, v - y) > 30) ? [x, y] : null];
  }));
}"""
TABLE_TEXT = """(table) => Array.from(table.querySelectorAll('tbody tr'))
  .map((tr) => Array.from(tr.cells).map((cell) => cell.textContent.trim()))"""
CARD_VALUES = """([cards, key]) => Object.fromEntries(
  cards.map((c) => [c.dataset[key], c.querySelector('[data-value]').textContent]))"""
OVERFLOW = "document.documentElement.scrollWidth"
LIVE_CARDS = ("today", "dispatched_today", "closed_today", "near_due", "overdue", "overdue_accept")


@dataclass(frozen=True)
class Site:
    url: str
    database_url: str


@pytest.fixture(scope="module")
def sync_api() -> Any:
    return _require_browser()


@pytest.fixture(scope="module")
def site(sync_api: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """uvicorn in a thread on a migrated SQLite database of its own, loaded with the demo content."""
    url = f"sqlite:///{tmp_path_factory.mktemp('boards') / 'boards.db'}"
    engine = create_db_engine(url)
    upgrade(engine)
    load_demo(session_factory(engine), AppealRules.default())
    engine.dispose()

    app = create_app(Settings(database_url=url, dev=True, supervision_interval_minutes=0))
    with serving(app) as base:
        yield Site(base, url)


@pytest.fixture(scope="module")
def browser(sync_api: Any) -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def desk(browser: Any, site: Site) -> Iterator[Any]:
    """The leader's office browser at 1366×768, logged in through the login form."""
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport=DESK, locale="zh-CN", accept_downloads=True)
    page = _new_page(context)
    page.goto(f"{site.url}/boards/map")
    assert re.search(r"/login\?next=%2Fboards%2Fmap$", page.url)
    page.fill("#username", "leader")
    page.fill("#password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.url == f"{site.url}/boards/map"
    assert "王振东" in page.inner_text("header")
    page.close()
    try:
        yield context
    finally:
        context.close()


@pytest.fixture(scope="module")
def phone(browser: Any, desk: Any) -> Iterator[Any]:
    """The same leader on a phone (the desk's session cookie)."""
    context = browser.new_context(
        viewport=PHONE,
        locale="zh-CN",
        is_mobile=True,
        has_touch=True,
        storage_state=desk.storage_state(),
    )
    try:
        yield context
    finally:
        context.close()


# ---- helpers ---------------------------------------------------------------------------------------


def _new_page(context: Any) -> Any:
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    return page


def _ready(page: Any) -> None:
    """Wait until boards.js has drawn everything; its error message otherwise."""
    page.wait_for_function("() => document.body.dataset.ready")
    state = page.evaluate("document.body.dataset.ready")
    assert state == "1", page.inner_text("#board-status")


def _open(page: Any, url: str) -> None:
    page.goto(url)
    _ready(page)


def _number(text: str) -> int:
    """A count as the page formats it (zh-CN grouping: 1,234)."""
    cleaned = text.strip().replace(",", "")
    assert cleaned.isdigit(), text
    return int(cleaned)


def _query(page: Any) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(page.url).query).items()}


def _api(page: Any, path: str) -> Any:
    """A JSON answer fetched by the page itself (with its session)."""
    return page.evaluate("(path) => fetch(path).then((r) => r.json())", path)


def _table(page: Any, selector: str) -> list[list[str]]:
    return list(page.eval_on_selector(selector, TABLE_TEXT))


def _cards(page: Any, selector: str, key: str) -> dict[str, str]:
    """KPI cards' values by their data-<key>."""
    return dict(page.evaluate(CARD_VALUES, [page.query_selector_all(selector), key]))


def _fits(page: Any, width: int) -> None:
    """No horizontal scrolling of the page itself (wide tables scroll inside their own box)."""
    assert page.evaluate("window.innerWidth") == width
    assert page.evaluate(OVERFLOW) <= width + 1, page.evaluate(OVERFLOW)


def _shot(page: Any, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"boards-{name}.png"), full_page=True)


def _download(page: Any, selector: str, folder: Path) -> tuple[str, list[tuple[Any, ...]]]:
    """Click an export link; the suggested file name and the sheet's rows."""
    with page.expect_download() as info:
        page.click(selector)
    download = info.value
    assert download.failure() is None
    path = folder / "export.xlsx"
    download.save_as(path)
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        rows = [tuple(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()
    return str(download.suggested_filename), rows


def _split_sheet(rows: list[tuple[Any, ...]]) -> tuple[list[str], list[str], list[tuple[Any, ...]]]:
    """An export's caption lines, header and data rows (an empty row between caption and header)."""
    blank = next(i for i, row in enumerate(rows) if all(v is None for v in row))
    caption = [str(row[0]) for row in rows[:blank]]
    return caption, [str(v) for v in rows[blank + 1]], rows[blank + 2 :]


def _received(site: Site, first: date, last: date, type_: AppealType) -> int:
    """The appeals of a type received in a period, counted here in Python from the database."""
    engine = create_db_engine(site.database_url)
    try:
        with session_factory(engine)() as session:
            rows = session.execute(select(Appeal.created_at, Appeal.type, Appeal.status)).tuples().all()
    finally:
        engine.dispose()
    return sum(
        1
        for created, kind, status in rows
        if kind == type_.value
        and status != Status.MERGED.value
        and first <= created.astimezone(TZ).date() <= last
    )


def _appellants(site: Site, numbers: list[str]) -> dict[str, tuple[str, str]]:
    engine = create_db_engine(site.database_url)
    try:
        with session_factory(engine)() as session:
            query = select(Appeal.number, Appeal.appellant_name, Appeal.appellant_phone).where(
                Appeal.number.in_(numbers)
            )
            return {n: (name, phone) for n, name, phone in session.execute(query).tuples()}
    finally:
        engine.dispose()


def _street_names(site: Site) -> set[str]:
    engine = create_db_engine(site.database_url)
    try:
        with session_factory(engine)() as session:
            return set(session.scalars(select(Street.name)))
    finally:
        engine.dispose()


# ---- the tests ------------------------------------------------------------------------------------


def test_map_draws_eleven_streets_and_follows_the_filters(desk: Any, site: Site) -> None:
    page = _new_page(desk)
    _open(page, f"{site.url}/boards/map")
    drawn = page.evaluate(MAP_DRAWN)
    streets = _street_names(site)
    assert len(streets) == STREETS
    assert sorted(drawn["regions"]) == sorted(streets)
    assert sorted(d["name"] for d in drawn["data"]) == sorted(streets)
    # No real boundaries are configured: the map says it is a schematic, on the canvas and in the text.
    assert "示意" in drawn["caption"] and "示意" in page.text_content("#map-source")

    total = _number(page.inner_text("#kpi-total [data-value]"))
    assert total > 0 and sum(d["value"] for d in drawn["data"]) == total
    (trend,) = page.evaluate(SERIES_DATA, "chart-trend")
    (categories,) = page.evaluate(SERIES_DATA, "chart-categories")
    assert len(trend) >= 28 and sum(trend) == total
    assert categories and all(n > 0 for n in categories)
    rows = _table(page, "#table-streets")
    assert len(rows) == STREETS
    assert {row[0]: _number(row[1]) for row in rows} == {d["name"]: d["value"] for d in drawn["data"]}
    _shot(page, "map-desk")

    # A shorter period and one type: the form sends them, the page reads them back and redraws.
    last = date.fromisoformat(page.input_value("#last")) - timedelta(days=3)
    first = last - timedelta(days=20)
    page.fill("#first", first.isoformat())
    page.fill("#last", last.isoformat())
    page.select_option("#type", AppealType.COMPLAINT.value)
    with page.expect_navigation():
        page.click("#board-filters button[type=submit]")
    query = _query(page)
    assert [query["first"], query["last"], query["type"]] == [str(first), str(last), "complaint"]
    _ready(page)
    assert page.input_value("#type") == "complaint" and page.input_value("#first") == first.isoformat()
    assert TYPE_LABELS[AppealType.COMPLAINT] in page.inner_text("#board-scope")

    narrowed = _number(page.inner_text("#kpi-total [data-value]"))
    answer = _api(page, "/api/v1/boards/map?" + urlsplit(page.url).query)
    assert answer["filters"]["type"] == "complaint" and answer["filters"]["first"] == first.isoformat()
    assert narrowed == answer["total"] == _received(site, first, last, AppealType.COMPLAINT)
    assert 0 < narrowed < total
    drawn = page.evaluate(MAP_DRAWN)
    assert len(drawn["regions"]) == STREETS
    by_code = {s["code"]: s["value"] for s in answer["streets"]}
    assert {d["code"]: d["value"] for d in drawn["data"]} == by_code
    (trend,) = page.evaluate(SERIES_DATA, "chart-trend")
    assert len(trend) == 21 and sum(trend) == narrowed
    # The total links to the same appeals.
    link = page.get_attribute("#kpi-total", "href") or ""
    assert parse_qs(urlsplit(link).query)["type"] == ["complaint"]
    page.close()


def test_clicking_a_street_on_the_map_leads_to_its_appeals(desk: Any, site: Site) -> None:
    page = _new_page(desk)
    _open(page, f"{site.url}/boards/map")
    if page.locator("#hotspots-note").count():
        # Hotspot pins arrive after the page is ready and redraw the map: wait for them to settle.
        page.wait_for_function("() => document.body.dataset.hotspots !== undefined")
    centres = _api(page, "/api/v1/boards/map/geo")["centres"]
    page.locator("#chart-map").scroll_into_view_if_needed()
    clear = page.evaluate(CLEAR_CENTRES, centres)
    street = max((d for d in page.evaluate(MAP_DRAWN)["data"] if clear[d["code"]]), key=lambda d: d["value"])
    x, y = clear[street["code"]]
    box = page.locator("#chart-map").bounding_box()
    assert 0 < x < box["width"] and 0 < y < box["height"]
    page.mouse.click(box["x"] + x, box["y"] + y)

    page.wait_for_selector(f'body[data-street="{street["code"]}"]', state="attached")
    assert page.inner_text("#street-title") == street["name"]
    assert _query(page)["street"] == street["code"]
    communities = _table(page, "#table-communities")
    assert communities and sum(_number(row[1]) for row in communities) == street["value"]
    (bars,) = page.evaluate(SERIES_DATA, "chart-communities")
    assert bars and sum(bars) > 0
    _shot(page, "street-desk")

    with page.expect_navigation():
        page.click("#street-appeals")
    assert urlsplit(page.url).path == "/boards/appeals"
    assert _query(page)["street"] == street["code"] and _query(page)["measure"] == "received"
    assert _number(page.inner_text("#drill-total")) == street["value"]
    rows = _table(page, "main table")
    assert len(rows) == min(street["value"], DRILL_PAGE_SIZE)
    assert {row[2] for row in rows} == {street["name"]}

    # Back on the map (the URL now names the street): the street is chosen again, and the district's
    # numbers still lead to the district's appeals.
    page.go_back()
    _ready(page)
    page.wait_for_selector(f'body[data-street="{street["code"]}"]', state="attached")
    total = _number(page.inner_text("#kpi-total [data-value]"))
    assert total == sum(d["value"] for d in page.evaluate(MAP_DRAWN)["data"])
    with page.expect_navigation():
        page.click("#kpi-total")
    assert "street" not in _query(page)
    assert _number(page.inner_text("#drill-total")) == total
    page.close()


def test_handling_board_and_the_overdue_appeals(desk: Any, site: Site) -> None:
    page = _new_page(desk)
    _open(page, f"{site.url}/boards/handling")
    counts = {key: _number(text) for key, text in _cards(page, "[data-live]", "live").items()}
    assert set(counts) == set(LIVE_CARDS) and counts["overdue"] > 0
    rates = _cards(page, "#rates .kpi", "rate")
    assert _number(rates["received"]) > 0 and _number(rates["closed"]) > 0
    (backlog,) = page.evaluate(SERIES_DATA, "chart-backlog")
    assert backlog and sum(backlog) > 0
    formula = page.inner_text("#assessment-formula")
    assert formula.startswith("得分 = ") and "按时办结率" in formula and "满意率" in formula
    assert len(_table(page, "#table-assessment table")) > 0
    assert len(_table(page, "#table-street-rates table")) == STREETS
    _shot(page, "handling-desk")

    with page.expect_navigation():
        page.click('[data-live="overdue"]')
    assert urlsplit(page.url).path == "/boards/appeals" and _query(page)["measure"] == "overdue"
    assert page.inner_text("h1") == "超期未办结"
    assert _number(page.inner_text("#drill-total")) == counts["overdue"]
    shown = page.locator("main table tbody tr").count()
    assert shown == min(counts["overdue"], DRILL_PAGE_SIZE)
    assert page.locator("main table tbody tr.row--overdue").count() == shown
    _shot(page, "drill-desk")
    page.close()


def test_exports_carry_their_filters_and_mask_appellants(desk: Any, site: Site, tmp_path: Path) -> None:
    page = _new_page(desk)
    _open(page, f"{site.url}/boards/handling?type=complaint")
    first, last = page.input_value("#first"), page.input_value("#last")
    name, rows = _download(page, 'a[data-export="assessment"]', tmp_path)
    assert name.startswith("承办单位考核") and name.endswith(".xlsx")
    caption, header, data = _split_sheet(rows)
    assert caption[0] == "承办单位考核"
    assert first in caption[1] and last in caption[1] and TYPE_LABELS[AppealType.COMPLAINT] in caption[1]
    assert "王振东" in caption[2]
    assert header == page.eval_on_selector_all(
        "#table-assessment thead th", "ths => ths.map((t) => t.innerText)"
    )
    assert len(data) == len(_table(page, "#table-assessment table")) > 0

    # The appeals behind a number, exported by a leader (no pii.view): appellants are masked.
    with page.expect_navigation():
        page.click('#rates [data-rate="received"]')
    total = _number(page.inner_text("#drill-total"))
    name, rows = _download(page, "#drill-export", tmp_path)
    assert name.endswith(".xlsx")
    caption, header, data = _split_sheet(rows)
    assert TYPE_LABELS[AppealType.COMPLAINT] in caption[1]
    assert len(data) == total > 0
    number, person, phone = header.index("诉求编号"), header.index("诉求人"), header.index("联系电话")
    real = _appellants(site, [str(row[number]) for row in data])
    assert len(real) == total
    for row in data:
        real_name, real_phone = real[str(row[number])]
        assert "*" in str(row[phone]) and real_phone not in str(row[phone])
        assert "*" in str(row[person]) and str(row[person]) != real_name
    page.close()


@pytest.mark.parametrize("board", ["map", "handling"])
def test_boards_read_on_a_phone(phone: Any, site: Site, board: str) -> None:
    page = _new_page(phone)
    _open(page, f"{site.url}/boards/{board}")
    _fits(page, PHONE["width"])
    if board == "map":
        drawn = page.evaluate(MAP_DRAWN)
        assert len(drawn["regions"]) == STREETS and len(drawn["data"]) == STREETS
        assert page.locator("#chart-map").bounding_box()["width"] <= PHONE["width"]
    else:
        (backlog,) = page.evaluate(SERIES_DATA, "chart-backlog")
        assert sum(backlog) > 0
    _shot(page, f"{board}-phone")
    if board == "handling":
        with page.expect_navigation():
            page.tap('[data-live="overdue"]')
        assert _number(page.inner_text("#drill-total")) > 0
        _fits(page, PHONE["width"])
        _shot(page, "drill-phone")
    page.close()


def test_bad_parameters_get_a_chinese_page(desk: Any, site: Site) -> None:
    page = _new_page(desk)
    for path, message in [
        ("/boards/map?first=2026-13-40", "开始日期"),
        ("/boards/appeals?measure=nonsense", "未知的统计口径"),
    ]:
        response = page.goto(site.url + path)
        assert response is not None and response.status == 422, path
        assert "text/html" in response.headers["content-type"]
        text = page.inner_text("main")
        assert message in text and CJK.search(text)
        assert "Traceback" not in page.content() and "InvalidInput" not in page.content()
    page.close()
