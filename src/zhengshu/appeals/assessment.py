"""考核: each lead department's score over a period, from the summary's rates, with the formula shown.

The weights are the bureau's to set; the defaults below favour what citizens feel (on-time closure
and satisfaction). A department with fewer than ``MIN_CLOSED`` closed appeals is scored but marked as
a small sample and ranked after the others, so a single reply does not decide its place."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhengshu.appeals.board_filters import BoardFilters
from zhengshu.appeals.board_rates import DEFINITIONS, Rates
from zhengshu.appeals.board_totals import totals
from zhengshu.org.models import Department

# (rate, weight, whether higher is better): the score is Σ weight × rate (or × (1 − rate)).
WEIGHTS: tuple[tuple[str, float, bool], ...] = (
    ("accepted_on_time_rate", 20, True),
    ("closed_on_time_rate", 30, True),
    ("satisfaction_rate", 30, True),
    ("reopen_rate", 10, False),
    ("closed_on_paper_rate", 10, False),
)
LABELS = {name: label for name, (label, _formula, _drill) in DEFINITIONS.items()}
MIN_CLOSED = 10


def formula() -> str:
    parts = [
        f"{weight:g}×{LABELS[name]}" if up else f"{weight:g}×(1−{LABELS[name]})"
        for name, weight, up in WEIGHTS
    ]
    return (
        "得分 = "
        + " + ".join(parts)
        + "（满分 100；无样本的指标按满分计；办结少于 "
        + f"{MIN_CLOSED} 件的单位标注“样本少”，排在其他单位之后）"
    )


@dataclass(frozen=True)
class AssessmentRow:
    rank: int
    department: Department
    rates: Rates
    score: float
    small_sample: bool


def score(rates: Rates) -> float:
    total = 0.0
    for name, weight, higher_is_better in WEIGHTS:
        value = getattr(rates, name)
        if value is None:
            total += weight
        else:
            total += weight * (value if higher_is_better else 1 - value)
    return round(total, 2)


def assessment(session: Session, filters: BoardFilters) -> list[AssessmentRow]:
    """Departments that led at least one appeal received in the period, best score first (those with a
    small sample last)."""
    rows = totals(session, filters, by=["lead_department_id"])
    departments = {d.id: d for d in session.scalars(select(Department))}
    scored = []
    for row in rows:
        department = departments.get(row["lead_department_id"])
        if department is None:
            continue  # not yet dispatched: no department to assess
        rates = Rates.of(row)
        scored.append((score(rates), department, rates))
    # A small sample ranks after the others: one reply must not decide a department's place.
    scored.sort(key=lambda item: (item[2].closed < MIN_CLOSED, -item[0], item[1].code))
    return [
        AssessmentRow(rank, department, rates, value, rates.closed < MIN_CLOSED)
        for rank, (value, department, rates) in enumerate(scored, start=1)
    ]
