"""JSON API for the spreadsheet import of appeals, and the upload handling the import page shares."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import PureWindowsPath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session, sessionmaker
from starlette.datastructures import FormData, UploadFile

from zhengshu.appeals.importing import ImportReport, RowError, import_appeals, read_rows
from zhengshu.db import transaction
from zhengshu.errors import InvalidInput
from zhengshu.org.models import User
from zhengshu.org.roles import Permission
from zhengshu.web.deps import MAX_FORM_FIELDS, MAX_FORM_FILES, CurrentUser, Factory, require
from zhengshu.web.problems import PROBLEM_JSON, problem

router = APIRouter(prefix="/api/v1", tags=["appeals"])

FILE_FIELD = "file"
# A rejected file of 100 000 rows may have many more errors than anyone reads in one response.
MAX_REPORTED_ERRORS = 10_000
MISSING_FILE = "请选择要导入的文件（.xlsx 或 .csv），以 multipart/form-data 上传，字段名为 file"


class RowErrorOut(BaseModel):
    row: int
    field: str
    message: str


class ImportResult(BaseModel):
    total: int
    created: int
    unchanged: int
    errors: list[RowErrorOut]


class ImportProblem(BaseModel):
    type: str
    title: str
    status: int
    detail: str
    errors: dict[str, str] | None = None
    errors_by_row: list[RowErrorOut] | None = None


def upload_body(description: str) -> dict[str, Any]:
    """The OpenAPI description of a one-file multipart body: it is read by upload_form, after
    authentication, so FastAPI does not describe it itself."""
    schema = {"type": "string", "format": "binary", "description": description}
    return {
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {"type": "object", "required": [FILE_FIELD], "properties": {FILE_FIELD: schema}}
                }
            },
        }
    }


UPLOAD_BODY = upload_body("Excel（.xlsx，读第一个工作表）或 CSV（UTF-8 或 GBK）文件")


async def upload_form(request: Request) -> AsyncIterator[FormData]:
    """The posted multipart form; its spooled files are closed when the request is done."""
    async with request.form(max_files=MAX_FORM_FILES, max_fields=MAX_FORM_FIELDS) as form:
        yield form


UploadForm = Annotated[FormData, Depends(upload_form)]


def uploaded_file(form: FormData) -> tuple[bytes, str]:
    """The bytes and the bare file name of the form's file; runs in a worker thread."""
    upload = form.get(FILE_FIELD)
    # A browser sends an empty part without a file name when no file was chosen.
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise InvalidInput(MISSING_FILE, errors={FILE_FIELD: "请选择文件"})
    upload.file.seek(0)
    return upload.file.read(), PureWindowsPath(upload.filename).name


def run_import(factory: sessionmaker[Session], data: bytes, filename: str, actor: User) -> ImportReport:
    """Read the file outside the transaction, then import all rows in one transaction."""
    rows = read_rows(data, filename)
    with transaction(factory) as session:
        return import_appeals(session, rows, actor=actor, source=filename)


def rejection_detail(report: ImportReport) -> str:
    return f"导入失败：共 {len(report.errors)} 处错误，本批未导入任何诉求"


def _row_error(error: RowError) -> dict[str, Any]:
    return {"row": error.row, "field": error.field, "message": error.message}


def _first_error_per_field(errors: list[RowError]) -> dict[str, str]:
    first: dict[str, str] = {}
    for error in errors:
        first.setdefault(error.field, error.text)
    return first


def _rejected(report: ImportReport) -> JSONResponse:
    response = problem(
        422,
        rejection_detail(report),
        code="import-rejected",
        errors=_first_error_per_field(report.errors),
    )
    body = json.loads(bytes(response.body))
    body["errors_by_row"] = [_row_error(e) for e in report.errors[:MAX_REPORTED_ERRORS]]
    return JSONResponse(body, status_code=422, media_type=PROBLEM_JSON)


def importer(user: CurrentUser) -> User:
    """The current user, when allowed to import: checked before the upload is read (unless a
    browser session sends its CSRF token in the form, which the CSRF rule of deps reads first)."""
    require(user, Permission.APPEAL_IMPORT)
    return user


@router.post(
    "/appeals/import",
    summary="批量导入诉求（Excel/CSV，分拨员）",
    description=(
        "上传 .xlsx 或 .csv 文件（字段名 file）。先检查全部行：有任何错误则整批不导入，"
        "返回 422 及逐行错误（errors_by_row）；按外部编号去重，重复导入同一文件不会重复登记。"
        "使用网页登录会话调用时，须在 X-CSRF-Token 请求头或 csrf_token 字段中提交页面令牌。"
    ),
    response_model=ImportResult,
    openapi_extra=UPLOAD_BODY,
    responses={
        401: {"description": "未登录或令牌无效"},
        403: {"description": "无批量导入权限"},
        413: {"description": "文件超过上传大小上限"},
        422: {
            "description": "未选择文件、文件无法读取，或有错误行（本批未导入任何诉求）",
            "model": ImportProblem,
        },
    },
)
def import_file(user: Annotated[User, Depends(importer)], factory: Factory, form: UploadForm) -> Any:
    # A browser session's CSRF token was checked with the user (zhengshu.web.deps.api_user).
    data, filename = uploaded_file(form)
    report = run_import(factory, data, filename, user)
    if not report.ok:
        return _rejected(report)
    return ImportResult(total=report.total, created=report.created, unchanged=report.unchanged, errors=[])
