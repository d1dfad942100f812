"""Generated appeals for the dashboard benchmark: a million in a few minutes, consistent with the rules.

Each appeal lives a simulated life (intake, dispatch, perhaps a return, acceptance, reply, review,
follow-up, perhaps a reopening), timed by the product's deadline policy in working days on the
statutory calendar, and it is stored as that life stands now: an appeal whose reply lies in the future
is still being handled. So statuses, timestamps and deadlines always agree, the open appeals are the
recent ones, and their deadlines fall around now. Volumes follow working days and a steady growth;
streets are weighted by population and categories skewed as in the demo (zhengshu.appeals.demo_plan).
Missed deadlines get the notices the overdue job would have issued; some replies are closed on paper
and carry a flagged closure audit. Numbers come from the per-day counter, so intake goes on after them.

Rows go straight into the tables (COPY on PostgreSQL, zhengshu.bulk). Not generated: audit events,
co-handlers, extensions and merges, which the dashboards do not read. Names and phone numbers are
fake on their face: "压测" names and phones 19900xxxxxx.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from itertools import accumulate
from typing import Any, TypeVar

from sqlalchemy import Engine, Table, delete, func, select, text
from sqlalchemy.orm import Session

from zhengshu.appeals import board_cube
from zhengshu.appeals.board_models import BoardMark
from zhengshu.appeals.closure_models import ClosureAudit
from zhengshu.appeals.demo_plan import (
    CATEGORY_WEIGHTS,
    CHANNEL_WEIGHTS,
    HOUR_WEIGHTS,
    SATISFACTION_WEIGHTS,
    STREET_WEIGHTS,
)
from zhengshu.appeals.models import Appeal, SupervisionNotice
from zhengshu.appeals.numbers import take_numbers
from zhengshu.appeals.overdue import DEADLINES
from zhengshu.appeals.routing import STREET_OFFICE, default_routes
from zhengshu.appeals.rules import AppealRules
from zhengshu.appeals.search_terms import search_terms
from zhengshu.appeals.vocabulary import AppealType, NoticeKind, Satisfaction, Urgency
from zhengshu.appeals.workflow import Status
from zhengshu.bench import board_texts
from zhengshu.bulk import insert_rows
from zhengshu.clock import TZ, now
from zhengshu.db import session_factory, transaction
from zhengshu.org.models import Community, Department, Street
from zhengshu.org.street_map import StreetMap, random_point, schematic_map

__all__ = ["Generated", "generate"]

T = TypeVar("T")
Progress = Callable[[int, int], None]

BATCH = 20_000
TYPE_WEIGHTS = {
    AppealType.COMPLAINT: 45,
    AppealType.HELP: 20,
    AppealType.CONSULTATION: 20,
    AppealType.SUGGESTION: 7,
    AppealType.REPORT: 6,
    AppealType.PRAISE: 2,
}
URGENCY_WEIGHTS = {Urgency.NORMAL: 93, Urgency.URGENT: 6, Urgency.CRITICAL: 1}
# After a dissatisfied first follow-up, the second is kinder: the matter was handled again.
SECOND_SATISFACTION_WEIGHTS = {
    Satisfaction.SATISFIED: 50,
    Satisfaction.BASICALLY_SATISFIED: 30,
    Satisfaction.DISSATISFIED: 15,
    Satisfaction.UNREACHABLE: 5,
}
GROWTH = 0.5  # the last day receives this much more than the first, all else equal
NON_WORKDAY = 0.6  # weekends and holidays receive this share of a working day's appeals
DAILY_NOISE = 0.12
DISPATCH_MINUTES = 40.0  # mean wait in the dispatcher's queue
RETURN_SHARE = 0.03  # returned by the first department, dispatched again
ACCEPT_ON_TIME = 0.92
LATE_ACCEPT_HOURS = 10.0  # mean lateness of a late acceptance
REPLY_ON_TIME = 0.90
LATE_REPLY_HOURS = 96.0
REVIEW_HOURS = 10.0  # mean wait for the reviewer
FOLLOW_UP_SHARE = 0.80
REOPEN_IF_DISSATISFIED = 0.35
CLOSED_ON_PAPER_SHARE = 0.04
COORDINATE_SHARE = 0.40
ENTERPRISE_SHARE = 0.10
NO_COMMUNITY_SHARE = 0.05
JOB_MINUTES = 15  # the overdue job's interval: a notice follows a missed deadline within it
PHONE_PREFIX = "19900"
MAX_PER_DAY = 99_999  # five digits of daily sequence in an appeal number


def _cumulative(weights: dict[T, int]) -> tuple[list[T], list[float]]:
    return list(weights), list(accumulate(float(w) for w in weights.values()))


def _hours(value: float) -> timedelta:
    return timedelta(hours=value)


@dataclass(frozen=True)
class Generated:
    appeals: int
    closure_audits: int
    supervision_notices: int
    seconds: float


@dataclass(frozen=True)
class _Org:
    """The organisation as the generator needs it, read once."""

    streets: list[tuple[int, str, str]]  # id, code, name
    street_weights: list[float]
    communities: dict[int, list[tuple[int, str]]]  # street id → (id, name)
    departments: dict[str, int]  # code → id
    offices: dict[int, int]  # street id → its office's department id

    @classmethod
    def load(cls, session: Session) -> _Org:
        query = select(Street.id, Street.code, Street.name).order_by(Street.code)
        streets = [(street_id, code, name) for street_id, code, name in session.execute(query)]
        communities: dict[int, list[tuple[int, str]]] = {}
        for community_id, name, street_id in session.execute(
            select(Community.id, Community.name, Community.street_id).order_by(Community.code)
        ):
            communities.setdefault(street_id, []).append((community_id, name))
        departments = dict(session.execute(select(Department.code, Department.id)).all())
        offices = {
            street_id: department_id
            for street_id, department_id in session.execute(
                select(Department.street_id, Department.id).where(Department.kind == "street")
            )
            if street_id is not None
        }
        weights = [float(STREET_WEIGHTS.get(name, 5)) for _id, _code, name in streets]
        return cls(streets, list(accumulate(weights)), communities, departments, offices)


class _Life:
    """An appeal's fields as its life has got by `now`: a step in the future is not taken."""

    def __init__(self, moment: datetime, created: datetime) -> None:
        self.now = moment
        self.fields: dict[str, Any] = {
            "status": Status.SUBMITTED.value,
            "created_at": created,
            "updated_at": created,
            "version": 1,
            "lead_department_id": None,
            "dispatched_at": None,
            "accepted_at": None,
            "replied_at": None,
            "closed_at": None,
            "accept_due_at": None,
            "due_at": None,
            "due_estimated": False,
            "reply": None,
            "satisfaction": None,
            "reopen_count": 0,
        }
        self.missed: list[tuple[NoticeKind, datetime, datetime]] = []  # kind, due, issued
        self.audited_at: datetime | None = None

    def step(self, moment: datetime, status: Status, **changes: Any) -> bool:
        if moment > self.now:
            return False
        self.fields.update(changes, status=status.value, updated_at=moment)
        self.fields["version"] += 1
        return True

    def miss(self, kind: NoticeKind, due: datetime, met: datetime, rng: random.Random) -> None:
        """The overdue job's notice when the deadline passed before it was met (or before now)."""
        until = min(met, self.now)
        issued = due + timedelta(minutes=rng.uniform(0, JOB_MINUTES))
        if issued < until:
            self.missed.append((kind, due, issued))


