"""The ten domains and the ten housing estates or communities with most appeals in a period (类案治理).

- Domains: the appeals' first-level category (未分类 when none yet).
- Housing estates: the estate the text names (``places_in_text``, kind estate), one count per appeal
  and estate; the name shown is the spelling used most.
- Communities: the community the appeal was filed under (社区 field).
Each row carries the same count for the period before of equal length, so a rise is visible, and the
filter that lists its appeals (drill-down).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from zhengshu.appeals.class_cases import Period, period_appeals
from zhengshu.appeals.models import Appeal
from zhengshu.appeals.places_in_text import PlaceKind, extract_places
from zhengshu.org.models import User

__all__ = ["UNCATEGORISED", "RankRow", "Rankings", "drill_down", "estate_keys", "rankings"]

TOP = 10
UNCATEGORISED = "未分类"


@dataclass(frozen=True)
class RankRow:
    rank: int
    key: str  # the drill-down filter value
    label: str
    count: int
    share: float  # of the period's appeals
    previous: int  # in the period of equal length before

    @property
    def change(self) -> int:
        return self.count - self.previous


@dataclass(frozen=True)
class Rankings:
    span: Period
    total: int
    domains: list[RankRow]
    estates: list[RankRow]
    communities: list[RankRow]


def estate_keys(appeal: Appeal) -> dict[str, str]:
    """Estate key → spelling, for the estates the appeal's title and text name."""
    places = extract_places(appeal.title + "。" + appeal.content, limit=16)
    return {p.key: p.name for p in places if p.kind is PlaceKind.ESTATE}


def _category(appeal: Appeal) -> str:
    return appeal.category or UNCATEGORISED


def _community(appeal: Appeal) -> str | None:
    return str(appeal.community_id) if appeal.community_id else None


def _community_label(appeal: Appeal) -> str:
    if appeal.community is None:
        return ""
    street = appeal.street.name if appeal.street else ""
    return f"{street}·{appeal.community.name}" if street else appeal.community.name


def _count(appeals: Sequence[Appeal], keys: Callable[[Appeal], dict[str, str]]) -> tuple[Counter[str], dict]:
    counts: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for appeal in appeals:
        for key, label in keys(appeal).items():
            counts[key] += 1
            spellings[key][label] += 1
    return counts, {key: spelled.most_common(1)[0][0] for key, spelled in spellings.items()}


def _rows(
    current: Sequence[Appeal], before: Sequence[Appeal], keys: Callable[[Appeal], dict[str, str]], limit: int
) -> list[RankRow]:
    counts, labels = _count(current, keys)
    previous, _ = _count(before, keys)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]
    total = max(len(current), 1)
    return [
        RankRow(rank, key, labels[key], count, round(count / total, 4), previous[key])
        for rank, (key, count) in enumerate(ranked, start=1)
    ]


def _domain_keys(appeal: Appeal) -> dict[str, str]:
    return {_category(appeal): _category(appeal)}


def _community_keys(appeal: Appeal) -> dict[str, str]:
    key = _community(appeal)
    return {key: _community_label(appeal)} if key else {}


def rankings(session: Session, span: Period, viewer: User | None = None, limit: int = TOP) -> Rankings:
    """The top ``limit`` domains, estates and communities of the period, as the viewer may read."""
    current = period_appeals(session, span, viewer)
    length = span.end - span.start
    before = period_appeals(session, Period(span.start - length, span.start), viewer)
    return Rankings(
        span=span,
        total=len(current),
        domains=_rows(current, before, _domain_keys, limit),
        estates=_rows(current, before, estate_keys, limit),
        communities=_rows(current, before, _community_keys, limit),
    )


DRILL_DOWNS: dict[str, Callable[[Appeal, str], bool]] = {
    "domain": lambda appeal, key: _category(appeal) == key,
    "estate": lambda appeal, key: key in estate_keys(appeal),
    "community": lambda appeal, key: _community(appeal) == key,
}


def drill_down(
    session: Session, span: Period, kind: str, key: str, viewer: User | None = None
) -> list[Appeal]:
    """The period's appeals behind one row of the rankings, newest first."""
    matches = DRILL_DOWNS.get(kind)
    if matches is None:
        return []
    appeals = [a for a in period_appeals(session, span, viewer) if matches(a, key)]
    return sorted(appeals, key=lambda a: a.created_at, reverse=True)
