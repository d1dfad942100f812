"""The daily briefs: 民生诉求每日5条 (the five appeals of the day most worth a leader's attention, each
with one line on why) and 企业诉求每日速报 (the day's enterprise appeals by type, street and industry,
the notable ones and the overdue ones).

A brief is built from the appeals filed on the day (Asia/Shanghai), scored by the rules of
zhengshu.appeals.brief_criteria, and stored as JSON in `daily_briefs`, one per day and kind: the
page and the .docx show what was generated, and generating again replaces it. Personal data is
masked in what is stored, as for a viewer without PII_VIEW. A day without appeals gives a brief that
says so."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhengshu.appeals import brief_criteria as c
from zhengshu.appeals import days
from zhengshu.appeals.brief_signals import Assessment, assess, rising_cases
from zhengshu.appeals.hotspot_heat import ClassCase
from zhengshu.appeals.library_models import DailyBrief
from zhengshu.appeals.models import Appeal
from zhengshu.appeals.overdue import overdue
from zhengshu.appeals.presenters import free_text
from zhengshu.appeals.vocabulary import AppealType, Urgency
from zhengshu.appeals.workflow import Status
from zhengshu.audit import record
from zhengshu.clock import day_start, local, now
from zhengshu.errors import InvalidInput
from zhengshu.org.models import User

ISSUER = "龙岗区政务服务和数据管理局"
SUMMARY_CHARS = 90
UNKNOWN_STREET = "未标注街道"
# Appeal number → its rising class case; None: ask the hotspot service.
Rising = Mapping[str, ClassCase] | None


class BriefKind(StrEnum):
    DAILY_FIVE = "daily_five"
    ENTERPRISE = "enterprise"

    @property
    def heading(self) -> str:
        return BRIEF_TITLES[self]


BRIEF_TITLES = {BriefKind.DAILY_FIVE: "民生诉求每日5条", BriefKind.ENTERPRISE: "企业诉求每日速报"}


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = day_start(day)
    return start, start + timedelta(days=1)


def issue_label(day: date) -> str:
    return f"〔{day.year}〕第 {day.timetuple().tm_yday} 期"


def date_label(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _appeals_of(
    session: Session, start: datetime, end: datetime, *, enterprise: bool = False
) -> list[Appeal]:
    query = select(Appeal).where(Appeal.created_at >= start, Appeal.created_at < end)
    if enterprise:
        query = query.where(Appeal.is_enterprise.is_(True))
    return list(session.scalars(query.order_by(Appeal.created_at, Appeal.id)).unique())


def _row(appeal: Appeal) -> dict[str, Any]:
    content = free_text(appeal.content, appeal, None) or ""
    return {
        "number": appeal.number,
        "title": free_text(appeal.title, appeal, None),
        "summary": content[:SUMMARY_CHARS] + ("…" if len(content) > SUMMARY_CHARS else ""),
        "category": appeal.category or "未分类",
        "type": AppealType(appeal.type).label,
        "urgency": Urgency(appeal.urgency).label,
        "status": Status(appeal.status).label,
        "street": appeal.street.name if appeal.street else UNKNOWN_STREET,
        "community": appeal.community.name if appeal.community else "",
        "department": appeal.lead_department.name if appeal.lead_department else "尚未分拨",
        "created_at": local(appeal.created_at).strftime("%H:%M"),
    }


def _ranked(appeals: list[Appeal], found: dict[int, Assessment]) -> list[Appeal]:
    urgency = {"critical": 2, "urgent": 1}
    scored = [a for a in appeals if found[a.id].score > 0]
    return sorted(scored, key=lambda a: (-found[a.id].score, -urgency.get(a.urgency, 0), a.created_at, a.id))


def _head(kind: BriefKind, day: date, at: datetime, total: int) -> dict[str, Any]:
    return {
        "kind": kind.value,
        "title": kind.heading,
        "day": day.isoformat(),
        "date_label": date_label(day),
        "issue": issue_label(day),
        "issuer": ISSUER,
        "as_of": local(at).strftime("%Y-%m-%d %H:%M"),
        "total": total,
    }


def build_daily_five(session: Session, day: date, at: datetime, rising: Rising = None) -> dict[str, Any]:
    start, end = day_bounds(day)
    appeals = _appeals_of(session, start, end)
    content = _head(BriefKind.DAILY_FIVE, day, at, len(appeals))
    content["criteria"] = list(c.CRITERIA)
    found = assess(session, appeals, start, rising_cases(session, at) if rising is None else rising)
    ranked = _ranked(appeals, found)
    content["candidates"] = len(ranked)
    content["items"] = [
        {
            **_row(a),
            "rank": rank,
            "score": round(found[a.id].score, 1),
            "why": found[a.id].why,
            "signals": found[a.id].signals,
        }
        for rank, a in enumerate(ranked[: c.DAILY_FIVE], start=1)
    ]
    if not appeals:
        content["message"] = f"{date_label(day)}无新受理诉求。"
    elif not ranked:
        content["message"] = f"当日受理诉求 {len(appeals)} 件，均未触及关注条件，无需特别关注。"
    elif len(ranked) < c.DAILY_FIVE:
        content["message"] = f"当日受理诉求 {len(appeals)} 件，其中 {len(ranked)} 件触及关注条件，全部列出。"
    else:
        content["message"] = (
            f"当日受理诉求 {len(appeals)} 件，{len(ranked)} 件触及关注条件，按得分列出前 {c.DAILY_FIVE} 件。"
        )
    return content


def _counts(values: list[str]) -> list[list[Any]]:
    return [[name, n] for name, n in Counter(values).most_common()]


def _late(late: timedelta) -> str:
    if late.days:
        return f"{late.days} 天"
    return f"{late.seconds // 3600} 小时" if late.seconds >= 3600 else "不足 1 小时"


def _overdue_enterprise(session: Session, at: datetime) -> list[dict[str, Any]]:
    query = (
        select(Appeal).where(Appeal.is_enterprise.is_(True), overdue(at)).order_by(Appeal.due_at, Appeal.id)
    )
    rows = []
    for appeal in session.scalars(query).unique():
        assert appeal.due_at is not None
        late = at - appeal.due_at
        rows.append(
            {
                **_row(appeal),
                "enterprise": appeal.enterprise_name or "",
                "due_at": local(appeal.due_at).strftime("%Y-%m-%d %H:%M"),
                "late": _late(late),
            }
        )
    return rows


def build_enterprise(session: Session, day: date, at: datetime, rising: Rising = None) -> dict[str, Any]:
    start, end = day_bounds(day)
    appeals = _appeals_of(session, start, end, enterprise=True)
    content = _head(BriefKind.ENTERPRISE, day, at, len(appeals))
    content["criteria"] = list(c.ENTERPRISE_CRITERIA)
    found = assess(
        session, appeals, start, rising_cases(session, at) if rising is None else rising, enterprise=True
    )
    rows = []
    for appeal in appeals:
        industry = c.industry_of(appeal.enterprise_name, f"{appeal.title} {appeal.content}")
        rows.append({**_row(appeal), "enterprise": appeal.enterprise_name or "", "industry": industry})
    by_number = {row["number"]: row for row in rows}
    content["appeals"] = rows
    content["by_type"] = _counts([r["type"] for r in rows])
    content["by_street"] = _counts([r["street"] for r in rows])
    content["by_industry"] = _counts([r["industry"] for r in rows])
    content["notable"] = [
        {**by_number[a.number], "score": round(found[a.id].score, 1), "why": found[a.id].why}
        for a in _ranked(appeals, found)
        if found[a.id].score >= c.NOTABLE_MIN
    ]
    content["overdue"] = _overdue_enterprise(session, at)
    content["message"] = (
        f"当日受理企业诉求 {len(appeals)} 件，值得关注 {len(content['notable'])} 件；"
        f"截至 {content['as_of']} 企业诉求超期未办结 {len(content['overdue'])} 件。"
        if appeals
        else f"{date_label(day)}无新受理企业诉求；截至 {content['as_of']} 企业诉求超期未办结 "
        f"{len(content['overdue'])} 件。"
    )
    return content


BUILDERS = {BriefKind.DAILY_FIVE: build_daily_five, BriefKind.ENTERPRISE: build_enterprise}


def stored(session: Session, day: date, kind: BriefKind) -> DailyBrief | None:
    return session.scalar(select(DailyBrief).where(DailyBrief.day == day, DailyBrief.kind == kind.value))


def build(session: Session, day: date, moment: datetime | None = None) -> dict[BriefKind, dict[str, Any]]:
    """Both briefs of the day, built but not stored (nothing is written). The state of the appeals is
    taken at the end of the day, or at ``moment`` (now) for today."""
    moment = moment or now()
    if day > moment.date():
        raise InvalidInput(f"{day.isoformat()} 尚未到来，不能生成简报")
    if day < days.EARLIEST:
        raise InvalidInput(f"日期须在 {days.EARLIEST.isoformat()} 至今天之间")
    at = min(day_bounds(day)[1], moment)
    rising = rising_cases(session, at)
    return {kind: builder(session, day, at, rising) for kind, builder in BUILDERS.items()}


def generate(session: Session, day: date, actor: User | None = None) -> list[DailyBrief]:
    """Builds both briefs of the day and stores them, replacing what was stored."""
    moment = now()
    briefs = []
    for kind, content in build(session, day, moment).items():
        brief = stored(session, day, kind)
        if brief is None:
            brief = DailyBrief(day=day, kind=kind.value, revision=0)
            session.add(brief)
        brief.content, brief.generated_at, brief.revision = content, moment, brief.revision + 1
        session.flush()
        record(
            session,
            "daily_brief.generated",
            "daily_brief",
            brief.id,
            actor_id=actor.id if actor else None,
            actor_label=actor.display_name if actor else "系统",
            data={"day": day.isoformat(), "kind": kind.value, "revision": brief.revision},
        )
        briefs.append(brief)
    return briefs


def ensure(session: Session, day: date) -> bool:
    """Generates the day's briefs unless both are stored; True when it generated them."""
    if all(stored(session, day, kind) is not None for kind in BriefKind):
        return False
    generate(session, day)
    return True


def ensure_previous_day(session: Session) -> bool:
    """The scheduler's job: yesterday's briefs, generated once after the day is over."""
    return ensure(session, now().date() - timedelta(days=1))
