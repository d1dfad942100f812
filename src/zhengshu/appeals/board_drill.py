"""The appeals behind a dashboard number: the same filters and the same condition that counted them
(zhengshu.appeals.board_measures for the period's measures, fast_handling.live_conditions for the live
ones), the appeals the viewer may read, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, desc, select
from sqlalchemy.orm import Session

from zhengshu.appeals.access import readable_by
from zhengshu.appeals.board_filters import BoardFilters
from zhengshu.appeals.board_measures import MEASURES
from zhengshu.appeals.fast_handling import live_conditions
from zhengshu.appeals.models import Appeal
from zhengshu.appeals.queries import Page, page_of
from zhengshu.errors import InvalidInput
from zhengshu.org.models import User

PAGE_SIZE = 50
# An export lists at most this many appeals (the page says so when there are more).
EXPORT_LIMIT = 50_000
# Live lists ordered by the deadline that matters, the rest newest first.
_BY_DUE = {"near_due", "overdue"}
_BY_ACCEPT_DUE = {"overdue_accept"}


@dataclass(frozen=True)
class Drill:
    key: str
    label: str
    meaning: str
    live: bool


def drill_for(key: str, at: datetime) -> tuple[Drill, ColumnElement[bool]]:
    if key in MEASURES:
        measure = MEASURES[key]
        return Drill(key, measure.label, measure.meaning, False), measure.condition
    live = live_conditions(at)
    if key in live:
        label, condition = live[key]
        return Drill(key, label, label, True), condition
    raise InvalidInput(f"未知的统计口径：{key[:32]}")


def drill_query(filters: BoardFilters, key: str, viewer: User, at: datetime) -> tuple[Drill, Select[Appeal]]:
    drill, condition = drill_for(key, at)
    # A period measure counts the appeals received in the period; a live one, every open appeal now.
    where = filters.area_where() if drill.live else filters.appeal_where()
    query = select(Appeal).where(*where, condition, readable_by(viewer))
    if key in _BY_DUE:
        query = query.order_by(Appeal.due_at, Appeal.id)
    elif key in _BY_ACCEPT_DUE:
        query = query.order_by(Appeal.accept_due_at, Appeal.id)
    else:
        query = query.order_by(desc(Appeal.created_at), desc(Appeal.id))
    return drill, query


def drill_page(
    session: Session,
    filters: BoardFilters,
    key: str,
    viewer: User,
    at: datetime,
    page: int = 1,
    size: int = PAGE_SIZE,
) -> tuple[Drill, Page]:
    drill, query = drill_query(filters, key, viewer, at)
    return drill, page_of(session, query, page, size)


def drill_all(
    session: Session, filters: BoardFilters, key: str, viewer: User, at: datetime
) -> tuple[Drill, list[Appeal]]:
    """Every appeal behind the number, for an export (at most EXPORT_LIMIT)."""
    drill, query = drill_query(filters, key, viewer, at)
    return drill, list(session.scalars(query.limit(EXPORT_LIMIT)).unique())
