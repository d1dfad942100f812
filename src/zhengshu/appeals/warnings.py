"""Weak-signal warnings (预警民情“弱信号”): the day's detection over stored appeals, and decisions on it.

For a day D the service counts the appeals of the 57 days before D and of D itself (by the local
date they were registered) per street × category, per community × category, and all together
(the district's volume gives every series its weekly rhythm). Each series is tested on D with
`zhengshu.appeals.signals.check_day`; emerging terms (words of appeal titles, from
`zhengshu.text.segment.terms`, PII masked first) are tested with `check_share` against their own
share of the window's appeals, at α divided by the number of terms tested (Bonferroni). A warning
keeps its explanation, the appeals behind it and the last four weeks of its series.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhengshu.appeals.days import EARLIEST
from zhengshu.appeals.models import Appeal
from zhengshu.appeals.signal_models import SignalRun, SignalWarning, WarningKind, WarningStatus
from zhengshu.appeals.signals import (
    CLASS_LABELS,
    DEFAULT_PARAMS,
    Check,
    SignalParams,
    calendar_class,
    check_day,
    check_share,
    day_classes,
    fit_baseline,
)
from zhengshu.audit import record
from zhengshu.clock import TZ, local, now
from zhengshu.errors import IllegalTransition, InvalidInput, NotFound, PermissionDenied
from zhengshu.org.models import Community, Street, User
from zhengshu.org.roles import Permission, has_permission
from zhengshu.text.pii import without_person
from zhengshu.text.segment import terms
from zhengshu.workdays import default_calendar

UNCATEGORISED = "未分类"
HISTORY_DAYS = 28
MAX_APPEALS_PER_WARNING = 50
MAX_TERM_WARNINGS = 10
# Terms shorter than two characters say nothing on their own.
MIN_TERM_LENGTH = 2
SYSTEM = "系统"
TRANSITIONS = {
    WarningStatus.OPEN: {WarningStatus.ACKNOWLEDGED, WarningStatus.DISMISSED},
    WarningStatus.ACKNOWLEDGED: {WarningStatus.DISMISSED},
    WarningStatus.DISMISSED: set(),
}


@dataclass(frozen=True)
class Outcome:
    day: date
    appeals: int
    series: int
    created: int
    existing: int

    @property
    def message(self) -> str:
        if self.appeals == 0:
            return f"{self.day.isoformat()} 没有登记诉求，未产生弱信号预警"
        text = (
            f"{self.day.isoformat()} 共 {self.appeals} 件诉求，检测 {self.series} 条序列，"
            f"新增预警 {self.created} 条"
        )
        return text + (f"（已有 {self.existing} 条不重复生成）" if self.existing else "")


@dataclass
class _Row:
    id: int
    index: int
    street_id: int | None
    community_id: int | None
    category: str
    title: str
    appellant_name: str


def _classify(day: date) -> int:
    working, _estimated = default_calendar().is_workday_or_estimate(day)
    return calendar_class(lambda _day: working)(day)


def _rows(session: Session, first: date, day: date) -> list[_Row]:
    start = datetime.combine(first, time.min, tzinfo=TZ)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=TZ)
    query = select(
        Appeal.id,
        Appeal.created_at,
        Appeal.street_id,
        Appeal.community_id,
        Appeal.category,
        Appeal.title,
        Appeal.appellant_name,
    ).where(Appeal.created_at >= start, Appeal.created_at < end)
    rows = []
    for id_, created_at, street_id, community_id, category, title, name in session.execute(query):
        index = (local(created_at).date() - first).days
        rows.append(_Row(id_, index, street_id, community_id, category or UNCATEGORISED, title, name))
    return rows


def _series_keys(row: _Row) -> list[tuple[str, str, int | None]]:
    keys: list[tuple[str, str, int | None]] = []
    if row.street_id is not None:
        keys.append((f"street:{row.street_id}:{row.category}", WarningKind.STREET, row.street_id))
    if row.community_id is not None:
        keys.append((f"community:{row.community_id}:{row.category}", WarningKind.COMMUNITY, row.community_id))
    return keys


def _fmt_p(p_value: float) -> str:
    return f"{p_value:.4f}" if p_value >= 0.0001 else f"{p_value:.1e}"


def explain_check(label: str, check: Check, classes: np.ndarray) -> str:
    """“平湖街道·城乡建设：今日 9 件，基线 2.1 件（周四系数 1.1），P=0.0003”."""
    today = CLASS_LABELS[check.day_class]
    dispersion = f"，过离散系数 {check.dispersion:.1f}" if check.dispersion >= 1.05 else ""
    if check.test == "two_day":
        yesterday = CLASS_LABELS[int(classes[check.day - 1])]
        factor_yesterday = (check.expected_two_day - check.expected) / check.level if check.level else 1.0
        return (
            f"{label}：昨今两日 {check.observed_two_day} 件（今日 {check.observed} 件），"
            f"基线 {check.expected_two_day:.1f} 件（{yesterday}系数 {factor_yesterday:.1f}、"
            f"{today}系数 {check.factor:.1f}），"
            f"P={_fmt_p(check.p_two_day)}{dispersion}"
        )
    return (
        f"{label}：今日 {check.observed} 件，基线 {check.expected:.1f} 件"
        f"（{today}系数 {check.factor:.1f}），P={_fmt_p(check.p_day)}{dispersion}"
    )


def _history(
    counts: np.ndarray, classes: np.ndarray, first: date, params: SignalParams, rhythm: np.ndarray
) -> list[dict[str, Any]]:
    last = len(counts) - 1
    baseline = fit_baseline(counts, classes, last, params, rhythm)
    return [
        {
            "day": (first + timedelta(days=index)).isoformat(),
            "count": int(counts[index]),
            "expected": round(baseline.expected(int(classes[index])), 2),
        }
        for index in range(max(0, last - HISTORY_DAYS + 1), last + 1)
    ]


def _labels(session: Session) -> tuple[dict[int, str], dict[int, str]]:
    streets = {street.id: street.name for street in session.scalars(select(Street))}
    communities = {
        community.id: f"{streets.get(community.street_id, '')}{community.name}"
        for community in session.scalars(select(Community))
    }
    return streets, communities


def detect_day(
    session: Session, day: date, *, actor: User | None, params: SignalParams = DEFAULT_PARAMS
) -> Outcome:
    """Run the day's detection and store its warnings; running a day again adds only what is new."""
    if actor is not None and not has_permission(actor.role, Permission.ANALYTICS_VIEW):
        raise PermissionDenied("当前账号无权运行弱信号检测")
    if day > now().date():
        raise InvalidInput("不能检测未来的日期")
    if day < EARLIEST:
        raise InvalidInput(f"日期须在 {EARLIEST.isoformat()} 至今天之间")
    first = day - timedelta(days=params.history_days)
    length = params.history_days + 1
    rows = _rows(session, first, day)
    last = length - 1
    today_rows = [row for row in rows if row.index == last]
    found: list[SignalWarning] = []
    series_count = 0
    if today_rows:
        classes = day_classes(first, length, _classify)
        total = np.bincount([row.index for row in rows], minlength=length).astype(np.int64)
        area, series_count = _area_warnings(session, rows, classes, total, first, day, params)
        found = area + _term_warnings(rows, total, first, day, params)
    existing_keys = set(session.scalars(select(SignalWarning.key).where(SignalWarning.day == day)))
    created = [warning for warning in found if warning.key not in existing_keys]
    session.add_all(created)
    run = session.scalar(select(SignalRun).where(SignalRun.day == day))
    moment = now()
    if run is None:
        run = SignalRun(day=day, ran_at=moment, appeals=0, series=0, warnings=0)
        session.add(run)
    run.ran_at, run.appeals, run.series = moment, len(today_rows), series_count
    run.warnings = len(existing_keys) + len(created)
    session.flush()
    actor_id, actor_label = (actor.id, actor.display_name) if actor else (None, SYSTEM)
    for warning in created:
        record(
            session,
            "signal.raised",
            "signal_warning",
            warning.id,
            actor_id=actor_id,
            actor_label=actor_label,
            data={"day": day.isoformat(), "explanation": warning.explanation},
        )
    record(
        session,
        "signal.detected",
        "signal_run",
        run.id,
        actor_id=actor_id,
        actor_label=actor_label,
        data={"day": day.isoformat(), "appeals": len(today_rows), "created": len(created)},
    )
    return Outcome(day, len(today_rows), series_count, len(created), len(found) - len(created))


