"""Planning the demo: what happens to each demo appeal, and when.

Nothing is written to the database: the organisation is read once into a `Reference`, and every
appeal, its appellant and its workflow moves are derived from it, the seed and `today`, so the same
arguments always give the same plan. Appeals carry external ids DEMO-0001, ….
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhengshu.appeals.demo_people import ESTATE_HEADS, ESTATE_TAILS, STREETS, People, coordinates
from zhengshu.appeals.demo_topics import (
    APPEAL_CLOSINGS,
    APPROVE_NOTES,
    CO_OPINIONS,
    ENTERPRISE_CATEGORIES,
    EXTENSION_DECISIONS,
    EXTENSION_REASONS,
    FOLLOW_UP_NOTES,
    FOLLOW_UP_REPLY,
    ITEMS,
    PROVINCES,
    REOPEN_REASONS,
    RETURN_REASONS,
    SEND_BACK_REASONS,
    SUBSIDIES,
    SUPERVISE_MESSAGES,
    TOPICS,
    WHEN,
    Topic,
    reply_text,
)
from zhengshu.appeals.drafts import OPEN311_CONTEXT, AppealDraft
from zhengshu.appeals.rules import AppealRules
from zhengshu.appeals.vocabulary import CATEGORY_DEPARTMENTS, AppealType, Channel, Satisfaction, Urgency
from zhengshu.appeals.workflow import Action, Status
from zhengshu.clock import TZ
from zhengshu.org.models import Department, Street
from zhengshu.workdays import WorkCalendar

EXTERNAL_ID_PREFIX = "DEMO-"
T = TypeVar("T")

# Rough share of appeals per street, after population.
STREET_WEIGHTS = {
    "布吉街道": 14,
    "坂田街道": 13,
    "龙城街道": 12,
    "横岗街道": 10,
    "平湖街道": 10,
    "南湾街道": 9,
    "龙岗街道": 9,
    "吉华街道": 7,
    "宝龙街道": 6,
    "园山街道": 5,
    "坪地街道": 5,
}
# Share of appeals that come with map coordinates.
COORDINATE_SHARE = 0.3
# Share of appeals in an enterprise-topic category that come from an enterprise: ~10% overall.
ENTERPRISE_SHARE = 0.22
CATEGORY_WEIGHTS = {
    "城乡建设": 14,
    "市容环卫": 12,
    "环境保护": 10,
    "交通运输": 9,
    "劳动和社会保障": 9,
    "教育文体": 6,
    "卫生健康": 5,
    "市场监管": 9,
    "公共安全": 5,
    "民政": 3,
    "水务": 5,
    "规划国土": 3,
    "政务服务": 4,
    "街道事务": 6,
    "其他": 2,
}
CHANNEL_WEIGHTS = {
    Channel.HOTLINE: 50,
    Channel.WECHAT: 15,
    Channel.APP: 12,
    Channel.WEBSITE: 10,
    Channel.VISIT: 4,
    Channel.EMAIL: 3,
    Channel.LETTER: 2,
    Channel.OPEN311: 4,
}
# Types of appeal that may end with a plea (APPEAL_CLOSINGS) when the text does not ask already.
ASKING_TYPES = (AppealType.COMPLAINT, AppealType.HELP, AppealType.REPORT)
# The channels where staff type the appeal in; the others are filed by the citizen.
STAFF_CHANNELS = frozenset({Channel.HOTLINE, Channel.VISIT, Channel.LETTER})
# Departments that plausibly help the lead one; "street" is the office of the appeal's street.
CO_HANDLERS = {
    "城乡建设": ("street", "cgj"),
    "市容环卫": ("street",),
    "环境保护": ("cgj", "street"),
    "交通运输": ("gaj",),
    "劳动和社会保障": ("street", "sfj"),
    "市场监管": ("street",),
    "公共安全": ("yjj", "street"),
    "水务": ("zjj", "street"),
    "规划国土": ("cgj", "street"),
    "街道事务": ("cgj",),
    "其他": ("cgj",),
}
SATISFACTION_WEIGHTS = {
    Satisfaction.SATISFIED: 66,
    Satisfaction.BASICALLY_SATISFIED: 18,
    Satisfaction.DISSATISFIED: 10,
    Satisfaction.UNREACHABLE: 6,
}


def _weighted(rng: random.Random, weights: dict[T, int]) -> T:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _spread(rng: random.Random, weights: dict[T, int], count: int) -> list[T]:
    """`count` weighted choices in which every key appears at least once when count allows."""
    keys, shares = list(weights), list(weights.values())
    picks = keys[:count] + rng.choices(keys, weights=shares, k=max(0, count - len(keys)))
    rng.shuffle(picks)
    return picks


@dataclass(frozen=True)
class Reference:
    """The organisation data plans are made from, read from the database."""

    communities: dict[str, tuple[str, ...]]  # street name → community names
    street_offices: dict[str, str]  # street name → department code of its office
    department_names: dict[str, str]  # code → name

    @classmethod
    def load(cls, session: Session) -> Reference:
        communities: dict[str, list[str]] = defaultdict(list)
        for street in session.scalars(select(Street).order_by(Street.code)):
            communities[street.name].extend(c.name for c in street.communities)
        offices = {d.street.name: d.code for d in session.scalars(select(Department)) if d.street is not None}
        names = dict(session.execute(select(Department.code, Department.name)).tuples().all())
        return cls({k: tuple(v) for k, v in communities.items()}, offices, names)


@dataclass(frozen=True)
class Move:
    """One workflow step of a planned appeal; `department` is the lead (dispatch) or the
    co-handler (opinion)."""

    action: Action
    at: datetime
    department: str | None = None
    co_departments: tuple[str, ...] = ()
    category: str | None = None
    text: str | None = None
    days: int = 0
    approve: bool = True
    satisfaction: Satisfaction | None = None


@dataclass(frozen=True)
class PlannedAppeal:
    draft: AppealDraft
    created_at: datetime
    moves: tuple[Move, ...]


@dataclass(frozen=True)
class Hours:
    start: time
    end: time
    workdays_only: bool


# Handlers and reviewers act in office hours on working days; the centre works every day.
OFFICE = Hours(time(8, 30), time(18, 0), True)
CENTRE = Hours(time(8, 0), time(22, 0), False)
# Intake by hour of day (hotline and online), 0-23.
HOUR_WEIGHTS = (1, 1, 1, 1, 1, 1, 2, 4, 7, 10, 10, 9, 7, 7, 9, 9, 8, 7, 6, 6, 6, 5, 3, 2)
# (age below, in days) → the status an appeal of that age has reached, weighted.
FATES: tuple[tuple[float, dict[Status, int]], ...] = (
    (0.5, {Status.SUBMITTED: 40, Status.DISPATCHED: 30, Status.RETURNED: 5, Status.HANDLING: 25}),
    (
        3,
        {
            Status.SUBMITTED: 4,
            Status.DISPATCHED: 14,
            Status.RETURNED: 5,
            Status.HANDLING: 52,
            Status.REPLIED: 15,
            Status.CLOSED: 10,
        },
    ),
    (
        10,
        {
            Status.DISPATCHED: 3,
            Status.RETURNED: 2,
            Status.HANDLING: 33,
            Status.REPLIED: 12,
            Status.CLOSED: 50,
        },
    ),
    (20, {Status.DISPATCHED: 1, Status.HANDLING: 10, Status.REPLIED: 5, Status.CLOSED: 84}),
    (float("inf"), {Status.HANDLING: 3, Status.REPLIED: 1, Status.CLOSED: 96}),
)
# Older than this, a handling appeal has missed any deadline (15 working days at most).
STALE_DAYS = 25
MISROUTE_SHARE = 0.05


class Story:
    """The moves of one appeal, each some hours after the previous one, within working hours."""

    def __init__(self, rng: random.Random, calendar: WorkCalendar, start: datetime) -> None:
        self.rng = rng
        self.calendar = calendar
        self.at = start
        self.moves: list[Move] = []
        # The handling deadline as the story stands, which decides when the reply comes.
        self.due = start

    def add(self, action: Action, hours: tuple[float, float], within: Hours, **fields: Any) -> Move:
        return self.add_at(action, self.at + timedelta(hours=self.rng.uniform(*hours)), within, **fields)

    def add_at(self, action: Action, moment: datetime, within: Hours, **fields: Any) -> Move:
        moment = self._within(max(moment, self.at + timedelta(minutes=10)), within)
        move = Move(action, moment.replace(microsecond=0), **fields)
        self.at = move.at
        self.moves.append(move)
        return move

    def _within(self, moment: datetime, hours: Hours) -> datetime:
        if self._open(moment.date(), hours) and hours.start <= moment.time() < hours.end:
            return moment
        day = moment.date() if moment.time() < hours.start else moment.date() + timedelta(days=1)
        while not self._open(day, hours):
            day += timedelta(days=1)
        return datetime.combine(day, hours.start, TZ) + timedelta(minutes=self.rng.uniform(5, 150))

    def _open(self, day: date, hours: Hours) -> bool:
        return not hours.workdays_only or self.calendar.is_workday_or_estimate(day)[0]


def fit(moves: Sequence[Move], start: datetime, limit: datetime) -> list[Move]:
    """Squeeze the moves between start and limit, keeping their order and proportions."""
    if not moves or moves[-1].at <= limit:
        return list(moves)
    scale = (limit - start) / (moves[-1].at - start)
    return [replace(m, at=(start + (m.at - start) * scale).replace(microsecond=0)) for m in moves]


@dataclass(frozen=True)
class Case:
    """What the plan of one appeal starts from."""

    created: datetime
    fate: Status
    street: str
    community: str
    topic: Topic
    appeal_type: AppealType
    urgency: Urgency
    department: str  # the right lead department
    company: tuple[str, str] | None  # name and credit code of an enterprise appellant
    words: dict[str, str]  # the values of the topic's placeholders

    @property
    def category(self) -> str:
        return self.topic.category


class Planner:
    def __init__(self, reference: Reference, rules: AppealRules, seed: int, today: datetime) -> None:
        self.reference = reference
        self.rules = rules
        self.rng = random.Random(seed)
        self.people = People(self.rng)
        self.today = today
        self.limit = today - timedelta(minutes=2)

    def plan(self, appeals: int, days: int) -> list[PlannedAppeal]:
        created = sorted(self._creation_time(days) for _ in range(appeals))
        fates = self._fates(created)
        streets = _spread(self.rng, STREET_WEIGHTS, appeals)
        categories = _spread(self.rng, CATEGORY_WEIGHTS, appeals)
        rows = zip(created, fates, streets, categories, strict=True)
        return [self._appeal(index, self._case(*row)) for index, row in enumerate(rows)]

    # -- when and how far

    def _creation_time(self, days: int) -> datetime:
        day = self.today.date() - timedelta(days=self.rng.randrange(days))
        hour = self.rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
        moment = datetime.combine(day, time(hour), TZ) + timedelta(seconds=self.rng.randrange(3600))
        if moment > self.today - timedelta(minutes=15):
            moment = self.today - timedelta(minutes=self.rng.uniform(15, 240))
        return max(moment, self.today - timedelta(days=days) + timedelta(minutes=1)).replace(microsecond=0)

    def _age(self, moment: datetime) -> float:
        return (self.today - moment) / timedelta(days=1)

    def _fates(self, created: list[datetime]) -> list[Status]:
        fates = [_weighted(self.rng, next(w for below, w in FATES if self._age(t) < below)) for t in created]
        self._ensure_every_status(fates)
        self._ensure_overdue(fates, created)
        return fates

    @staticmethod
    def _ensure_every_status(fates: list[Status]) -> None:
        """Small loads still show every status: the youngest appeals take the missing open ones."""
        if len(fates) < 2 * len(Status):
            return
        # 并案 joins two appeals: no single appeal's plan ends merged (the demo merges none yet).
        for status in (s for s in Status if s is not Status.MERGED):
            counts = Counter(fates)
            if counts[status]:
                continue
            order = range(len(fates)) if status is Status.CLOSED else range(len(fates) - 1, -1, -1)
            index = next(i for i in order if counts[fates[i]] > 1)
            fates[index] = status

    def _ensure_overdue(self, fates: list[Status], created: list[datetime]) -> None:
        """Some old appeals are stuck: handling (or not even accepted) long after their deadline."""
        stale = [i for i, t in enumerate(created) if self._age(t) > STALE_DAYS]
        wanted = max(2, len(fates) // 40) - sum(fates[i] is Status.HANDLING for i in stale)
        closed = [i for i in stale if fates[i] is Status.CLOSED]
        for index in self.rng.sample(closed, min(max(wanted, 0), len(closed))):
            fates[index] = Status.HANDLING if self.rng.random() < 0.8 else Status.DISPATCHED

    # -- the appeal itself

    def _case(self, created: datetime, fate: Status, street: str, category: str) -> Case:
        rng = self.rng
        enterprise = category in ENTERPRISE_CATEGORIES and rng.random() < ENTERPRISE_SHARE
        topic = rng.choice([t for t in TOPICS if t.category == category and t.enterprise == enterprise])
        appeal_type = rng.choices(topic.types, weights=[3] + [1] * (len(topic.types) - 1))[0]
        urgency = Urgency.NORMAL
        if rng.random() < topic.urgent:
            urgency = Urgency.CRITICAL if rng.random() < 0.2 else Urgency.URGENT
        department = CATEGORY_DEPARTMENTS[category] or self.reference.street_offices[street]
        company = self.people.enterprise() if enterprise else None
        community = rng.choice(self.reference.communities[street])
        words = self._words(street, community, topic.place, company, department)
        return Case(created, fate, street, community, topic, appeal_type, urgency, department, company, words)

    def _appeal(self, index: int, case: Case) -> PlannedAppeal:
        draft = self._draft(index, case)
        moves = self._moves(case)
        return PlannedAppeal(draft, case.created, tuple(moves))

    def _draft(self, index: int, case: Case) -> AppealDraft:
        rng, topic, words = self.rng, case.topic, case.words
        person = self.people.pick()
        channel = _weighted(rng, CHANNEL_WEIGHTS)
        phone = self.people.landline() if case.company and rng.random() < 0.4 else person.phone
        placed = rng.random() < COORDINATE_SHARE
        latitude, longitude = coordinates(rng, case.street) if placed else (None, None)
        content = topic.content.format_map(words)
        asks = "请" in content.rstrip("。").rsplit("。", 1)[-1]
        if case.appeal_type in ASKING_TYPES and not asks and rng.random() < 0.6:
            content += rng.choice(APPEAL_CLOSINGS)
        return AppealDraft.model_validate(
            {
                "channel": channel,
                "type": case.appeal_type,
                "urgency": case.urgency,
                # Citizens filing online seldom pick a category; the dispatcher sets it.
                "category": case.category if channel in STAFF_CHANNELS or rng.random() < 0.3 else None,
                "title": topic.title.format_map(words),
                "content": content,
                "appellant_name": person.name,
                "appellant_phone": phone,
                "appellant_id_number": person.id_number,
                "is_enterprise": case.company is not None,
                "enterprise_name": case.company[0] if case.company else None,
                "enterprise_credit_code": case.company[1] if case.company else None,
                "address": words["address"] or None,
                "street": case.street,
                "community": case.community,
                "latitude": latitude,
                "longitude": longitude,
                "external_id": f"{EXTERNAL_ID_PREFIX}{index + 1:04d}",
            },
            # The demo stands in for citizens' Open311 apps too; only their drafts may carry that channel.
            context=OPEN311_CONTEXT if channel is Channel.OPEN311 else None,
        )

    def _words(
        self, street: str, community: str, place: str, company: tuple[str, str] | None, department: str
    ) -> dict[str, str]:
        """The values of the topic's placeholders, shared by title, content and reply; `place` is
        what the address names."""
        rng = self.rng
        places = STREETS[street]
        estate = rng.choice(ESTATE_HEADS) + rng.choice(ESTATE_TAILS)
        building, road, number = str(rng.randint(1, 12)), rng.choice(places.roads), rng.randint(1, 288)
        lane = f"{rng.choice('一二三四五六七八')}巷{number % 40 + 1}号"
        return {
            "street": street,
            "community": community,
            "estate": estate,
            "building": building,
            "road": road,
            "landmark": rng.choice(places.landmarks),
            "n": str(rng.randint(2, 6)),
            "amount": str(rng.randrange(20, 200) * 100),
            "when": rng.choice(WHEN),
            "bus": rng.choice(("M", "")) + str(rng.randint(200, 599)),
            "months": str(rng.randint(2, 8)),
            "subsidy": rng.choice(SUBSIDIES),
            "item": rng.choice(ITEMS),
            "province": rng.choice(PROVINCES),
            "company": company[0] if company else "",
            "dept": self.reference.department_names[department],
            "address": {
                "estate": f"{street}{community}{estate}{building}栋",
                "road": f"{street}{road}{number}号",
                "village": f"{street}{community}{lane}",
                "none": "",
            }[place],
        }

    # -- the workflow

    def _moves(self, case: Case) -> list[Move]:
        if case.fate is Status.SUBMITTED:
            return []
        story = Story(self.rng, self.rules.deadlines.calendar, case.created)
        # Some appeals still in handling were closed once and reopened after a dissatisfied follow-up.
        reopened = case.fate is Status.HANDLING and self._age(case.created) > 6 and self.rng.random() < 0.2
        self._dispatch_phase(story, case)
        if case.fate not in (Status.RETURNED, Status.DISPATCHED):
            story.add(Action.ACCEPT, (0.1, 3) if case.urgency is not Urgency.NORMAL else (0.5, 20), OFFICE)
            self._handling_phase(story, case, stop=case.fate is Status.HANDLING and not reopened)
        if case.fate in (Status.REPLIED, Status.CLOSED) or reopened:
            self._reply_phase(story, case)
        if case.fate is Status.CLOSED or reopened:
            story.add(Action.APPROVE, (2, 36), OFFICE, text=self.rng.choice(APPROVE_NOTES))
        if reopened:
            story.add(
                Action.FOLLOW_UP,
                (20, 80),
                CENTRE,
                satisfaction=Satisfaction.DISSATISFIED,
                text=FOLLOW_UP_NOTES[Satisfaction.DISSATISFIED],
            )
            story.add(Action.REOPEN, (2, 24), OFFICE, text=self.rng.choice(REOPEN_REASONS))
        moves = fit(story.moves, case.created, self.limit)
        if case.fate is Status.CLOSED and moves:
            moves += self._after_closing(case, moves[-1].at)
        return moves

    def _dispatch_phase(self, story: Story, case: Case) -> None:
        hours = (0.1, 1) if case.urgency is not Urgency.NORMAL else (0.2, 5)
        if case.fate is Status.RETURNED or self.rng.random() < MISROUTE_SHARE:
            wrong = self._wrong_department(case)
            story.add(Action.DISPATCH, hours, CENTRE, department=wrong)
            right = self.reference.department_names[case.department]
            reason = self.rng.choice(RETURN_REASONS).format(right=right)
            story.add(Action.RETURN, (1, 20), OFFICE, text=reason)
            if case.fate is Status.RETURNED:
                return
            hours = (0.5, 6)
        story.add(
            Action.DISPATCH,
            hours,
            CENTRE,
            department=case.department,
            co_departments=self._co(case),
            category=case.category,
        )

    def _wrong_department(self, case: Case) -> str:
        choices = sorted({code for code in CATEGORY_DEPARTMENTS.values() if code} - {case.department})
        return self.rng.choice(choices)

    def _co(self, case: Case) -> tuple[str, ...]:
        if self.rng.random() > 0.15 or case.category not in CO_HANDLERS:
            return ()
        code = self.rng.choice(CO_HANDLERS[case.category])
        code = self.reference.street_offices[case.street] if code == "street" else code
        return () if code == case.department else (code,)

    def _handling_phase(self, story: Story, case: Case, *, stop: bool) -> None:
        dispatch = next(m for m in reversed(story.moves) if m.action is Action.DISPATCH)
        for co in dispatch.co_departments:
            if self.rng.random() < 0.75:
                text = self.rng.choice(CO_OPINIONS).format(co=self.reference.department_names[co])
                story.add(Action.CO_HANDLER_OPINION, (4, 40), OFFICE, department=co, text=text)
        if self.rng.random() < 0.04:
            story.add(Action.SUPERVISE, (2, 48), CENTRE, text=self.rng.choice(SUPERVISE_MESSAGES))
        story.due = self.rules.deadlines.handle_deadline(dispatch.at, case.appeal_type, case.urgency).at
        if self.rng.random() < 0.1:
            self._extension(story, pending_allowed=stop)

    def _extension(self, story: Story, *, pending_allowed: bool) -> None:
        share = self.rng.uniform(0.3, 0.7)
        days = self.rng.randint(3, 10)
        story.add_at(
            Action.REQUEST_EXTENSION,
            story.at + (story.due - story.at) * share,
            OFFICE,
            days=days,
            text=self.rng.choice(EXTENSION_REASONS),
        )
        if pending_allowed and self.rng.random() < 0.35:
            return
        approve = self.rng.random() < 0.85
        story.add(
            Action.DECIDE_EXTENSION, (2, 20), OFFICE, approve=approve, text=EXTENSION_DECISIONS[approve]
        )
        if approve:
            story.due = self.rules.deadlines.extend(story.due, days).at

    def _reply_phase(self, story: Story, case: Case, *, again: bool = False) -> None:
        answer = reply_text(case.topic, case.appeal_type, case.words, again=again)
        if self.rng.random() < 0.1:  # late
            target = story.due + timedelta(hours=self.rng.uniform(4, 96))
        else:
            target = story.at + (story.due - story.at) * self.rng.uniform(0.15, 0.9)
        story.add_at(Action.REPLY, target, OFFICE, text=answer)
        if self.rng.random() < 0.05:
            story.add(Action.SEND_BACK, (3, 30), OFFICE, text=self.rng.choice(SEND_BACK_REASONS))
            story.add(Action.REPLY, (4, 60), OFFICE, text=f"{answer}{FOLLOW_UP_REPLY}")

    def _after_closing(self, case: Case, closed: datetime) -> list[Move]:
        """Follow-up, and for some dissatisfied appellants a second round; dropped if not yet due."""
        if self.rng.random() > 0.8:
            return []
        story = Story(self.rng, self.rules.deadlines.calendar, closed)
        satisfaction = _weighted(self.rng, SATISFACTION_WEIGHTS)
        note = FOLLOW_UP_NOTES.get(satisfaction)
        story.add(Action.FOLLOW_UP, (20, 80), CENTRE, satisfaction=satisfaction, text=note)
        first = list(story.moves)
        if satisfaction is Satisfaction.DISSATISFIED and self.rng.random() < 0.4:
            story.add(Action.REOPEN, (2, 24), OFFICE, text=self.rng.choice(REOPEN_REASONS))
            story.due = self.rules.deadlines.handle_deadline(story.at, case.appeal_type, case.urgency).at
            self._reply_phase(story, case, again=True)
            story.add(Action.APPROVE, (2, 36), OFFICE)
            story.add(Action.FOLLOW_UP, (20, 80), CENTRE, satisfaction=Satisfaction.BASICALLY_SATISFIED)
        for moves in (story.moves, first):
            if moves[-1].at <= self.limit:
                return moves
        return []


def plan_demo(
    reference: Reference, rules: AppealRules, *, appeals: int, days: int, seed: int, today: datetime
) -> list[PlannedAppeal]:
    """The demo appeals and their histories; the same arguments always give the same plan."""
    return Planner(reference, rules, seed, today).plan(appeals, days)
