"""The dispatcher's import page: upload an .xlsx or .csv export, see the counts or every row error;
and the template workbook to fill in."""

from __future__ import annotations

import io
from typing import Annotated, Any

import openpyxl
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from zhengshu.appeals.importing import CHOICE_LABELS, COLUMNS, MAX_ROWS, REQUIRED_FIELDS, ImportReport
from zhengshu.errors import DomainError, PermissionDenied
from zhengshu.org.models import User
from zhengshu.validation import FIELD_LABELS
from zhengshu.web import csrf
from zhengshu.web.api_import import UploadForm, rejection_detail, run_import, uploaded_file
from zhengshu.web.deps import Factory, settings
from zhengshu.web.pages_base import (
    FEATURE_BY_KEY,
    PageRoute,
    StaffUser,
    download,
    render,
    require_feature,
)
from zhengshu.xlsx_export import MEDIA_TYPE as XLSX_TYPE

router = APIRouter(route_class=PageRoute, include_in_schema=False)

# More rows than this make a page nobody scrolls; the count above the table says how many there are.
MAX_SHOWN_ERRORS = 500
TEMPLATE_NAME = "诉求导入模板.xlsx"
# Field → what to write in its column, on the page and in the template's notes.
COLUMN_HINTS = {
    "external_id": "来源系统的工单编号，同一编号只登记一次",
    "title": "一句话概括诉求",
    "content": "诉求的具体情况",
    "appellant_name": "诉求人姓名",
    "appellant_phone": "手机号或带区号的固定电话",
    "category": "如 城乡建设、市容环卫；留空由分拨员确定",
    "appellant_id_number": "18 位居民身份证号码",
    "enterprise_name": "填写企业名称或信用代码即为企业诉求",
    "enterprise_credit_code": "18 位统一社会信用代码",
    "address": "详细地址",
    "street": "如 平湖街道，也可写 平湖",
    "community": "须属于所填街道",
    "latitude": "十进制度数，如 22.68",
    "longitude": "十进制度数，如 114.12",
}
# Columns Excel would turn into numbers, losing leading zeros or digits beyond the 15th.
TEXT_COLUMNS = ("external_id", "appellant_phone", "appellant_id_number", "enterprise_credit_code")
EXAMPLE_ROW = {
    "external_id": "GD20240601001",
    "channel": "热线",
    "type": "投诉",
    "urgency": "一般",
    "category": "城乡建设",
    "title": "小区旁工地夜间施工噪音扰民",
    "content": "凤凰大道旁工地每晚十一点后仍在施工，噪音很大，影响居民休息，请核查处理。",
    "appellant_name": "张三",
    "appellant_phone": "13812345678",
    "address": "平湖街道凤凰大道88号",
    "street": "平湖街道",
    "community": "凤凰社区",
}


def column_guide() -> list[dict[str, Any]]:
    """One entry per column the import reads: the header to write, other accepted headers, a hint."""
    guide = []
    for name, headers in COLUMNS.items():
        header, *others = headers
        aliases = [h for h in (*others, FIELD_LABELS[name]) if h != header]
        hint = COLUMN_HINTS.get(name, "")
        if name in CHOICE_LABELS:
            choices = "、".join(CHOICE_LABELS[name].values())
            hint = f"可选：{choices}" + ("；留空为“批量导入”" if name == "channel" else "")
        guide.append(
            {
                "name": name,
                "header": header,
                "aliases": list(dict.fromkeys(aliases)),
                "required": name in REQUIRED_FIELDS,
                "hint": hint,
            }
        )
    return guide


def _fit_columns(sheet: Worksheet, widths: list[int]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def template_xlsx() -> bytes:
    """A workbook with the headers and one example row, and a sheet explaining each column."""
    guide = column_guide()
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "诉求"
    sheet.append([column["header"] for column in guide])
    sheet.append([EXAMPLE_ROW.get(column["name"], "") for column in guide])
    required_fill = PatternFill("solid", fgColor="FFF2CC")
    for cell, column in zip(sheet[1], guide, strict=True):
        cell.font = Font(bold=True)
        if column["required"]:
            cell.fill = required_fill
    for index, column in enumerate(guide, start=1):
        if column["name"] in TEXT_COLUMNS:
            letter = get_column_letter(index)
            sheet.column_dimensions[letter].number_format = "@"
            sheet[f"{letter}2"].number_format = "@"
    sheet.freeze_panes = "A2"
    _fit_columns(sheet, [max(10, 2 * len(column["header"]) + 4) for column in guide])

    notes = workbook.create_sheet("填写说明")
    notes.append(["列名", "必填", "也可写作", "说明"])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for column in guide:
        required = "是" if column["required"] else ""
        notes.append([column["header"], required, "、".join(column["aliases"]), column["hint"]])
    notes.append([])
    notes.append(["只导入第一个工作表；“诉求”表第 2 行是示例，导入前请替换或删除。"])
    notes.append(["有任何一行出错时整批不导入；同一外部编号重复导入不会重复登记。"])
    _fit_columns(notes, [16, 6, 20, 48])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def importer(user: StaffUser) -> User:
    """The logged-in user, when allowed to import: checked before an upload is read."""
    require_feature(user, "import")
    return user


Importer = Annotated[User, Depends(importer)]


def _context(request: Request, **values: Any) -> dict[str, Any]:
    max_upload: int = settings(request).max_upload_bytes
    return {
        "columns": column_guide(),
        "max_rows": MAX_ROWS,
        "max_upload_mb": max_upload // 1_000_000,
        "report": None,
        "message": None,
        **values,
    }


def _report_context(report: ImportReport, user: User) -> dict[str, Any]:
    errors = [
        {
            "row": e.row,
            "field": FIELD_LABELS.get(e.field, "整行" if e.field == "_" else e.field),
            "message": e.message,
        }
        for e in report.errors[:MAX_SHOWN_ERRORS]
    ]
    dispatch = FEATURE_BY_KEY["dispatch"]
    return {
        "report": report,
        "row_errors": errors,
        "hidden_errors": max(0, len(report.errors) - MAX_SHOWN_ERRORS),
        "message": None if report.ok else rejection_detail(report),
        "dispatch_path": dispatch.path if dispatch.allowed(user) else None,
    }


@router.get("/appeals/import")
def import_page(request: Request, user: Importer) -> Response:
    return render(request, "import.html", _context(request), user=user)


@router.post("/appeals/import")
def import_upload(request: Request, user: Importer, factory: Factory, form: UploadForm) -> Response:
    try:
        csrf.check(request, form)
        data, filename = uploaded_file(form)
        report = run_import(factory, data, filename, user)
    except DomainError as error:
        status = 403 if isinstance(error, PermissionDenied) else 422
        return render(
            request, "import.html", _context(request, message=error.message), user=user, status_code=status
        )
    context = _context(request, filename=filename, **_report_context(report, user))
    return render(request, "import.html", context, user=user, status_code=200 if report.ok else 422)


@router.get("/appeals/import/template.xlsx")
def import_template(user: Importer) -> Response:
    return download(template_xlsx(), XLSX_TYPE, "appeal-import-template.xlsx", TEMPLATE_NAME)