def _area_warnings(
    session: Session,
    rows: list[_Row],
    classes: np.ndarray,
    total: np.ndarray,
    first: date,
    day: date,
    params: SignalParams,
) -> tuple[list[SignalWarning], int]:
    length = len(total)
    last = length - 1
    members: dict[tuple[str, str, int | None], list[_Row]] = defaultdict(list)
    for row in rows:
        for series_key in _series_keys(row):
            members[series_key].append(row)
    streets, communities = _labels(session)
    warnings = []
    for (key, kind, place_id), series_rows in members.items():
        counts = np.bincount([row.index for row in series_rows], minlength=length).astype(np.int64)
        # The guards of check_day: nothing to test without an appeal today and three in two days.
        if counts[last] < 1 or counts[last] + counts[last - 1] < params.min_count:
            continue
        check = check_day(counts, classes, last, params, total)
        if not check.alarm:
            continue
        category = series_rows[0].category
        place = (
            streets.get(place_id or 0, "")
            if kind == WarningKind.STREET
            else communities.get(place_id or 0, "")
        )
        label = f"{place}·{category}"
        since = last - 1 if check.test == "two_day" else last
        behind = sorted((row.id for row in series_rows if row.index >= since), reverse=True)
        warnings.append(
            SignalWarning(
                day=day,
                key=key,
                kind=kind,
                label=label,
                street_id=place_id if kind == WarningKind.STREET else None,
                community_id=place_id if kind == WarningKind.COMMUNITY else None,
                category=category,
                observed=check.observed_two_day if check.test == "two_day" else check.observed,
                expected=round(check.expected_two_day if check.test == "two_day" else check.expected, 3),
                p_value=check.p_value,
                test=check.test,
                explanation=explain_check(label, check, classes),
                appeal_ids=behind[:MAX_APPEALS_PER_WARNING],
                history=_history(counts, classes, first, params, total),
                status=WarningStatus.OPEN,
                created_at=now(),
            )
        )
    return warnings, len(members)


