"""What the real-browser tests share: a site served from a migrated SQLite database of its own, and
a headless Chromium (Debian's, driven by Playwright)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from tests.pages.test_browser import ARTIFACTS, _require_browser

from zhengshu.bench.chromium import CHROMIUM, LAUNCH_ARGS
from zhengshu.db import create_db_engine, session_factory
from zhengshu.migrate import upgrade
from zhengshu.settings import Settings
from zhengshu.web.app import create_app
from zhengshu.web.threaded_server import serving


@contextmanager
def served_site(directory: Path, prepare: Callable[[sessionmaker[Session]], object]) -> Iterator[str]:
    """The app on a free localhost port (uvicorn in a thread), on a database in `directory` that
    `prepare` fills first; yields the base URL."""
    _require_browser()
    url = f"sqlite:///{directory / 'site.db'}"
    engine = create_db_engine(url)
    upgrade(engine)
    prepare(session_factory(engine))
    engine.dispose()
    with serving(create_app(Settings(database_url=url, dev=True, supervision_interval_minutes=0))) as base:
        yield base


@contextmanager
def launched_chromium() -> Iterator[Any]:
    sync_api = _require_browser()
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
