"""Why an appeal deserves a leader's attention: the signals of zhengshu.appeals.brief_criteria,
computed for one day's appeals with a few queries, each with its points and a reason in Chinese."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhengshu.appeals import brief_criteria as c
from zhengshu.appeals.class_cases import growing_cases
from zhengshu.appeals.hotspot_heat import RECENT_DAYS, ClassCase
from zhengshu.appeals.models import Appeal
from zhengshu.appeals.vocabulary import Urgency
from zhengshu.text.shingles import char_bigrams, overlap


@dataclass
class Assessment:
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)
    signals: list[str] = field(default_factory=list)

    def add(self, signal: str, points: float, reason: str) -> None:
        self.score += points
        self.reasons.append(reason)
        if signal not in self.signals:
            self.signals.append(signal)

    @property
    def why(self) -> str:
        return "；".join(self.reasons)


def _quoted(words: list[str]) -> str:
    return "、".join(f"“{w}”" for w in words)


def _text(appeal: Appeal) -> str:
    return f"{appeal.title} {appeal.content}"


def _content_signals(appeal: Appeal, found: Assessment, enterprise: bool) -> None:
    points = c.URGENCY_POINTS.get(appeal.urgency)
    if points:
        found.add("severity", points, f"{Urgency(appeal.urgency).label}件")
    text = _text(appeal)
    danger = c.words_in(text, c.DANGER_WORDS)
    if danger:
        points = min(c.DANGER_POINTS + c.DANGER_EXTRA * (len(danger) - 1), c.DANGER_CAP)
        found.add("severity", points, f"涉及{_quoted(danger[:3])}等危险情形")
    vulnerable = c.words_in(text, c.VULNERABLE_WORDS)
    if vulnerable:
        found.add("vulnerable", c.VULNERABLE_POINTS, f"涉及{_quoted(vulnerable[:3])}")
    safety = c.words_in(text, c.PUBLIC_SAFETY_WORDS)
    if appeal.category == c.PUBLIC_SAFETY_CATEGORY or safety:
        what = f"涉及{_quoted(safety[:2])}" if safety else "公共安全类诉求"
        found.add("public_safety", c.PUBLIC_SAFETY_POINTS, f"公共安全：{what}")
    if enterprise:
        concern = c.words_in(text, c.ENTERPRISE_CONCERN_WORDS)
        if concern:
            found.add("enterprise", c.ENTERPRISE_CONCERN_POINTS, f"企业经营受影响：{_quoted(concern[:3])}")
    if appeal.reopen_count:
        found.add("repeat", c.REOPEN_POINTS, f"已重办 {appeal.reopen_count} 次")


def _same_appellant(session: Session, appeals: Sequence[Appeal], start: datetime) -> dict[int, int]:
    """Appeal id → how many appeals the same phone filed before it, within REPEAT_DAYS."""
    phones = {a.appellant_phone for a in appeals if a.appellant_phone}
    if not phones:
        return {}
    rows = session.execute(
        select(Appeal.id, Appeal.appellant_phone, Appeal.created_at).where(
            Appeal.appellant_phone.in_(phones),
            Appeal.created_at >= start - timedelta(days=c.REPEAT_DAYS),
        )
    ).all()
    by_phone: dict[str, list[tuple[int, datetime]]] = defaultdict(list)
    for appeal_id, phone, created in rows:
        by_phone[phone].append((appeal_id, created))
    counts = {}
    for appeal in appeals:
        earlier = [
            i
            for i, created in by_phone.get(appeal.appellant_phone, [])
            if i != appeal.id and created < appeal.created_at
        ]
        if earlier:
            counts[appeal.id] = len(earlier)
    return counts


def _same_matter(session: Session, appeals: Sequence[Appeal], start: datetime) -> dict[int, int]:
    """Appeal id → earlier appeals of the same community and category sharing at least
    SAME_MATTER_OVERLAP of its title's character pairs, within SAME_MATTER_DAYS. Character pairs, not
    words: a short title is segmented differently as one word changes (路灯不亮 / 路灯坏了)."""
    keyed = [a for a in appeals if a.community_id is not None and a.category]
    if not keyed:
        return {}
    rows = session.execute(
        select(Appeal.id, Appeal.community_id, Appeal.category, Appeal.title, Appeal.created_at).where(
            Appeal.community_id.in_({a.community_id for a in keyed}),
            Appeal.created_at >= start - timedelta(days=c.SAME_MATTER_DAYS),
        )
    ).all()
    counts = {}
    for appeal in keyed:
        own = char_bigrams(appeal.title)
        if not own:
            continue
        same = 0
        for other_id, community, category, title, created in rows:
            if other_id == appeal.id or created >= appeal.created_at:
                continue
            if community != appeal.community_id or category != appeal.category:
                continue
            if overlap(own, char_bigrams(title)) >= c.SAME_MATTER_OVERLAP:
                same += 1
        if same:
            counts[appeal.id] = same
    return counts


def growing_clusters(appeals: Sequence[Appeal], rising: Mapping[str, ClassCase]) -> dict[int, str]:
    """Appeal id → why the class case it belongs to is growing. `rising` is what the hotspot service
    (zhengshu.appeals.class_cases.growing_cases) found rising at the end of the day: at least doubling
    against the weekly baseline, with two or more appeals in the last week. The brief counts only
    class cases of at least CLUSTER_MIN appeals: two appeals are not yet a cluster to report."""
    reasons = {}
    for appeal in appeals:
        case = rising.get(appeal.number)
        if case is not None and case.count >= c.CLUSTER_MIN:
            reasons[appeal.id] = (
                f"类案上升：“{case.title}”{case.span_days} 天内 {case.count} 件、{case.appellants} 人反映，"
                f"近 {RECENT_DAYS} 天明显增多"
            )
    return reasons


def rising_cases(session: Session, at: datetime) -> dict[str, ClassCase]:
    """Appeal number → its rising class case, among the appeals of the CLUSTER_DAYS days up to `at`."""
    return growing_cases(session, days=c.CLUSTER_DAYS, at=at)


def assess(
    session: Session,
    appeals: Sequence[Appeal],
    start: datetime,
    rising: Mapping[str, ClassCase],
    *,
    enterprise: bool = False,
) -> dict[int, Assessment]:
    """Every signal of every appeal of the day that starts at `start`; `rising` from rising_cases."""
    result = {a.id: Assessment() for a in appeals}
    for appeal in appeals:
        _content_signals(appeal, result[appeal.id], enterprise)
    for appeal_id, n in _same_appellant(session, appeals, start).items():
        result[appeal_id].add(
            "repeat", c.SAME_APPELLANT_POINTS, f"同一诉求人 {c.REPEAT_DAYS} 天内第 {n + 1} 次反映"
        )
    for appeal_id, n in _same_matter(session, appeals, start).items():
        result[appeal_id].add(
            "repeat", c.SAME_MATTER_POINTS, f"同一社区同类事项 {c.SAME_MATTER_DAYS} 天内已有 {n} 件"
        )
    for appeal_id, reason in growing_clusters(appeals, rising).items():
        result[appeal_id].add("cluster", c.CLUSTER_POINTS, reason)
    return result
