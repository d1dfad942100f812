"""Excel/CSV import of appeals: a dispatcher uploads a spreadsheet exported from another system.

All or nothing: every row is checked before anything is written, and only a file without errors
is filed, in batches, through intake.file_appeals, the one intake path. A row whose external id was
filed before counts as unchanged, so importing the same file twice files nothing twice.
"""

from __future__ import annotations

import csv
import io
import random
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import PurePath
from typing import TypeVar

import openpyxl
from pydantic import ValidationError
from sqlalchemy.orm import Session

from zhengshu import audit
from zhengshu.appeals.drafts import AppealDraft
from zhengshu.appeals.intake import Places, actor_label, file_appeals
from zhengshu.appeals.vocabulary import CHANNEL_LABELS, TYPE_LABELS, URGENCY_LABELS, Channel
from zhengshu.errors import InvalidInput, NotFound, PermissionDenied
from zhengshu.org.models import User
from zhengshu.org.roles import Permission, Role, has_permission
from zhengshu.text.identifiers import CREDIT_CODE_CHARSET, check_char_credit_code, check_digit_resident_id
from zhengshu.validation import FIELD_LABELS, field_errors

MAX_ROWS = 100_000
# Existing external ids are looked up this many at a time.
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


# Field → enum value → label. A cell may hold either.
CHOICE_LABELS = {
    "channel": _by_value(CHANNEL_LABELS),
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


def _draft(fields: Mapping[str, str], channel: Channel) -> tuple[AppealDraft | None, dict[str, str]]:
    """The draft of one row's filled fields, or the problems found, field → message."""
    values: dict[str, object] = dict(fields)
    problems: dict[str, str] = {}
    for name, labels in CHOICE_LABELS.items():
        if name in fields:
            values[name] = _CHOICES[name].get(_choice_key(fields[name]))
            if values[name] is None:
                problems[name] = _labelled(name, "取值无效，可选：" + "、".join(labels.values()))
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


# --- Writing and generating rows (tests, templates, the import benchmark) --------------------------


def _headers(rows: Iterable[Mapping[str, str]]) -> list[str]:
    return [header for header in dict.fromkeys(h for row in rows for h in row) if header != ROW_KEY]


def rows_to_xlsx(rows: Sequence[Mapping[str, str]]) -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("诉求")
    headers = _headers(rows)
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(header, "") for header in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rows_to_csv(rows: Sequence[Mapping[str, str]], encoding: str = "utf-8-sig") -> bytes:
    """CSV bytes; utf-8-sig by default (Excel needs the BOM), "gbk" as Chinese Excel saves it."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    headers = _headers(rows)
    writer.writerow(headers)
    writer.writerows([row.get(header, "") for header in headers] for row in rows)
    return buffer.getvalue().encode(encoding)


_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余叶程魏苏吕钟卢"
_GIVEN = "伟芳娜敏静丽强磊洋艳勇军杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力永健志海山波宁福龙国胜学祥"
_MOBILE_PREFIXES = ("135", "136", "137", "138", "139", "150", "152", "158", "159", "186", "188", "199")
_ROADS = ("龙岗大道", "深惠路", "布龙路", "平湖大街", "坂雪岗大道", "五和大道", "吉华路", "宝荷路")
_FIRMS = ("华信", "鹏达", "龙腾", "宏图", "创维", "恒通", "金桥", "瑞丰", "新景")
_TRADES = ("电子科技", "五金制品", "物流", "建材", "餐饮管理", "精密模具")
# (category, title, content); {place} is the community, {address} the full address.
_TOPICS = (
    (
        "市容环卫",
        "{place}垃圾清运不及时",
        "{address}附近的垃圾桶已经满溢多日，气味很大，蚊蝇滋生，希望尽快安排清运。",
    ),
    (
        "城乡建设",
        "{place}工地夜间施工噪音扰民",
        "{address}旁的工地每晚十一点后仍在施工，噪音很大，影响居民休息，请核查处理。",
    ),
    (
        "环境保护",
        "{place}餐饮店油烟扰民",
        "{address}楼下几家餐饮店油烟直排，住户不敢开窗，请环保部门检查油烟净化设施。",
    ),
    (
        "交通运输",
        "{place}公交站缺少遮阳棚",
        "{address}公交站没有遮阳棚，夏天候车的老人和小孩被暴晒，建议加装。",
    ),
    ("水务", "{place}路面积水严重", "每次下雨{address}路段积水没过脚踝，排水口被堵，行人和车辆通行困难。"),
    (
        "市场监管",
        "{place}商铺销售过期食品",
        "在{address}一家便利店买到过期面包，与店家协商未果，请市场监管部门处理。",
    ),
    (
        "劳动和社会保障",
        "公司拖欠工资",
        "本人在{address}一家工厂上班，公司已拖欠两个月工资，多次沟通无果，请求帮助。",
    ),
    (
        "公共安全",
        "{place}路口车辆乱停放",
        "{address}路口长期有车辆乱停，占用人行道和消防通道，存在安全隐患。",
    ),
    ("民政", "高龄津贴办理咨询", "家中老人住在{address}，今年满八十岁，想咨询高龄津贴需要准备哪些材料。"),
    (
        "街道事务",
        "{place}小区物业管理不到位",
        "{address}小区电梯经常故障，物业维修拖延，业主多次反映没有结果。",
    ),
    ("政务服务", "企业开办手续咨询", "我司准备在{address}开设分公司，想咨询办理营业执照和税务登记的流程。"),
)


@cache
def _reference_places() -> tuple[tuple[str, str], ...]:
    """(street, community) pairs from the package's division data, no database needed."""
    data = resources.files("zhengshu.org").joinpath("data")
    streets = {
        row["code"]: row["name"] for row in _package_csv(data.joinpath("streets.csv").read_text("utf-8"))
    }
    communities = _package_csv(data.joinpath("communities.csv").read_text("utf-8"))
    return tuple((streets[row["street_code"]], row["name"]) for row in communities)


def _package_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(text.splitlines()))


