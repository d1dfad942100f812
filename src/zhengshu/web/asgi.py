"""The ASGI entry point for servers: `uvicorn --factory zhengshu.web.asgi:create`."""

from fastapi import FastAPI

from zhengshu.web.app import create_app


def create() -> FastAPI:
    return create_app(run_jobs=True)
