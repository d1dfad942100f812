"""The server-rendered pages (Chinese, Jinja2, plain forms enhanced with htmx)."""

from fastapi import APIRouter

from zhengshu.web import pages_auth, pages_detail, pages_import, pages_intake, pages_public, pages_queues

router = APIRouter()
# /appeals/new and /appeals/import are registered before /appeals/{number}.
for module in (pages_auth, pages_public, pages_intake, pages_import, pages_queues, pages_detail):
    router.include_router(module.router)