def _mobile(rng: random.Random) -> str:
    return rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def _resident_id(rng: random.Random) -> str:
    born = f"{rng.randint(1950, 2004)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    first17 = f"440307{born}{rng.randrange(1000):03d}"
    return first17 + check_digit_resident_id(first17)


def _credit_code(rng: random.Random) -> str:
    first17 = "91440300" + "".join(rng.choice(CREDIT_CODE_CHARSET) for _ in range(9))
    return first17 + check_char_credit_code(first17)


def _weighted(rng: random.Random, labels: Mapping[str, str], weights: Sequence[int]) -> str:
    return rng.choices(list(labels.values()), weights=weights)[0]


def _generated_row(rng: random.Random, seed: int, index: int) -> dict[str, str]:
    street, community = rng.choice(_reference_places())
    address = f"{street}{community}{rng.choice(_ROADS)}{rng.randint(1, 300)}号"
    category, title, content = rng.choice(_TOPICS)
    place = community.removesuffix("社区")
    enterprise = category == "政务服务" or rng.random() < 0.05
    coordinates = rng.random() < 0.3
    values = {
        "external_id": f"GEN{seed:04d}-{index:07d}",
        "channel": _weighted(rng, CHOICE_LABELS["channel"], (60, 10, 15, 2, 3, 2, 8, 0, 0)),
        "type": _weighted(rng, CHOICE_LABELS["type"], (45, 20, 20, 8, 5, 2)),
        "urgency": _weighted(rng, CHOICE_LABELS["urgency"], (85, 12, 3)),
        "category": category,
        "title": title.format(place=place),
        "content": content.format(place=place, address=address),
        "appellant_name": rng.choice(_SURNAMES) + "".join(rng.choices(_GIVEN, k=rng.randint(1, 2))),
        "appellant_phone": _mobile(rng),
        "appellant_id_number": _resident_id(rng) if rng.random() < 0.2 else "",
        "enterprise_name": f"深圳市{rng.choice(_FIRMS)}{rng.choice(_TRADES)}有限公司" if enterprise else "",
        "enterprise_credit_code": _credit_code(rng) if enterprise else "",
        "address": address,
        # Some systems write the short street name: 平湖 for 平湖街道.
        "street": street.removesuffix("街道") if rng.random() < 0.1 else street,
        "community": community,
        "latitude": f"{rng.uniform(22.60, 22.80):.6f}" if coordinates else "",
        "longitude": f"{rng.uniform(114.05, 114.35):.6f}" if coordinates else "",
    }
    return {COLUMNS[name][0]: value for name, value in values.items()}


def generate_rows(count: int, seed: int = 0) -> list[dict[str, str]]:
    """Valid, realistic rows under Chinese headers with Chinese labels, for tests and benchmarks.
    The same seed gives the same rows; another seed gives other external ids."""
    rng = random.Random(seed)
    return [_generated_row(rng, seed, index) for index in range(1, count + 1)]
