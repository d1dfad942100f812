"""What the dashboards count, defined once as SQL conditions on an appeal.

The summary table sums each condition per day (zhengshu.appeals.board_cube), and a drill-down lists
the appeals matching the same condition, so a number and the appeals behind it always agree.
Appeals are counted in the period in which they were received (a cohort), whatever happened later."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement
from sqlalchemy.types import BigInteger, Date

from zhengshu.appeals.closure_models import ClosureAudit
from zhengshu.appeals.models import Appeal
from zhengshu.appeals.vocabulary import Satisfaction
from zhengshu.appeals.workflow import Status
from zhengshu.clock import TZ


class local_day(FunctionElement[date]):  # noqa: N801 - an SQL function, named like one
    """The Asia/Shanghai calendar day of a moment column."""

    type = Date()
    inherit_cache = True


@compiles(local_day, "postgresql")
def _local_day_pg(element: local_day, compiler: object, **kw: object) -> str:
    (column,) = element.clauses
    return f"CAST(timezone('{TZ.key}', {compiler.process(column, **kw)}) AS DATE)"  # type: ignore[attr-defined]


@compiles(local_day, "sqlite")
def _local_day_sqlite(element: local_day, compiler: object, **kw: object) -> str:
    # SQLite stores moments as Shanghai local time (zhengshu.db.Moment).
    (column,) = element.clauses
    return f"date({compiler.process(column, **kw)})"  # type: ignore[attr-defined]


class seconds_between(FunctionElement[int]):  # noqa: N801
    """Whole seconds from the first moment to the second."""

    type = BigInteger()
    inherit_cache = True


@compiles(seconds_between, "postgresql")
def _seconds_pg(element: seconds_between, compiler: object, **kw: object) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)  # type: ignore[attr-defined]
    return f"CAST(EXTRACT(EPOCH FROM ({end} - {start})) AS BIGINT)"


@compiles(seconds_between, "sqlite")
def _seconds_sqlite(element: seconds_between, compiler: object, **kw: object) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)  # type: ignore[attr-defined]
    return f"CAST(ROUND((julianday({end}) - julianday({start})) * 86400) AS INTEGER)"


@dataclass(frozen=True)
class Measure:
    name: str
    label: str
    # The appeals counted: a condition on Appeal.
    condition: ColumnElement[bool]
    # How the drill-down explains the list.
    meaning: str


# The appeals the dashboards count: a merged appeal is answered by its main appeal, and counting both
# would count one matter twice. The link stays when the main appeal's closure closes it too.
# Written so that no index applies: SQLite would otherwise scan the merged_into_id index for the
# NULLs (nearly every appeal) instead of the time or status index of the rest of the query.
COUNTED = func.coalesce(Appeal.merged_into_id, 0) == 0
_CLOSED = Appeal.status == Status.CLOSED.value
_ANSWERED = (
    Satisfaction.SATISFIED.value,
    Satisfaction.BASICALLY_SATISFIED.value,
    Satisfaction.DISSATISFIED.value,
)
# A reply flagged as closed on paper that the reviewer did not clear (zhengshu.appeals.closure_review).
_ON_PAPER = exists(
    select(ClosureAudit.id).where(
        ClosureAudit.appeal_id == Appeal.id,
        ClosureAudit.flagged.is_(True),
        or_(ClosureAudit.decision.is_(None), ClosureAudit.decision != "cleared"),
    )
)

MEASURES: dict[str, Measure] = {
    m.name: m
    for m in (
        Measure("received", "受理量", true(), "期间内受理的诉求"),
        Measure("accepted", "已签收", Appeal.accepted_at.is_not(None), "承办单位已签收"),
        Measure(
            "accepted_on_time",
            "按时签收",
            and_(Appeal.accepted_at.is_not(None), Appeal.accepted_at <= Appeal.accept_due_at),
            "在签收时限内签收",
        ),
        Measure(
            "accepted_late",
            "超时签收",
            and_(
                Appeal.accepted_at.is_not(None),
                or_(Appeal.accept_due_at.is_(None), Appeal.accepted_at > Appeal.accept_due_at),
            ),
            "签收晚于签收时限",
        ),
        Measure("closed", "已办结", _CLOSED, "已办结（不含并案）"),
        Measure(
            "closed_on_time",
            "按时办结",
            and_(_CLOSED, Appeal.replied_at <= Appeal.due_at),
            "办结且答复不晚于办理时限",
        ),
        Measure(
            "closed_late",
            "超期办结",
            and_(
                _CLOSED,
                or_(Appeal.due_at.is_(None), Appeal.replied_at.is_(None), Appeal.replied_at > Appeal.due_at),
            ),
            "办结但答复晚于办理时限",
        ),
        Measure(
            "followed_up",
            "已回访",
            Appeal.satisfaction.in_(_ANSWERED),
            "回访且诉求人作出评价（联系不上不计）",
        ),
        Measure(
            "satisfied",
            "满意",
            Appeal.satisfaction.in_(_ANSWERED[:2]),
            "回访评价为满意或基本满意",
        ),
        Measure(
            "dissatisfied",
            "不满意",
            Appeal.satisfaction == Satisfaction.DISSATISFIED.value,
            "回访评价为不满意",
        ),
        # Both among the closed appeals, so that their rates (÷ closed) stay within 100%.
        Measure("reopened", "重办", and_(_CLOSED, Appeal.reopen_count > 0), "已办结且至少重办过一次"),
        Measure(
            "closed_on_paper",
            "疑似形式办结",
            and_(_CLOSED, _ON_PAPER),
            "已办结，且答复曾被审查标记为疑似形式办结、未被复核排除",
        ),
    )
}

# Measures stored in the summary table (the others are complements, listed only in drill-downs).
STORED = (
    "received",
    "accepted",
    "accepted_on_time",
    "closed",
    "closed_on_time",
    "followed_up",
    "satisfied",
    "dissatisfied",
    "reopened",
    "closed_on_paper",
)

# Handling time of a closed appeal, from receipt to closure.
HANDLING_SECONDS = seconds_between(Appeal.created_at, Appeal.closed_at)


def count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """SUM of 1 over the rows matching ``condition`` (0 when none)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)
