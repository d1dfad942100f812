"""Excel/CSV import of appeals: a dispatcher uploads a spreadsheet exported from another system.

All or nothing: every row is checked before anything is written, and only a file without errors
is filed, in batches, through intake.file_appeals, the one intake path. A row whose external id was
filed before counts as unchanged, so importing the same file twice files nothing twice.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import PurePath
from typing import TypeVar

import openpyxl
from pydantic import ValidationError
from sqlalchemy.orm import Session

from zhengshu import audit
from zhengshu.appeals.drafts import OPEN311_ONLY, AppealDraft
from zhengshu.appeals.intake import Places, actor_label, file_appeals
from zhengshu.appeals.vocabulary import CHANNEL_LABELS, TYPE_LABELS, URGENCY_LABELS, Channel
from zhengshu.errors import InvalidInput, NotFound, PermissionDenied
from zhengshu.org.models import User
from zhengshu.org.roles import Permission, Role, has_permission
from zhengshu.validation import FIELD_LABELS, field_errors

MAX_ROWS = 100_000
# Rows filed per round of statements.
BATCH = 1_000
# read_rows keeps the sheet row number of each row under this key, so errors name the row a person
# sees even when blank rows or a title row come before it.
ROW_KEY = "_row"

REQUIRED_FIELDS = ("external_id", "title", "content", "appellant_name", "appellant_phone")
# Field → the header written for it, then other headers read as it. The field name itself and its
# FIELD_LABELS label are read as it too.
COLUMNS: dict[str, tuple[str, ...]] = {
    "external_id": ("外部编号",),
    "channel": ("渠道",),
    "type": ("诉求类型", "类型"),
    "urgency": ("紧急程度",),
    "category": ("分类",),
    "title": ("标题",),
    "content": ("诉求内容", "内容"),
    "appellant_name": ("诉求人", "姓名"),
    "appellant_phone": ("联系电话", "电话"),
    "appellant_id_number": ("身份证号", "身份证号码"),
    "enterprise_name": ("企业名称",),
    "enterprise_credit_code": ("统一社会信用代码",),
    "address": ("地址",),
    "street": ("街道",),
    "community": ("社区",),
    "latitude": ("纬度",),
    "longitude": ("经度",),
}


_Member = TypeVar("_Member", bound=StrEnum)


def _by_value(labels: Mapping[_Member, str]) -> dict[str, str]:
    return {member.value: label for member, label in labels.items()}


# Channels a file's rows may name: every channel but Open311, whose appeals only its own POST files
# (the public Open311 feed publishes that channel), and 智能客服, whose appeals only 转人工 files.
IMPORT_CHANNEL_LABELS = {
    channel: label
    for channel, label in CHANNEL_LABELS.items()
    if channel not in (Channel.OPEN311, Channel.ASSISTANT)
}
# Field → enum value → label. A cell may hold either.
CHOICE_LABELS = {
    "channel": _by_value(IMPORT_CHANNEL_LABELS),
    "type": _by_value(TYPE_LABELS),
    "urgency": _by_value(URGENCY_LABELS),
}
# Templates mark notes after a header: "联系电话（必填）", "标题*".
_HEADER_NOTE = re.compile(r"\([^()]*\)$")


@dataclass
class RowError:
    row: int  # the spreadsheet row a person sees; the header is row 1
    field: str  # an AppealDraft field, or "_" for the row as a whole
    message: str

    @property
    def text(self) -> str:
        return f"第 {self.row} 行：{self.message}"


@dataclass
class ImportReport:
    total: int
    created: int
    unchanged: int
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# --- Reading files -------------------------------------------------------------------------------


def read_rows(data: bytes, filename: str) -> list[dict[str, str]]:
    """The rows of an .xlsx (first sheet) or .csv file as header → text, blank rows left out.

    The header is the first row with at least two filled cells: exports from other systems often
    put a one-cell title such as "工单明细表" above it.
    """
    suffix = PurePath(filename).suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        hint = "；.xls 文件请先在 Excel 中另存为 .xlsx" if suffix == ".xls" else ""
        raise InvalidInput(f"不支持的文件类型“{suffix or filename}”，请上传 .xlsx 或 .csv 文件{hint}")
    if not data:
        raise InvalidInput("文件是空的")
    return _read_xlsx(data) if suffix == ".xlsx" else _read_csv(data)


def _unreadable_xlsx() -> InvalidInput:
    return InvalidInput("无法读取该 Excel 文件：文件已损坏或不是 .xlsx 格式")


def _read_xlsx(data: bytes) -> list[dict[str, str]]:
    # An uploaded file can fail anywhere in openpyxl, zipfile or the XML parser, also lazily while
    # rows are read; to the dispatcher all of these mean one thing: the file is unreadable.
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise _unreadable_xlsx() from exc
    try:
        sheet = workbook.worksheets[0]
        # Some exporters write a wrong <dimension>; without this, read-only mode stops early.
        sheet.reset_dimensions()
        return _table([_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True))
    except InvalidInput:
        raise
    except Exception as exc:
        raise _unreadable_xlsx() from exc
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    # Excel stores a phone number typed as a number as a float: 13812345678.0.
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_csv(data: bytes) -> list[dict[str, str]]:
    try:
        return _table(csv.reader(io.StringIO(_decode(data), newline="")))
    except csv.Error as exc:
        raise InvalidInput("CSV 文件格式有误，无法读取") from exc


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    # Chinese Excel saves "CSV (逗号分隔)" in the ANSI code page, GBK; GB18030 is its superset.
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise InvalidInput("无法识别 CSV 文件的编码，请保存为 UTF-8 或 GBK 编码") from exc


def _table(lines: Iterable[Sequence[str]]) -> list[dict[str, str]]:
    numbered = ((number, [cell.strip() for cell in line]) for number, line in enumerate(lines, start=1))
    header = _header(numbered)
    rows: list[dict[str, str]] = []
    for number, cells in numbered:
        if not any(cells):
            continue
        if len(rows) == MAX_ROWS:
            raise InvalidInput(f"一次最多导入 {MAX_ROWS} 行，请把文件拆分后分批导入")
        row = {name: cells[i] if i < len(cells) else "" for i, name in enumerate(header) if name}
        row[ROW_KEY] = str(number)
        rows.append(row)
    if not rows:
        raise InvalidInput("表头下面没有诉求数据")
    return rows


def _header(numbered: Iterator[tuple[int, list[str]]]) -> list[str]:
    for _number, cells in numbered:
        names = [cell for cell in cells if cell]
        if len(names) < 2:
            continue
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise InvalidInput("表头中有重复的列：" + "、".join(repeated))
        return cells
    raise InvalidInput("文件中没有内容，或找不到表头行")


# --- Columns and values --------------------------------------------------------------------------


def _header_key(text: str) -> str:
    folded = "".join(unicodedata.normalize("NFKC", text).split()).strip("*")
    return _HEADER_NOTE.sub("", folded).strip("*").lower()


def _choice_key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().lower()


_HEADER_FIELDS = {
    _header_key(header): name
    for name, headers in COLUMNS.items()
    for header in (name, FIELD_LABELS[name], *headers)
}
_CHOICES = {
    name: {_choice_key(text): value for value, label in labels.items() for text in (value, label)}
    for name, labels in CHOICE_LABELS.items()
}

_OPEN311_TEXTS = frozenset(_choice_key(text) for text in (Channel.OPEN311.value, Channel.OPEN311.label))


def map_columns(headers: Iterable[str]) -> dict[str, str]:
    """Header → AppealDraft field. Columns the import does not know are left out."""
    columns: dict[str, str] = {}
    header_of: dict[str, str] = {}
    for header in headers:
        name = _HEADER_FIELDS.get(_header_key(header))
        if name is None or header == ROW_KEY:
            continue
        if name in header_of:
            raise InvalidInput(f"列“{header_of[name]}”和“{header}”都是{FIELD_LABELS[name]}，请只保留一列")
        header_of[name] = header
        columns[header] = name
    missing = [FIELD_LABELS[name] for name in REQUIRED_FIELDS if name not in header_of]
    if missing:
        raise InvalidInput(
            "缺少必需的列：" + "、".join(missing), errors={"file": "缺少列：" + "、".join(missing)}
        )
    return columns


def _labelled(name: str, reason: str) -> str:
    label = FIELD_LABELS.get(name)
    return f"{label}：{reason}" if label else reason


def _choice_problem(name: str, text: str, labels: Mapping[str, str]) -> str:
    if name == "channel" and _choice_key(text) in _OPEN311_TEXTS:
        return OPEN311_ONLY
    return "取值无效，可选：" + "、".join(labels.values())


def _draft(fields: Mapping[str, str], channel: Channel) -> tuple[AppealDraft | None, dict[str, str]]:
    """The draft of one row's filled fields, or the problems found, field → message."""
    values: dict[str, object] = dict(fields)
    problems: dict[str, str] = {}
    for name, labels in CHOICE_LABELS.items():
        if name in fields:
            values[name] = _CHOICES[name].get(_choice_key(fields[name]))
            if values[name] is None:
                problems[name] = _labelled(name, _choice_problem(name, fields[name], labels))
                del values[name]
    values.setdefault("channel", channel)
    values["is_enterprise"] = bool(fields.get("enterprise_name") or fields.get("enterprise_credit_code"))
    if not fields.get("external_id"):
        problems["external_id"] = _labelled("external_id", "必填")
    try:
        draft = AppealDraft.model_validate(values)
    except ValidationError as exc:
        for name, reason in field_errors(exc.errors()).items():
            problems.setdefault(name, _labelled(name, reason))
        return None, problems
    return (None if problems else draft), problems


