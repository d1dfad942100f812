"""RFC 9457 problem details for every API error; never a stack trace."""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from zhengshu.errors import Conflict, DomainError, IllegalTransition, InvalidInput, NotFound, PermissionDenied
from zhengshu.validation import describe, field_errors, invalid_input

log = logging.getLogger("zhengshu.web")

PROBLEM_JSON = "application/problem+json"
STATUS_FOR: dict[type[DomainError], int] = {
    InvalidInput: 422,
    NotFound: 404,
    PermissionDenied: 403,
    IllegalTransition: 409,
    Conflict: 409,
}
TITLES = {
    400: "请求无效",
    401: "未登录或登录已过期",
    403: "无权操作",
    404: "未找到",
    405: "不支持的请求方法",
    409: "操作冲突",
    413: "请求内容过大",
    415: "不支持的内容类型",
    422: "提交的内容有误",
    429: "请求过于频繁",
    500: "服务器内部错误",
    503: "服务暂不可用",
}


def problem(
    status: int,
    detail: str,
    *,
    code: str = "error",
    errors: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"https://zhengshu.invalid/problems/{code}",
        "title": TITLES.get(status, "错误"),
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def status_for(error: DomainError) -> int:
    if error.code == "unauthenticated":
        return 401
    for kind, status in STATUS_FOR.items():
        if isinstance(error, kind):
            return status
    return 400


def wants_html(request: Request) -> bool:
    path = request.url.path
    if path.startswith(("/api/", "/open311/")):
        return False
    return "text/html" in request.headers.get("accept", "")


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, error: DomainError) -> Response:
        return problem(status_for(error), error.message, code=error.code, errors=error.errors)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, error: RequestValidationError) -> Response:
        errors = field_errors(error.errors())
        if any(e.get("type") == "json_invalid" for e in error.errors()):
            return problem(400, "请求体不是合法的 JSON", code="malformed-json")
        return problem(422, "提交的内容有误：" + describe(errors), code="invalid-input", errors=errors)

    @app.exception_handler(ValidationError)
    async def _model(request: Request, error: ValidationError) -> Response:
        invalid = invalid_input(error)
        return problem(422, invalid.message, code=invalid.code, errors=invalid.errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> Response:
        if wants_html(request):
            from zhengshu.web.pages_base import error_page

            message = "页面不存在" if error.status_code == 404 else TITLES.get(error.status_code, "出错了")
            return error_page(request, error.status_code, message)
        detail = (
            error.detail
            if isinstance(error.detail, str) and not error.detail.isascii()
            else TITLES.get(error.status_code, "错误")
        )
        return problem(
            error.status_code,
            detail,
            code=f"http-{error.status_code}",
            headers=getattr(error, "headers", None),
        )

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, error: IntegrityError) -> Response:
        log.warning("integrity error on %s %s", request.method, request.url.path)
        return problem(409, "与已有记录冲突（可能是重复提交），请刷新后重试", code="conflict")

    @app.exception_handler(DataError)
    async def _data(request: Request, error: DataError) -> Response:
        log.warning("data error on %s %s: %s", request.method, request.url.path, type(error.orig).__name__)
        return problem(422, "提交的数值超出范围或包含无法保存的字符", code="invalid-input")

    @app.exception_handler(PoolTimeout)
    async def _pool(request: Request, error: PoolTimeout) -> Response:
        log.error("database pool exhausted on %s %s", request.method, request.url.path)
        return problem(503, "系统繁忙，请稍后重试", code="unavailable", headers={"Retry-After": "1"})

    @app.exception_handler(OperationalError)
    async def _operational(request: Request, error: OperationalError) -> Response:
        log.error(
            "database unavailable on %s %s: %s", request.method, request.url.path, type(error.orig).__name__
        )
        return problem(503, "数据库暂时繁忙，请稍后重试", code="unavailable", headers={"Retry-After": "1"})

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return problem(500, "服务器内部错误，请稍后重试", code="internal")


def parse_json_body(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InvalidInput("请求体不是合法的 JSON") from None
