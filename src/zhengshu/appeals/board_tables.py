"""The dashboards' tables as data: the page renders them, the export writes them, so both always show
the same columns and numbers. A column may name the drill-down behind its numbers (a measure of
board_measures or a live key of fast_handling); a row may narrow the filters (a street, a department)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhengshu.appeals import assessment as assessment_service
from zhengshu.appeals import fast_handling, opinion_map
from zhengshu.appeals.board_filters import BoardFilters
from zhengshu.appeals.board_rates import Rates
from zhengshu.appeals.models import Appeal, SupervisionNotice
from zhengshu.appeals.presenters import appellant, free_text
from zhengshu.appeals.vocabulary import TYPE_LABELS, AppealType, NoticeKind
from zhengshu.appeals.workflow import STATUS_LABELS, Status
from zhengshu.clock import local
from zhengshu.errors import InvalidInput, NotFound
from zhengshu.org.models import Department, Street, User
from zhengshu.xlsx_export import SheetColumn


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    # text, int, rate (0..1), change (signed rate), days, decimal, moment
    kind: str = "text"
    drill: str | None = None

    @property
    def sheet(self) -> SheetColumn:
        formats = {"rate": "0.0%", "change": "+0.0%;-0.0%;0.0%", "days": "0.0", "decimal": "0.0", "int": "0"}
        widths = {"text": 18, "moment": 18}
        return SheetColumn(self.label, formats.get(self.kind), widths.get(self.kind, 12))


@dataclass(frozen=True)
class Row:
    values: dict[str, Any]
    # Filters narrowing the drill-down of this row's numbers, e.g. {"street": "440307003"}; None when
    # no filter can (appeals without a street): the row's numbers have no drill-down.
    narrow: dict[str, str] | None = field(default_factory=dict)
    # A link of the row itself (an appeal's page).
    number: str | None = None


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    columns: tuple[Column, ...]
    rows: list[Row]
    note: str = ""
    # Counts of open appeals now, whenever received (the period does not apply).
    live: bool = False

    def cells(self) -> list[list[Any]]:
        return [[row.values.get(c.key) for c in self.columns] for row in self.rows]


RATE_COLUMNS = (
    Column("received", "受理", "int", "received"),
    Column("closed", "办结", "int", "closed"),
    Column("accepted_on_time_rate", "按时签收率", "rate", "accepted_late"),
    Column("closed_on_time_rate", "按时办结率", "rate", "closed_late"),
    Column("average_handling_days", "平均办理天数", "days", "closed"),
    Column("satisfaction_rate", "满意率", "rate", "dissatisfied"),
    Column("reopen_rate", "重办率", "rate", "reopened"),
    Column("closed_on_paper", "疑似形式办结", "int", "closed_on_paper"),
)


AREA_NOTE = "上期：紧接本期之前、天数相同的期间。"


def streets_table(values: Sequence[opinion_map.AreaValue]) -> Table:
    """The map's streets (opinion_map.streets); appeals without a street have no drill-down."""
    rows = [Row(v.as_dict(), {"street": v.code} if v.code else None) for v in values]
    return Table(
        "streets",
        "各街道诉求量",
        (
            Column("name", "街道"),
            Column("count", "诉求量", "int", "received"),
            Column("previous", "上期", "int"),
            Column("change", "较上期", "change"),
            Column("per_10k", "每万人", "decimal"),
        ),
        rows,
        AREA_NOTE + "每万人：按配置的常住人口计算，未配置时为空。",
    )


def communities_table(street: Street, values: Sequence[opinion_map.AreaValue]) -> Table:
    """A street's communities (opinion_map.communities)."""
    rows = [
        Row(v.as_dict(), {"street": street.code, "community": v.code} if v.code else None) for v in values
    ]
    return Table(
        "communities",
        f"{street.name}各社区诉求量",
        (
            Column("name", "社区"),
            Column("count", "诉求量", "int", "received"),
            Column("previous", "上期", "int"),
            Column("change", "较上期", "change"),
        ),
        rows,
        AREA_NOTE,
    )


def categories_table(session: Session, filters: BoardFilters) -> Table:
    rows = [
        Row({"category": c, "count": n}, {"category": c} if c != opinion_map.UNCATEGORISED else None)
        for c, n in opinion_map.categories(session, filters)
    ]
    return Table(
        "categories",
        "诉求类别",
        (Column("category", "类别"), Column("count", "诉求量", "int", "received")),
        rows,
    )


def _due_table(name: str, title: str, first: str, rows: Sequence[fast_handling.DueRow], narrow: str) -> Table:
    return Table(
        name,
        title,
        (
            Column("name", first),
            Column("near_due", "临期", "int", "near_due"),
            Column("overdue", "超期未办结", "int", "overdue"),
            Column("overdue_accept", "超时未签收", "int", "overdue_accept"),
        ),
        [Row(r.as_dict(), {narrow: r.code}) for r in rows],
        "临期：24 小时内到办理时限；均为此刻在办的诉求。",
        live=True,
    )


def due_departments_table(session: Session, filters: BoardFilters, at: datetime) -> Table:
    rows = fast_handling.due_by_department(session, filters, at)
    return _due_table("due_departments", "承办单位临期与超期", "承办单位", rows, "department")