# --- Checking every row --------------------------------------------------------------------------


class _RowChecker:
    """Checks rows one by one, remembering what earlier rows established: the external ids seen,
    and each distinct street and community spelling, resolved once through the same look-ups
    intake uses, so a whole file costs a few dozen queries."""

    def __init__(self, places: Places, channel: Channel) -> None:
        self.places = places
        self.channel = channel
        self.first_row_of: dict[str, int] = {}

    def check(self, number: int, fields: Mapping[str, str]) -> tuple[AppealDraft | None, list[RowError]]:
        draft, problems = _draft(fields, self.channel)
        for name, message in (self._place_problems(fields) | self._duplicate(number, fields)).items():
            problems.setdefault(name, message)
        return draft, [RowError(number, name, message) for name, message in problems.items()]

    def _duplicate(self, number: int, fields: Mapping[str, str]) -> dict[str, str]:
        external_id = fields.get("external_id")
        if not external_id:
            return {}
        first = self.first_row_of.setdefault(external_id, number)
        if first == number:
            return {}
        return {"external_id": f"外部编号“{external_id}”与第 {first} 行重复"}

    def _place_problems(self, fields: Mapping[str, str]) -> dict[str, str]:
        try:
            self.places.resolve(fields.get("street"), fields.get("community"))
        except NotFound as problem:
            return {next(iter(problem.errors), "street"): problem.message}
        return {}