def _appeal_terms(row: _Row) -> set[str]:
    return {
        term
        for term in terms(without_person(row.title, row.appellant_name))
        if len(term) >= MIN_TERM_LENGTH and "*" not in term
    }


def _term_warnings(
    rows: list[_Row], total: np.ndarray, first: date, day: date, params: SignalParams
) -> list[SignalWarning]:
    length = len(total)
    last = length - 1
    days_of: dict[str, list[int]] = defaultdict(list)
    today_ids: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        for term in _appeal_terms(row):
            days_of[term].append(row.index)
            if row.index == last:
                today_ids[term].append(row.id)
    candidates = [term for term, ids in today_ids.items() if len(ids) >= params.min_count]
    alpha = params.alpha_per_test / max(1, len(today_ids))
    found = []
    for term in candidates:
        counts = np.bincount(days_of[term], minlength=length).astype(np.int64)
        alarm, expected, p_value = check_share(counts, total, last, params, alpha)
        if alarm:
            window = int(counts[: last - params.guard_days].sum())
            found.append((p_value, term, counts, expected, window))
    found.sort(key=lambda item: (item[0], item[1]))
    warnings = []
    for p_value, term, counts, expected, window in found[:MAX_TERM_WARNINGS]:
        observed = int(counts[last])
        novelty = "此前八周未出现" if window == 0 else f"此前八周 {window} 件"
        explanation = (
            f"新兴词“{term}”：今日 {observed} 件（当日诉求共 {int(total[last])} 件），{novelty}，"
            f"按此前占比期望 {expected:.1f} 件，P={_fmt_p(p_value)}"
            f"（已按当日检验的 {len(today_ids)} 个词校正）"
        )
        share = (float(counts[: last - params.guard_days].sum()) + 0.5) / (
            float(total[: last - params.guard_days].sum()) + 1.0
        )
        history = [
            {
                "day": (first + timedelta(days=index)).isoformat(),
                "count": int(counts[index]),
                "expected": round(share * float(total[index]), 2),
            }
            for index in range(max(0, last - HISTORY_DAYS + 1), last + 1)
        ]
        warnings.append(
            SignalWarning(
                day=day,
                key=f"term:{term}"[:160],
                kind=WarningKind.TERM,
                label=f"新兴词“{term}”",
                term=term[:64],
                observed=observed,
                expected=round(expected, 3),
                p_value=p_value,
                test="share",
                explanation=explanation,
                appeal_ids=sorted(today_ids[term], reverse=True)[:MAX_APPEALS_PER_WARNING],
                history=history,
                status=WarningStatus.OPEN,
                created_at=now(),
            )
        )
    return warnings


