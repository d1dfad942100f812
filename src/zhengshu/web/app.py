"""The app factory: settings are built here, never at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from anyio import to_thread
from fastapi import FastAPI
from starlette.middleware.sessions import SessionMiddleware
from starlette.staticfiles import StaticFiles

from zhengshu import __version__
from zhengshu.appeals import similar
from zhengshu.appeals.classification import configure_from_settings
from zhengshu.appeals.rules import AppealRules
from zhengshu.db import create_db_engine, session_factory
from zhengshu.guide import assistant_index
from zhengshu.jobs import PeriodicJobs
from zhengshu.org.street_map import street_map
from zhengshu.policy import library_index as policy_index
from zhengshu.settings import Settings
from zhengshu.web import (
    api_appeals,
    api_applications,
    api_assistant,
    api_auth,
    api_boards,
    api_guide,
    api_import,
    api_policy,
    api_public,
    open311,
    pages,
    problems,
    ratelimit,
)
from zhengshu.web.limits import BodySizeLimit
from zhengshu.web.pages_analytics import router as analytics_pages
from zhengshu.web.pages_applications import router as applications_pages
from zhengshu.web.pages_apply import router as apply_pages
from zhengshu.web.pages_assistant import router as assistant_pages
from zhengshu.web.pages_boards import router as boards_pages
from zhengshu.web.pages_briefs import router as briefs_pages
from zhengshu.web.pages_closure import router as closure_pages
from zhengshu.web.pages_guide import router as guide_pages
from zhengshu.web.pages_policy import router as policy_pages
from zhengshu.web.pages_profile import router as profile_pages
from zhengshu.web.pages_signals import router as signals_pages
from zhengshu.web.pages_similar import router as similar_pages
from zhengshu.web.pages_templates import router as templates_pages

WEB = Path(__file__).parent


def create_app(settings: Settings | None = None, *, run_jobs: bool = False) -> FastAPI:
    settings = settings or Settings()
    engine = create_db_engine(settings.database_url, settings.web_threads * 2)
    factory = session_factory(engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        to_thread.current_default_thread_limiter().total_tokens = settings.web_threads
        jobs = None
        if run_jobs and settings.supervision_interval_minutes:
            jobs = PeriodicJobs(factory, settings.supervision_interval_minutes * 60)
            jobs.start()
        # The similar-appeals index is built in the background: no request pays for it.
        warming = similar.warm_up(factory)
        policy_warming = policy_index.warm_up(factory)
        guide_warming = assistant_index.warm_up(factory)
        yield
        if jobs:
            jobs.stop()
        warming.join(timeout=30)
        policy_warming.join(timeout=30)
        guide_warming.join(timeout=30)
        engine.dispose()

    app = FastAPI(
        title="政数 zhengshu",
        version=__version__,
        description="龙岗区政务服务和数据管理局平台：民生诉求受理、分拨、办理、办结。",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.factory = factory
    app.state.rules = AppealRules.from_settings(settings)
    # A configured street boundary file and embedding model are checked now, not at first use.
    street_map(settings)
    policy_index.configure(engine, settings)
    # Automatic dispatch at intake uses the operator's deadlines and category routes.
    configure_from_settings(engine, settings)
    app.state.rate_limiter = ratelimit.RateLimiter.from_settings(settings)
    problems.install(app)
    for module in (
        api_auth,
        api_appeals,
        api_applications,
        api_assistant,
        api_boards,
        api_guide,
        api_policy,
        api_public,
        api_import,
        open311,
        pages,
    ):
        app.include_router(module.router)
    app.include_router(analytics_pages)
    app.include_router(apply_pages)
    app.include_router(applications_pages)
    app.include_router(profile_pages)
    app.include_router(assistant_pages)
    app.include_router(boards_pages)
    app.include_router(briefs_pages)
    app.include_router(policy_pages)
    app.include_router(closure_pages)
    app.include_router(guide_pages)
    app.include_router(signals_pages)
    app.include_router(similar_pages)
    app.include_router(templates_pages)
    app.mount("/static", StaticFiles(directory=WEB / "static"), name="static")
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="zhengshu_session",
        max_age=settings.session_max_age_seconds,
        same_site="lax",
        https_only=False,
    )
    app.add_middleware(BodySizeLimit, max_body=settings.max_body_bytes, max_upload=settings.max_upload_bytes)
    return app