class _Generator:
    """Draws appeals and their lives from one random generator, in a fixed order: a seed and a moment
    give the same data."""

    def __init__(self, org: _Org, rules: AppealRules, streets: StreetMap, seed: int, moment: datetime):
        self.org = org
        self.policy = rules.deadlines
        self.streets = streets
        self.rng = random.Random(seed)
        self.now = moment
        self.routes = default_routes()
        self.choices = {
            name: _cumulative(weights)
            for name, weights in (
                ("category", CATEGORY_WEIGHTS),
                ("channel", CHANNEL_WEIGHTS),
                ("type", TYPE_WEIGHTS),
                ("urgency", URGENCY_WEIGHTS),
                ("satisfaction", SATISFACTION_WEIGHTS),
                ("satisfaction_again", SECOND_SATISFACTION_WEIGHTS),
                ("hour", dict(enumerate(HOUR_WEIGHTS))),
            )
        }

    def pick(self, name: str) -> Any:
        population, cumulative = self.choices[name]
        return self.rng.choices(population, cum_weights=cumulative)[0]

    # -- volumes ---------------------------------------------------------------------------------

    def day_counts(self, total: int, days: int) -> list[tuple[date, int]]:
        """`total` appeals over the `days` days ending today, today only up to now."""
        today = self.now.date()
        hours, hour = HOUR_WEIGHTS, self.now.hour
        elapsed_today = (sum(hours[:hour]) + hours[hour] * self.now.minute / 60) / sum(hours)
        weights = []
        for index in range(days):
            day = today - timedelta(days=days - 1 - index)
            workday, _estimated = self.policy.calendar.is_workday_or_estimate(day)
            weight = (1 + GROWTH * index / max(1, days - 1)) * (1.0 if workday else NON_WORKDAY)
            weight *= self.rng.lognormvariate(0, DAILY_NOISE)
            weights.append(weight * (elapsed_today if day == today else 1.0))
        scale = total / sum(weights)
        counts = [int(w * scale) for w in weights]
        # Largest remainders first, so the counts add up to exactly `total`.
        by_remainder = sorted(range(days), key=lambda i: weights[i] * scale - counts[i], reverse=True)
        for i in by_remainder[: total - sum(counts)]:
            counts[i] += 1
        if max(counts) > MAX_PER_DAY:
            raise ValueError(f"more than {MAX_PER_DAY} appeals a day do not fit the numbering: use more days")
        return [(today - timedelta(days=days - 1 - i), c) for i, c in enumerate(counts) if c]

    def moments(self, day: date, count: int) -> list[datetime]:
        start = datetime(day.year, day.month, day.day, tzinfo=TZ)
        result = []
        for _ in range(count):
            moment = start + timedelta(hours=self.pick("hour") + self.rng.random())
            if moment > self.now:  # today: only what has arrived
                moment = start + (self.now - start) * self.rng.random()
            result.append(moment)
        return sorted(result)

    # -- one appeal ------------------------------------------------------------------------------

    def appeal(self, appeal_id: int, number: str, created: datetime) -> tuple[dict[str, Any], _Life]:
        r = self.rng
        street_id, street_code, street_name = self.org.streets[
            r.choices(range(len(self.org.streets)), cum_weights=self.org.street_weights)[0]
        ]
        communities = self.org.communities.get(street_id, [])
        community_id, community_name = (
            r.choice(communities) if communities and r.random() >= NO_COMMUNITY_SHARE else (None, "")
        )
        category = self.pick("category")
        appeal_type: AppealType = self.pick("type")
        urgency: Urgency = self.pick("urgency")
        title, content = r.choice(board_texts.TEMPLATES[category])
        content = content.format(when=r.choice(board_texts.WHEN)) + board_texts.GENERATED
        phone = f"{PHONE_PREFIX}{r.randrange(10**6):06d}"
        enterprise = r.random() < ENTERPRISE_SHARE
        latitude = longitude = None
        if r.random() < COORDINATE_SHARE:
            longitude, latitude = random_point(self.streets, street_code, r)
        life = self.live(created, appeal_type, urgency, self.lead(category, street_id))
        row = {
            "id": appeal_id,
            "number": number,
            "external_id": None,
            "channel": self.pick("channel").value,
            "type": appeal_type.value,
            "urgency": urgency.value,
            "category": category,
            "appellant_name": f"压测{r.choice('陈林黄张李王刘吴杨周')}{r.choice(('先生', '女士'))}",
            "appellant_phone": phone,
            "appellant_phone_last4": phone[-4:],
            "appellant_id_number": None,
            "is_enterprise": enterprise,
            "enterprise_name": f"压测企业{r.randrange(1, 5000)}有限公司" if enterprise else None,
            "enterprise_credit_code": None,
            "title": title,
            "content": content,
            "address": f"{street_name}{community_name}{r.randrange(1, 300)}号",
            "street_id": street_id,
            "community_id": community_id,
            "latitude": latitude,
            "longitude": longitude,
            "created_by_id": None,
            "merged_into_id": None,
            "search_terms": _search_terms(title, content),
            **life.fields,
        }
        return row, life

    def lead(self, category: str, street_id: int) -> int | None:
        target = self.routes.target(category)
        if target == STREET_OFFICE:
            return self.org.offices.get(street_id)
        return self.org.departments.get(target or "")

    def when(self, start: datetime, deadline: datetime, on_time: float, late_hours: float) -> datetime:
        """When a thing due by `deadline` gets done: mostly in time, otherwise some hours late."""
        r = self.rng
        if deadline > start and r.random() < on_time:
            return start + (deadline - start) * r.uniform(0.05, 0.95)
        return max(start, deadline) + _hours(r.expovariate(1 / late_hours))

    def live(self, created: datetime, appeal_type: AppealType, urgency: Urgency, lead: int | None) -> _Life:
        r, policy = self.rng, self.policy
        life = _Life(self.now, created)
        dispatched = created + timedelta(minutes=r.expovariate(1 / DISPATCH_MINUTES))
        if r.random() < RETURN_SHARE:
            returned = dispatched + _hours(r.uniform(0.5, 8))
            first = self.deadlines(dispatched, appeal_type, urgency)
            if not (
                life.step(
                    dispatched, Status.DISPATCHED, dispatched_at=dispatched, lead_department_id=lead, **first
                )
                and life.step(
                    returned, Status.RETURNED, lead_department_id=None, accept_due_at=None, due_at=None
                )
            ):
                return life
            dispatched = returned + _hours(r.expovariate(1 / 3))
        deadlines = self.deadlines(dispatched, appeal_type, urgency)
        accepted = self.when(dispatched, deadlines["accept_due_at"], ACCEPT_ON_TIME, LATE_ACCEPT_HOURS)
        replied = self.when(accepted, deadlines["due_at"], REPLY_ON_TIME, LATE_REPLY_HOURS)
        life.miss(NoticeKind.OVERDUE_ACCEPT, deadlines["accept_due_at"], accepted, r)
        life.miss(NoticeKind.OVERDUE_HANDLE, deadlines["due_at"], replied, r)
        if not (
            life.step(
                dispatched, Status.DISPATCHED, dispatched_at=dispatched, lead_department_id=lead, **deadlines
            )
            and life.step(accepted, Status.HANDLING, accepted_at=accepted)
            and self.reply_and_close(life, replied, "satisfaction")
        ):
            return life
        if (
            life.fields["satisfaction"] != Satisfaction.DISSATISFIED.value
            or r.random() >= REOPEN_IF_DISSATISFIED
        ):
            return life
        reopened = life.fields["updated_at"] + _hours(r.uniform(2, 48))
        due = policy.handle_deadline(reopened, appeal_type.value, urgency.value)
        replied = self.when(reopened, due.at, REPLY_ON_TIME, LATE_REPLY_HOURS)
        life.miss(NoticeKind.OVERDUE_HANDLE, due.at, replied, r)
        reopen = {"replied_at": None, "closed_at": None, "satisfaction": None, "due_at": due.at}
        if life.step(reopened, Status.HANDLING, reopen_count=1, due_estimated=due.estimated, **reopen):
            self.reply_and_close(life, replied, "satisfaction_again")
        return life

    def deadlines(self, dispatched: datetime, appeal_type: AppealType, urgency: Urgency) -> dict[str, Any]:
        accept = self.policy.accept_deadline(dispatched, urgency.value)
        due = self.policy.handle_deadline(dispatched, appeal_type.value, urgency.value)
        return {
            "accept_due_at": accept.at,
            "due_at": due.at,
            "due_estimated": accept.estimated or due.estimated,
            "accepted_at": None,
        }

    def reply_and_close(self, life: _Life, replied: datetime, satisfaction: str) -> bool:
        """Reply, review and follow-up; whether the follow-up has happened by now."""
        r = self.rng
        closed = replied + _hours(min(r.expovariate(1 / REVIEW_HOURS), 96))
        on_paper = life.audited_at is None and r.random() < CLOSED_ON_PAPER_SHARE
        reply = board_texts.BOILERPLATE_REPLY if on_paper else board_texts.REPLY.format(days=r.randint(1, 5))
        if not life.step(replied, Status.REPLIED, replied_at=replied, reply=reply):
            return False
        if on_paper:
            life.audited_at = min(self.now, replied + (closed - replied) * r.uniform(0.1, 0.9))
        if not life.step(closed, Status.CLOSED, closed_at=closed) or r.random() >= FOLLOW_UP_SHARE:
            return False
        followed = closed + _hours(r.uniform(2, 72))
        return life.step(followed, Status.CLOSED, satisfaction=self.pick(satisfaction).value)

    def audit_row(self, appeal_id: int, life: _Life) -> dict[str, Any]:
        r = self.rng
        assert life.audited_at is not None
        decided = life.audited_at < self.now - timedelta(days=14) and r.random() < 0.5
        return {
            "appeal_id": appeal_id,
            "reply_hash": _BOILERPLATE_HASH,
            "score": board_texts.FLAGGED_SCORE,
            "flagged": True,
            "reasons": board_texts.FLAGGED_REASONS,
            "boilerplate_share": 1.0,
            "dissatisfied": life.fields["satisfaction"] == Satisfaction.DISSATISFIED.value,
            "repeat_appeals": 0,
            "audited_at": life.audited_at,
            "decision": "cleared" if decided else None,
            "decision_note": "已电话核实，诉求已解决（压测数据）" if decided else None,
            "decided_by_id": None,
            "decided_at": life.audited_at + _hours(r.uniform(1, 96)) if decided else None,
        }