def decide(
    session: Session, warning_id: int, to: WarningStatus, *, actor: User, note: str = ""
) -> SignalWarning:
    """Acknowledge (确认关注) or dismiss (排除) a warning, with an optional note."""
    if not has_permission(actor.role, Permission.ANALYTICS_VIEW):
        raise PermissionDenied("当前账号无权处理弱信号预警")
    warning = session.get(SignalWarning, warning_id, with_for_update=True)
    if warning is None:
        raise NotFound("预警不存在")
    current = WarningStatus(warning.status)
    if to not in TRANSITIONS[current]:
        raise IllegalTransition(f"预警当前为“{current.label}”，不能改为“{to.label}”")
    note = note.strip()
    if len(note) > 500:
        raise InvalidInput("备注不能超过 500 字", errors={"note": "备注不能超过 500 字"})
    warning.status = to
    warning.decided_by_id = actor.id
    warning.decided_at = now()
    warning.decision_note = note or None
    action = "signal.acknowledged" if to == WarningStatus.ACKNOWLEDGED else "signal.dismissed"
    record(
        session,
        action,
        "signal_warning",
        warning.id,
        actor_id=actor.id,
        actor_label=actor.display_name,
        data={"from": current.value, "note": note},
    )
    return warning


def warnings_for(session: Session, day: date) -> list[SignalWarning]:
    kinds = {WarningKind.STREET: 0, WarningKind.COMMUNITY: 1, WarningKind.TERM: 2}
    found = list(session.scalars(select(SignalWarning).where(SignalWarning.day == day)))
    return sorted(found, key=lambda w: (kinds.get(WarningKind(w.kind), 3), w.p_value, w.id))


def run_for(session: Session, day: date) -> SignalRun | None:
    return session.scalar(select(SignalRun).where(SignalRun.day == day))


def latest_run_day(session: Session) -> date | None:
    return session.scalar(select(func.max(SignalRun.day)))


def recent_runs(session: Session, limit: int = 14) -> list[SignalRun]:
    return list(session.scalars(select(SignalRun).order_by(SignalRun.day.desc()).limit(limit)))


def appeals_behind(session: Session, warning: SignalWarning) -> list[Appeal]:
    if not warning.appeal_ids:
        return []
    found = session.scalars(select(Appeal).where(Appeal.id.in_(warning.appeal_ids)))
    return sorted(found, key=lambda appeal: appeal.id, reverse=True)


def detect_once(session: Session, day: date) -> Outcome | None:
    """The periodic job's step: detect `day` unless it was detected already."""
    if run_for(session, day) is not None:
        return None
    return detect_day(session, day, actor=None)
