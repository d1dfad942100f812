"""The filters every dashboard number, drill-down and export takes: one period and optional category,
type, street, community and lead department, checked once and applied alike to the summary table and
to the appeals themselves."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from zhengshu.appeals.board_measures import COUNTED
from zhengshu.appeals.days import parse_period
from zhengshu.appeals.models import Appeal
from zhengshu.appeals.vocabulary import TYPE_LABELS, AppealType
from zhengshu.clock import day_start
from zhengshu.errors import InvalidInput, NotFound
from zhengshu.org.models import Community, Department, Street
from zhengshu.validation import filter_text

DEFAULT_DAYS = 30
MAX_TEXT = 64


@dataclass(frozen=True)
class BoardFilters:
    first: date
    last: date
    category: str | None = None
    type: AppealType | None = None
    street: Street | None = None
    community: Community | None = None
    department: Department | None = None

    @property
    def start(self) -> datetime:
        return day_start(self.first)

    @property
    def end(self) -> datetime:
        """Exclusive."""
        return day_start(self.last + timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def previous(self) -> BoardFilters:
        """The same filters over the period of equal length just before this one."""
        return replace(
            self, first=self.first - timedelta(days=self.days), last=self.first - timedelta(days=1)
        )

    def without_area(self) -> BoardFilters:
        return replace(self, street=None, community=None)

    def summary_where(self, table: Any) -> list[ColumnElement[bool]]:
        """The conditions on a summary table (zhengshu.appeals.board_models) other than time."""
        community = getattr(table, "community_id", None)
        if self.community is not None and community is None:
            raise ValueError(f"{table.__tablename__} has no community")
        return self._dimensions(
            table.category, table.type, table.street_id, community, table.lead_department_id
        )

    def appeal_where(self) -> list[ColumnElement[bool]]:
        """The same conditions on the appeals the dashboards count (board_measures.COUNTED): received
        in the period, same dimensions."""
        return [Appeal.created_at >= self.start, Appeal.created_at < self.end, *self.area_where()]

    def area_where(self) -> list[ColumnElement[bool]]:
        """Only the dimensions, on the appeals the dashboards count: for live counts of open appeals,
        which belong to no period."""
        dimensions = self._dimensions(
            Appeal.category, Appeal.type, Appeal.street_id, Appeal.community_id, Appeal.lead_department_id
        )
        return [COUNTED, *dimensions]

    def _dimensions(
        self, category: Any, type_: Any, street: Any, community: Any, department: Any
    ) -> list[Any]:
        where = []
        if self.category:
            where.append(category == self.category)
        if self.type:
            where.append(type_ == self.type.value)
        if self.street:
            where.append(street == self.street.id)
        if self.community:
            where.append(community == self.community.id)
        if self.department:
            where.append(department == self.department.id)
        return where

    def query(self) -> dict[str, str]:
        """The filters as URL parameters (for links, exports and the page's form)."""
        params = {"first": self.first.isoformat(), "last": self.last.isoformat()}
        if self.category:
            params["category"] = self.category
        if self.type:
            params["type"] = self.type.value
        if self.street:
            params["street"] = self.street.code
        if self.community:
            params["community"] = self.community.code
        if self.department:
            params["department"] = self.department.code
        return params

    def describe(self) -> str:
        """The filters in words, for exports and page headings."""
        return "；".join(
            [f"受理时间 {self.first.isoformat()} 至 {self.last.isoformat()}", *self._area_words()]
        )

    def describe_live(self) -> str:
        """The filters of a live count, which takes every open appeal whenever it was received."""
        return "；".join(["此刻在办的诉求（不限受理时间）", *self._area_words()])

    def _area_words(self) -> list[str]:
        parts = []
        if self.street:
            parts.append(f"街道：{self.street.name}")
        if self.community:
            parts.append(f"社区：{self.community.name}")
        if self.department:
            parts.append(f"承办单位：{self.department.name}")
        if self.category:
            parts.append(f"类别：{self.category}")
        if self.type:
            parts.append(f"类型：{TYPE_LABELS[self.type]}")
        return parts


def _text(value: str | None, label: str) -> str | None:
    return filter_text(value, label, MAX_TEXT)


def parse_filters(
    session: Session,
    *,
    first: str | None = None,
    last: str | None = None,
    category: str | None = None,
    type: str | None = None,
    street: str | None = None,
    community: str | None = None,
    department: str | None = None,
) -> BoardFilters:
    """Filters typed in a URL: unknown codes are a NotFound and malformed values an InvalidInput, each
    with a message naming the field."""
    first_day, last_day = parse_period(first, last, days=DEFAULT_DAYS)
    type_text = _text(type, "类型")
    appeal_type = None
    if type_text:
        try:
            appeal_type = AppealType(type_text)
        except ValueError:
            names = "、".join(f"{t.value}（{t.label}）" for t in AppealType)
            raise InvalidInput(f"未知的诉求类型：{type_text}；可选：{names}") from None
    street_row = _find(session, Street, _text(street, "街道代码"), "街道")
    community_row = _find(session, Community, _text(community, "社区代码"), "社区")
    if community_row is not None:
        if street_row is not None and community_row.street_id != street_row.id:
            raise InvalidInput(f"社区“{community_row.name}”不属于{street_row.name}")
        street_row = street_row or community_row.street
    return BoardFilters(
        first=first_day,
        last=last_day,
        category=_text(category, "类别"),
        type=appeal_type,
        street=street_row,
        community=community_row,
        department=_find(session, Department, _text(department, "承办单位代码"), "承办单位"),
    )


def _find(session: Session, model: Any, code: str | None, label: str) -> Any:
    if code is None:
        return None
    row = session.scalar(select(model).where(model.code == code))
    if row is None:
        raise NotFound(f"{label}代码不存在：{code}")
    return row
