"""Rates of handling computed from the summary's counts: one definition for the overview, the tables
by street and department, the assessment and the exports. A rate over nothing is None (shown "—")."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SECONDS_PER_DAY = 86_400


def ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Rates:
    received: int
    accepted: int
    closed: int
    followed_up: int
    dissatisfied: int
    reopened: int
    closed_on_paper: int
    accepted_on_time_rate: float | None
    closed_on_time_rate: float | None
    satisfaction_rate: float | None
    reopen_rate: float | None
    closed_on_paper_rate: float | None
    average_handling_days: float | None

    @classmethod
    def of(cls, totals: Mapping[str, Any]) -> Rates:
        closed = int(totals.get("closed") or 0)
        handling = int(totals.get("handling_seconds") or 0)
        return cls(
            received=int(totals.get("received") or 0),
            accepted=int(totals.get("accepted") or 0),
            closed=closed,
            followed_up=int(totals.get("followed_up") or 0),
            dissatisfied=int(totals.get("dissatisfied") or 0),
            reopened=int(totals.get("reopened") or 0),
            closed_on_paper=int(totals.get("closed_on_paper") or 0),
            accepted_on_time_rate=ratio(
                int(totals.get("accepted_on_time") or 0), int(totals.get("accepted") or 0)
            ),
            closed_on_time_rate=ratio(int(totals.get("closed_on_time") or 0), closed),
            satisfaction_rate=ratio(int(totals.get("satisfied") or 0), int(totals.get("followed_up") or 0)),
            reopen_rate=ratio(int(totals.get("reopened") or 0), closed),
            closed_on_paper_rate=ratio(int(totals.get("closed_on_paper") or 0), closed),
            average_handling_days=handling / closed / SECONDS_PER_DAY if closed else None,
        )

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


# How each rate is computed, in the words shown next to it (and its drill-down measure).
DEFINITIONS = {
    "accepted_on_time_rate": ("按时签收率", "在签收时限内签收的件数 ÷ 已签收件数", "accepted_late"),
    "closed_on_time_rate": ("按时办结率", "答复不晚于办理时限的办结件数 ÷ 办结件数", "closed_late"),
    "satisfaction_rate": ("满意率", "满意与基本满意件数 ÷ 回访有评价件数（联系不上不计）", "dissatisfied"),
    "reopen_rate": ("重办率", "办结件中重办过的件数 ÷ 办结件数", "reopened"),
    "closed_on_paper_rate": (
        "疑似形式办结率",
        "办结件中答复被标记疑似形式办结且未排除的件数 ÷ 办结件数",
        "closed_on_paper",
    ),
    "average_handling_days": ("平均办理时长（天）", "办结件从受理到办结的自然日平均", "closed"),
}