def _row_number(row: Mapping[str, str], index: int) -> int:
    number = row.get(ROW_KEY, "")
    return int(number) if number.isdigit() else index + 2


def _filled_fields(row: Mapping[str, str], columns: Mapping[str, str]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for header, name in columns.items():
        value = (row.get(header) or "").strip()
        if value:
            fields[name] = value
    return fields


def _check_rows(
    places: Places, rows: Sequence[Mapping[str, str]], columns: Mapping[str, str], channel: Channel
) -> tuple[int, list[AppealDraft], list[RowError]]:
    checker = _RowChecker(places, channel)
    drafts: list[AppealDraft] = []
    errors: list[RowError] = []
    total = 0
    for index, row in enumerate(rows):
        fields = _filled_fields(row, columns)
        if not fields:
            continue
        total += 1
        draft, row_errors = checker.check(_row_number(row, index), fields)
        errors.extend(row_errors)
        if draft is not None:
            drafts.append(draft)
    return total, drafts, errors


# --- Filing --------------------------------------------------------------------------------------


def _check_permission(actor: User | None) -> None:
    if actor is not None and not has_permission(actor.role, Permission.APPEAL_IMPORT):
        raise PermissionDenied(f"{Role(actor.role).label}无权批量导入诉求")


def _submit_all(session: Session, drafts: Sequence[AppealDraft], actor: User | None, places: Places) -> int:
    """Files the drafts in batches; returns how many were new."""
    created = 0
    for start in range(0, len(drafts), BATCH):
        filed = file_appeals(session, drafts[start : start + BATCH], actor=actor, places=places)
        created += sum(f.created for f in filed)
    return created


def import_appeals(
    session: Session,
    rows: Sequence[Mapping[str, str]],
    *,
    actor: User | None,
    channel: Channel = Channel.IMPORT,
    source: str | None = None,
) -> ImportReport:
    """Import rows (as read_rows returns them) in the caller's transaction, all or nothing.

    `channel` is the channel of rows that name none; `source` (the file name) goes into the audit
    event. When any row has an error, nothing is added to the session and the report lists the
    errors; otherwise every row is filed, or counted unchanged when its external id exists.
    """
    _check_permission(actor)
    columns = map_columns(dict.fromkeys(header for row in rows for header in row))
    # Checking only reads; no autoflush, so nothing reaches the database before every row passed.
    places = Places(session)
    with session.no_autoflush:
        total, drafts, errors = _check_rows(places, rows, columns, channel)
    if errors:
        return ImportReport(total=total, created=0, unchanged=0, errors=errors)
    created = _submit_all(session, drafts, actor, places)
    report = ImportReport(total=total, created=created, unchanged=total - created)
    audit.record(
        session,
        "appeal.imported",
        "import",
        0,
        actor_id=actor.id if actor else None,
        actor_label=actor_label(actor, Channel.IMPORT.label),
        data={
            "source": source,
            "channel": channel.value,
            "total": report.total,
            "created": report.created,
            "unchanged": report.unchanged,
        },
    )
    return report
