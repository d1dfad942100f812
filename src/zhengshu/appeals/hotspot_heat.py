"""The heat index of a class case, its trend, and the class case as people read it.

Heat index (热度指数), shown on the hotspots page with its parts:

    heat = 10·ln(1+N) + 10·ln(1+U) + 5·ln(1+L) + 10·G + 10·S

- N  volume: appeals in the class case.
- U  distinct appellants: ten messages from one person weigh less than ten people.
- L  likes (点赞) summed, where the channel has them (0 elsewhere).
- G  growth, 0…3: log2 of (appeals in the last ``RECENT_DAYS`` days of the period + 1) over (the weekly
     average of the ``BASELINE_DAYS`` days before + 1), clipped to 0…3 — doubling week on week adds 10.
- S  severity, 0…1: the share of appeals marked urgent, or naming a danger to people (``SEVERE_WORDS``).

Logarithms keep one very large case from hiding every other; the weights make 1 more appellant worth
about as much as 1 more appeal, and likes count half. Trend: 上升 when G ≥ 1 with at least two recent
appeals, 下降 when the recent week has fewer than half the baseline weekly average, else 平稳.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from zhengshu.appeals.hotspots import Message, MessageCluster

__all__ = ["HEAT_FORMULA", "SEVERE_WORDS", "ClassCase", "growth", "heat_parts", "is_severe_text", "score"]

HEAT_FORMULA = "热度 = 10·ln(1+诉求数) + 10·ln(1+诉求人数) + 5·ln(1+点赞数) + 10·增长(0–3) + 10·严重程度(0–1)"
RECENT_DAYS = 7
BASELINE_DAYS = 21
MAX_GROWTH = 3.0
SEVERE_WORDS = (
    "安全隐患",
    "危险",
    "火灾",
    "起火",
    "爆炸",
    "触电",
    "漏电",
    "坍塌",
    "倒塌",
    "塌陷",
    "中毒",
    "伤亡",
    "死亡",
    "溺水",
    "燃气泄漏",
    "煤气泄漏",
    "砸伤",
    "受伤",
    "危房",
    "消防通道",
    "食物中毒",
    "跳楼",
    "欠薪",
)
TREND_LABELS = {"rising": "上升", "steady": "平稳", "falling": "下降"}


def is_severe_text(text: str) -> bool:
    return any(word in text for word in SEVERE_WORDS)


@dataclass(frozen=True)
class ClassCase:
    """A class case (类案) as pages, briefs and the bench show it."""

    rank: int
    heat: float
    parts: dict[str, float]  # the heat index's terms, by label
    title: str  # the representative appeal's title
    representative_id: str
    place: str | None
    place_kind: str | None
    keywords: list[str]
    first_at: datetime
    last_at: datetime
    count: int
    appellants: int
    likes: int | None
    growth: float
    trend: str  # rising, steady, falling
    severe_share: float
    message_ids: list[str]

    @property
    def trend_label(self) -> str:
        return TREND_LABELS[self.trend]

    @property
    def span_days(self) -> int:
        return (self.last_at.date() - self.first_at.date()).days + 1


def growth(times: Sequence[datetime], period_end: datetime) -> tuple[float, str]:
    """The growth term G and the trend of a class case at the end of its period."""
    recent_from = period_end - timedelta(days=RECENT_DAYS)
    baseline_from = recent_from - timedelta(days=BASELINE_DAYS)
    recent = sum(1 for t in times if recent_from < t <= period_end)
    weekly_baseline = sum(1 for t in times if baseline_from < t <= recent_from) * RECENT_DAYS / BASELINE_DAYS
    value = min(max(math.log2((recent + 1) / (weekly_baseline + 1)), 0.0), MAX_GROWTH)
    if value >= 1 and recent >= 2:
        trend = "rising"
    elif recent < weekly_baseline / 2:
        trend = "falling"
    else:
        trend = "steady"
    return value, trend


def heat_parts(
    count: int, appellants: int, likes: int, growth_value: float, severe_share: float
) -> dict[str, float]:
    return {
        "诉求数": 10 * math.log1p(count),
        "诉求人数": 10 * math.log1p(appellants),
        "点赞数": 5 * math.log1p(likes),
        "增长": 10 * growth_value,
        "严重程度": 10 * severe_share,
    }


def _case(cluster: MessageCluster, messages: Sequence[Message], period_end: datetime) -> ClassCase:
    members = [messages[i] for i in cluster.members]
    members.sort(key=lambda m: m.created_at)
    times = [m.created_at for m in members]
    likes_known = [m.likes for m in members if m.likes is not None]
    likes = sum(likes_known) if likes_known else None
    growth_value, trend = growth(times, period_end)
    severe_share = sum(1 for m in members if m.severe) / len(members)
    appellants = len({m.appellant for m in members})
    parts = heat_parts(len(members), appellants, likes or 0, growth_value, severe_share)
    representative = messages[cluster.representative]
    return ClassCase(
        rank=0,
        heat=round(sum(parts.values()), 1),
        parts={label: round(value, 1) for label, value in parts.items()},
        title=representative.title,
        representative_id=representative.id,
        place=cluster.place.name if cluster.place else None,
        place_kind=cluster.place.kind.label if cluster.place else None,
        keywords=cluster.keywords,
        first_at=times[0],
        last_at=times[-1],
        count=len(members),
        appellants=appellants,
        likes=likes,
        growth=round(growth_value, 2),
        trend=trend,
        severe_share=round(severe_share, 2),
        message_ids=[m.id for m in members],
    )


def score(
    clusters: Sequence[MessageCluster], messages: Sequence[Message], period_end: datetime
) -> list[ClassCase]:
    """The class cases, hottest first, ranked from 1."""
    cases = [_case(cluster, messages, period_end) for cluster in clusters]
    cases.sort(key=lambda case: (-case.heat, -case.count, case.representative_id))
    return [_ranked(case, rank) for rank, case in enumerate(cases, start=1)]


def _ranked(case: ClassCase, rank: int) -> ClassCase:
    from dataclasses import replace

    return replace(case, rank=rank)