_BOILERPLATE_HASH = hashlib.sha256(board_texts.BOILERPLATE_REPLY.encode("utf-8")).hexdigest()


@cache
def _search_terms(title: str, content: str) -> str:
    # Few distinct texts: each is segmented once.
    return search_terms(title, content)


def _reserve_ids(session: Session, table: Table, count: int) -> list[int]:
    """Ids for rows written with COPY, which returns none; taken from the table's sequence on
    PostgreSQL (concurrent inserts get others), after the largest id in SQLite's one writer."""
    if session.get_bind().dialect.name == "postgresql":
        reserve = text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)")
        return list(session.scalars(reserve, {"table": table.name, "count": count}))
    start = (session.scalar(select(func.max(table.c.id))) or 0) + 1
    return list(range(start, start + count))


def _batches(days: list[tuple[date, int]]) -> list[list[tuple[date, int]]]:
    batches: list[list[tuple[date, int]]] = [[]]
    size = 0
    for day, count in days:
        if size >= BATCH:
            batches.append([])
            size = 0
        batches[-1].append((day, count))
        size += count
    return batches


def _write(session: Session, gen: _Generator, days: list[tuple[date, int]]) -> tuple[int, int, int]:
    total = sum(count for _day, count in days)
    ids = iter(_reserve_ids(session, Appeal.__table__, total))  # type: ignore[arg-type]
    appeals, audits, notices = [], [], []
    for day, count in days:
        for number, created in zip(take_numbers(session, day, count), gen.moments(day, count), strict=True):
            appeal_id = next(ids)
            row, life = gen.appeal(appeal_id, number, created)
            appeals.append(row)
            if life.audited_at is not None:
                audits.append(gen.audit_row(appeal_id, life))
            for kind, due, issued in life.missed:
                notices.append(
                    {
                        "appeal_id": appeal_id,
                        "department_id": row["lead_department_id"],
                        "kind": kind.value,
                        "due_at": due,
                        "message": DEADLINES[kind][2],
                        "issued_at": issued,
                        "issued_by_id": None,
                    }
                )
    insert_rows(session, Appeal.__table__, appeals)  # type: ignore[arg-type]
    insert_rows(session, ClosureAudit.__table__, audits)  # type: ignore[arg-type]
    insert_rows(session, SupervisionNotice.__table__, notices)  # type: ignore[arg-type]
    return len(appeals), len(audits), len(notices)