def due_streets_table(session: Session, filters: BoardFilters, at: datetime) -> Table:
    rows = fast_handling.due_by_street(session, filters, at)
    return _due_table("due_streets", "街道临期与超期", "街道", rows, "street")


def street_rates_table(session: Session, filters: BoardFilters) -> Table:
    by_street = fast_handling.rates_by(session, filters, "street_id")
    rows = []
    for street in session.scalars(select(Street).order_by(Street.code)):
        rates = by_street.get(street.id, Rates.of({}))
        rows.append(Row({"name": street.name, **rates.as_dict()}, {"street": street.code}))
    return Table("street_rates", "各街道办理情况", (Column("name", "街道"), *RATE_COLUMNS), rows)


def assessment_table(session: Session, filters: BoardFilters) -> Table:
    rows = [
        Row(
            {
                "rank": r.rank,
                "name": r.department.name,
                **r.rates.as_dict(),
                "score": r.score,
                "sample": "样本少" if r.small_sample else "",
            },
            {"department": r.department.code},
        )
        for r in assessment_service.assessment(session, filters)
    ]
    return Table(
        "assessment",
        "承办单位考核",
        (
            Column("rank", "排名", "int"),
            Column("name", "承办单位"),
            *RATE_COLUMNS,
            Column("score", "得分", "decimal"),
            Column("sample", "备注"),
        ),
        rows,
        assessment_service.formula(),
    )


def supervision_table(session: Session, filters: BoardFilters, viewer: User) -> Table:
    notices = fast_handling.supervision(session, filters)
    rows = [_notice_row(n, viewer) for n in notices]
    return Table(
        "supervision",
        "督办清单（在办）",
        (
            Column("issued_at", "督办时间", "moment"),
            Column("number", "诉求编号"),
            Column("title", "标题"),
            Column("department", "承办单位"),
            Column("kind", "督办类型"),
            Column("due_at", "办理时限", "moment"),
            Column("status", "状态"),
        ),
        rows,
        live=True,
    )


def _notice_row(notice: SupervisionNotice, viewer: User) -> Row:
    appeal = notice.appeal
    return Row(
        {
            "issued_at": _moment(notice.issued_at),
            "number": appeal.number,
            "title": free_text(appeal.title, appeal, viewer),
            "department": appeal.lead_department.name if appeal.lead_department else "",
            "kind": NoticeKind(notice.kind).label,
            "due_at": _moment(appeal.due_at),
            "status": STATUS_LABELS[Status(appeal.status)],
        },
        number=appeal.number,
    )


def _moment(value: datetime | None) -> str:
    return local(value).strftime("%Y-%m-%d %H:%M") if value else ""


APPEAL_COLUMNS = (
    Column("number", "诉求编号"),
    Column("created_at", "受理时间", "moment"),
    Column("title", "标题"),
    Column("appellant", "诉求人"),
    Column("phone", "联系电话"),
    Column("street", "街道"),
    Column("community", "社区"),
    Column("category", "类别"),
    Column("type", "类型"),
    Column("status", "状态"),
    Column("department", "承办单位"),
    Column("due_at", "办理时限", "moment"),
)


def appeal_row(appeal: Appeal, viewer: User) -> Row:
    person = appellant(appeal, viewer)
    return Row(
        {
            "number": appeal.number,
            "created_at": _moment(appeal.created_at),
            "title": free_text(appeal.title, appeal, viewer),
            "appellant": person["name"],
            "phone": person["phone"],
            "street": appeal.street.name if appeal.street else "",
            "community": appeal.community.name if appeal.community else "",
            "category": appeal.category or "",
            "type": TYPE_LABELS[AppealType(appeal.type)],
            "status": STATUS_LABELS[Status(appeal.status)],
            "department": appeal.lead_department.name if appeal.lead_department else "",
            "due_at": _moment(appeal.due_at),
        },
        number=appeal.number,
    )


def appeals_table(
    title: str, appeals: Sequence[Appeal], viewer: User, note: str = "", *, live: bool = False
) -> Table:
    return Table("appeals", title, APPEAL_COLUMNS, [appeal_row(a, viewer) for a in appeals], note, live)


# The tables an export can ask for by name, with what each needs.
MAP_TABLES = ("streets", "communities", "categories")
HANDLING_TABLES = ("due_departments", "due_streets", "street_rates", "assessment", "supervision")


def table(
    session: Session,
    name: str,
    filters: BoardFilters,
    *,
    viewer: User,
    at: datetime,
    population: dict[str, int],
) -> Table:
    builders = {
        "streets": lambda: streets_table(opinion_map.streets(session, filters, population)),
        "communities": lambda: communities_table(_street(filters), opinion_map.communities(session, filters)),
        "categories": lambda: categories_table(session, filters),
        "due_departments": lambda: due_departments_table(session, filters, at),
        "due_streets": lambda: due_streets_table(session, filters, at),
        "street_rates": lambda: street_rates_table(session, filters),
        "assessment": lambda: assessment_table(session, filters),
        "supervision": lambda: supervision_table(session, filters, viewer),
    }
    if name not in builders:
        raise NotFound(f"没有名为“{name[:32]}”的表")
    return builders[name]()


def _street(filters: BoardFilters) -> Street:
    if filters.street is None:
        raise InvalidInput("请指定街道（street=街道代码）")
    return filters.street


def departments(session: Session) -> list[Department]:
    return list(session.scalars(select(Department).order_by(Department.kind, Department.code)))