def generate(
    engine: Engine,
    n: int,
    days: int = 730,
    seed: int = 1,
    progress: Progress | None = None,
    *,
    rules: AppealRules | None = None,
    streets: StreetMap | None = None,
) -> Generated:
    """Add `n` appeals over the `days` days ending now to a migrated database, BATCH a transaction.

    `streets` places the 40% of appeals that carry coordinates (default: the schematic map).
    Deterministic for a seed and a moment; numbers continue each day's counter."""
    if n < 0 or days < 1:
        raise ValueError("n must be at least 0 and days at least 1")
    started = time.perf_counter()
    factory = session_factory(engine)
    with factory() as session:
        org = _Org.load(session)
    gen = _Generator(org, rules or AppealRules.default(), streets or schematic_map(), seed, now())
    written = (0, 0, 0)
    for batch in _batches(gen.day_counts(n, days)) if n else []:
        with transaction(factory) as session:
            counts = _write(session, gen, batch)
        written = (written[0] + counts[0], written[1] + counts[1], written[2] + counts[2])
        if progress is not None:
            progress(written[0], n)
    if n:
        # Generated appeals carry past `updated_at` stamps, which an incremental refresh of the
        # dashboards' summary does not take for changes: the next read builds it again instead.
        with transaction(factory) as session:
            session.execute(delete(BoardMark).where(BoardMark.name == board_cube.MARK))
    if engine.dialect.name == "postgresql" and n:
        # Fresh statistics and visibility map, as autovacuum would leave them after a day's intake.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            for table in ("appeals", "closure_audits", "supervision_notices"):
                connection.execute(text(f"VACUUM ANALYZE {table}"))
    return Generated(*written, round(time.perf_counter() - started, 2))
