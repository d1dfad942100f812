"""Likely the same matter: open and recent appeals close to a new one in text, place, appellant and time.

Candidates are the BM25 neighbours of the text (zhengshu.search) among the appeals that are open or
closed within RECENT_DAYS, plus the same appellant's (same phone) such appeals. Each candidate gets

    score = 0.60 × text + 0.20 × place + 0.12 × appellant + 0.08 × time

where text is the BM25 similarity in [0, 1] (1.0: the same text); place is 1 for the same address,
0.7 for the same community, 0.3 for the same street; appellant is 1 for the same phone number;
time is 1 within 3 days, 0.6 within 7 days, 0.2 within 30 days. Those scoring at least MIN_SCORE
are listed, each with its reasons in words ("同一社区 · 同一诉求人 · 3天内 · 文本相似度0.82"), so the
operator sees why, and decides.

The text index lives in the process, one per database engine. It is built from the database on first
use (the web app warms it in a background thread at start, `warm_up`; a lookup meanwhile waits for
it), from the words stored with each appeal at intake (appeals.search_terms; appeals filed before
they were stored are segmented once and their words written back, in a background thread), then
kept current at each lookup: appeals added since the last refresh (by id) and changed
since (by updated_at) are added or dropped, and closed appeals leave once their closure is older
than RECENT_DAYS. Several web processes each keep their own; all read the same database.
"""

from __future__ import annotations

import heapq
import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, and_, bindparam, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from zhengshu.appeals.access import can_read
from zhengshu.appeals.intake import Places
from zhengshu.appeals.models import Appeal
from zhengshu.appeals.presenters import appellant, free_text
from zhengshu.appeals.search_terms import appeal_text, search_terms, search_terms_all, words_of
from zhengshu.appeals.workflow import Status
from zhengshu.clock import local, now
from zhengshu.db import reading, session_factory, transaction
from zhengshu.errors import NotFound
from zhengshu.org.models import User
from zhengshu.search import Bm25Index
from zhengshu.text.identifiers import normalize_phone

log = logging.getLogger(__name__)

RECENT_DAYS = 30
TEXT_CANDIDATES = 50
SAME_APPELLANT_CANDIDATES = 20
MIN_SCORE = 0.35
SHOWN = 10
BUILD_BATCH = 20_000
STORE_BATCH = 2_000
# Rows changed this long before the last refresh are looked at again: a transaction that began
# before the refresh may commit after it.
REFRESH_OVERLAP = timedelta(minutes=2)
WEIGHTS = {"text": 0.60, "place": 0.20, "appellant": 0.12, "time": 0.08}
PLACE_SCORES = {"同一地址": 1.0, "同一社区": 0.7, "同一街道": 0.3}
TIME_SCORES = ((3, 1.0), (7, 0.6), (30, 0.2))  # within days → score
SCORE_EXPLANATION = (
    "综合评分 = 文本相似度×0.60 + 地点×0.20（同一地址1、同一社区0.7、同一街道0.3）"
    " + 同一诉求人×0.12 + 时间×0.08（3天内1、7天内0.6、30天内0.2）；"
    f"列出评分不低于 {MIN_SCORE} 的在办诉求和 {RECENT_DAYS} 天内办结的诉求，已并案的由主件代表。"
)


@dataclass(frozen=True)
class Probe:
    """What is looked up: a draft being typed at intake, or a stored appeal."""

    text: str
    phone: str | None = None
    street_id: int | None = None
    community_id: int | None = None
    address: str | None = None
    at: datetime | None = None
    exclude_id: int | None = None


@dataclass
class Match:
    appeal: Appeal
    score: float
    text_similarity: float
    reasons: list[str] = field(default_factory=list)

    @property
    def explanation(self) -> str:
        return " · ".join(self.reasons)


def probe_of(appeal: Appeal) -> Probe:
    return Probe(
        text=appeal_text(appeal.title, appeal.content),
        phone=appeal.appellant_phone,
        street_id=appeal.street_id,
        community_id=appeal.community_id,
        address=appeal.address,
        at=appeal.created_at,
        exclude_id=appeal.id,
    )


def probe_of_fields(session: Session, fields: dict[str, str]) -> Probe:
    """The probe of an intake form being typed: unknown places are simply left out."""
    try:
        street_id, community_id = Places(session).resolve(fields.get("street"), fields.get("community"))
    except NotFound:
        street_id, community_id = None, None
    phone = normalize_phone(fields.get("appellant_phone") or "")
    return Probe(
        text=appeal_text(fields.get("title"), fields.get("content")),
        phone=phone,
        street_id=street_id,
        community_id=community_id,
        address=fields.get("address"),
        at=now(),
    )


def _cutoff(moment: datetime) -> datetime:
    return moment - timedelta(days=RECENT_DAYS)


def eligible(status: str, closed_at: datetime | None, merged_into_id: int | None, cutoff: datetime) -> bool:
    """Open appeals, and closed ones closed after the cutoff; never merged ones, even once closed with
    their main appeal: the main appeal stands for them."""
    if merged_into_id is not None or status == Status.MERGED.value:
        return False
    if status == Status.CLOSED.value:
        return closed_at is not None and local(closed_at) >= cutoff
    return True


def eligible_condition(cutoff: datetime) -> Any:
    return and_(
        Appeal.merged_into_id.is_(None),
        Appeal.status != Status.MERGED.value,
        or_(Appeal.status != Status.CLOSED.value, Appeal.closed_at >= cutoff),
    )


_ROW = (
    Appeal.id,
    Appeal.number,
    Appeal.search_terms,
    Appeal.status,
    Appeal.closed_at,
    Appeal.merged_into_id,
)


class SimilarIndex:
    """The text index of the open and recent appeals of one database, kept current incrementally."""

    def __init__(self) -> None:
        self.index = Bm25Index()
        self._numbers: dict[int, str] = {}  # indexed id → number: an id reused after a delete is seen
        self._closures: list[tuple[datetime, int]] = []  # heap of (closed_at, id) of indexed closed ones
        self._last_id = 0
        self._synced_at: datetime | None = None
        # The highest id and updated_at seen: while they stand still, nothing needs catching up.
        self._latest: tuple[Any, ...] | None = None
        self._lock = threading.Lock()
        # Words of appeals filed before they were stored, waiting to be written back.
        self._missing: list[tuple[int, str]] = []
        self._writer: threading.Thread | None = None

    def __len__(self) -> int:
        return len(self.index)

    @property
    def built(self) -> bool:
        return self._synced_at is not None

    def refresh(self, session: Session, *, jobs: int = 1) -> None:
        with self._lock:
            # Two scalar subqueries: SQLite answers a lone max() from the index, but scans for two.
            latest = tuple(
                session.execute(
                    select(
                        select(func.max(Appeal.id)).scalar_subquery(),
                        select(func.max(Appeal.updated_at)).scalar_subquery(),
                    )
                ).one()
            )
            if self._synced_at is None:
                self._build(session, jobs)
            elif latest != self._latest:
                self._catch_up(session)
            self._latest = latest
            self.drop_aged(now())
        if self._missing:
            self._store_missing(_engine_of(session))

    def _build(self, session: Session, jobs: int) -> None:
        """From the stored words; appeals without them are segmented here (and written back later)."""
        moment = now()
        rows = session.execute(
            select(*_ROW).where(eligible_condition(_cutoff(moment))).order_by(Appeal.id)
        ).tuples()
        unsegmented: list[Any] = []
        for appeal_id, number, stored, _status, closed_at, _merged in rows:
            if stored is None:
                unsegmented.append((appeal_id, number, closed_at))
            else:
                self._add(appeal_id, number, words_of(stored), closed_at)
        for start in range(0, len(unsegmented), BUILD_BATCH):
            self._segment_rows(session, unsegmented[start : start + BUILD_BATCH], jobs)
        self._last_id = max(self._numbers, default=0)
        self._synced_at = moment

    def _segment_rows(self, session: Session, rows: list[Any], jobs: int) -> None:
        chosen = select(Appeal.id, Appeal.title, Appeal.content).where(Appeal.id.in_([r[0] for r in rows]))
        texts = {
            appeal_id: (title, content) for appeal_id, title, content in session.execute(chosen).tuples()
        }
        rows = [row for row in rows if row[0] in texts]
        stored_all = search_terms_all([texts[row[0]] for row in rows], jobs)
        for (appeal_id, number, closed_at), stored in zip(rows, stored_all, strict=True):
            self._add(appeal_id, number, words_of(stored), closed_at)
            self._missing.append((appeal_id, stored))

    def _add(self, appeal_id: int, number: str, words: list[str], closed_at: datetime | None) -> None:
        self.index.add_terms(appeal_id, words)
        self._numbers[appeal_id] = number
        if closed_at is not None:
            heapq.heappush(self._closures, (local(closed_at), appeal_id))

    def _drop(self, appeal_id: int) -> None:
        if self._numbers.pop(appeal_id, None) is not None:
            self.index.remove([appeal_id])

    def _catch_up(self, session: Session) -> None:
        assert self._synced_at is not None
        moment = now()
        cutoff = _cutoff(moment)
        since = self._synced_at - REFRESH_OVERLAP
        rows = list(session.execute(select(*_ROW).where(Appeal.id > self._last_id)).tuples())
        rows += session.execute(select(*_ROW).where(Appeal.updated_at >= since)).tuples()
        unsegmented = []
        for appeal_id, number, stored, status, closed_at, merged_into_id in rows:
            self._last_id = max(self._last_id, appeal_id)
            if not eligible(status, closed_at, merged_into_id, cutoff):
                self._drop(appeal_id)
            elif self._numbers.get(appeal_id) != number:
                self._drop(appeal_id)
                if stored is None:
                    unsegmented.append((appeal_id, number, closed_at))
                else:
                    self._add(appeal_id, number, words_of(stored), closed_at)
            elif closed_at is not None:
                heapq.heappush(self._closures, (local(closed_at), appeal_id))
        if unsegmented:
            self._segment_rows(session, unsegmented, 1)
        self._synced_at = moment

    def _store_missing(self, engine: Engine) -> None:
        """Write the words segmented at build back, in batches, in a thread of its own: the lookup
        that built the index may hold a write transaction (SQLite's one writer) it must not wait on."""
        with self._lock:
            if not self._missing or (self._writer is not None and self._writer.is_alive()):
                return
            missing, self._missing = self._missing, []
            self._writer = threading.Thread(
                target=store_search_terms,
                args=(session_factory(engine), missing),
                name="similar-search-terms",
                daemon=True,
            )
            self._writer.start()

    def wait_built(self) -> bool:
        """Until a build under way (the warm-up) is over; whether the index is built."""
        with self._lock:
            return self.built

    def wait_stored(self, timeout: float | None = None) -> None:
        """Until the words segmented at build are written back (tests, the bench)."""
        writer = self._writer
        if writer is not None:
            writer.join(timeout)

    def drop_aged(self, moment: datetime) -> None:
        """Closed appeals leave once their closure is older than RECENT_DAYS. A heap entry may be
        stale (the appeal reopened since): dropping it only means the next refresh that sees the
        appeal change adds it back."""
        cutoff = _cutoff(moment)
        while self._closures and self._closures[0][0] < cutoff:
            _closed_at, appeal_id = heapq.heappop(self._closures)
            self._drop(appeal_id)

    def search(self, text: str, k: int) -> list[tuple[int, float]]:
        return [(int(h.id), h.similarity) for h in self.index.search(text, k)]  # type: ignore[call-overload]


def store_search_terms(factory: sessionmaker[Session], pairs: list[tuple[int, str]]) -> int:
    """Store the words of appeals that have none, STORE_BATCH a transaction; returns how many were
    written. Neither updated_at nor version moves: the appeal itself has not changed."""
    statement = (
        update(Appeal.__table__)  # type: ignore[arg-type]
        .where(Appeal.__table__.c.id == bindparam("appeal_id"), Appeal.__table__.c.search_terms.is_(None))
        .values(search_terms=bindparam("stored"))
    )
    written = 0
    try:
        for start in range(0, len(pairs), STORE_BATCH):
            batch = [{"appeal_id": i, "stored": t} for i, t in pairs[start : start + STORE_BATCH]]
            with transaction(factory) as session:
                session.connection().execute(statement, batch)
            written += len(batch)
    except Exception:  # the next build segments what is still missing
        log.exception("storing search terms failed after %d appeals", written)
    return written


def _engine_of(session: Session) -> Engine:
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


_indexes: WeakKeyDictionary[Engine, SimilarIndex] = WeakKeyDictionary()
_registry_lock = threading.Lock()


def _index_of(engine: Engine) -> SimilarIndex:
    with _registry_lock:
        index = _indexes.get(engine)
        if index is None:
            index = _indexes[engine] = SimilarIndex()
        return index


def index_for(session: Session, *, jobs: int = 1) -> SimilarIndex:
    """The engine's index, built on first use and brought up to date. While another thread builds
    it (the warm-up at app start), this waits for it: the lists shown stay complete."""
    index = _index_of(_engine_of(session))
    index.refresh(session, jobs=jobs)
    return index


def warm_up(factory: sessionmaker[Session], *, jobs: int = 1) -> threading.Thread:
    """Build the engine's index in a background thread (app start), so that no request pays for it.
    The index's lock is taken before the thread is returned: a lookup arriving meanwhile waits.
    The tokenizer is loaded here, before any request: intake segments every appeal it files, and
    two requests loading it at once would each load it."""
    search_terms("", "")
    engine = factory.kw["bind"]
    index = _index_of(engine)
    started = threading.Event()

    def build() -> None:
        try:
            with index._lock:
                started.set()
                if index.built:
                    return
                with reading(factory) as session:
                    index._build(session, jobs)
            index._store_missing(engine)
        except Exception:  # a lookup builds it instead
            log.exception("warming the similar-appeals index failed")
        finally:
            started.set()

    thread = threading.Thread(target=build, name="similar-warm-up", daemon=True)
    thread.start()
    started.wait()
    return thread


def index_of(engine: Engine) -> SimilarIndex:
    """The engine's index as it stands, without refreshing it."""
    return _index_of(engine)


def forget(engine: Engine) -> None:
    """Drop the engine's index; the next lookup rebuilds it from the database."""
    with _registry_lock:
        _indexes.pop(engine, None)


# --- scoring ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """What scoring needs of a stored appeal (loaded as plain columns: fifty of them per lookup)."""

    id: int
    appellant_phone: str
    street_id: int | None
    community_id: int | None
    address: str | None
    created_at: datetime
    status: str
    closed_at: datetime | None
    merged_into_id: int | None


_CANDIDATE = (
    Appeal.id,
    Appeal.appellant_phone,
    Appeal.street_id,
    Appeal.community_id,
    Appeal.address,
    Appeal.created_at,
    Appeal.status,
    Appeal.closed_at,
    Appeal.merged_into_id,
)


def _address_key(address: str | None) -> str:
    return "".join((address or "").split())


def _place(probe: Probe, candidate: Candidate) -> str | None:
    key = _address_key(probe.address)
    if key and key == _address_key(candidate.address):
        return "同一地址"
    if probe.community_id is not None and probe.community_id == candidate.community_id:
        return "同一社区"
    if probe.street_id is not None and probe.street_id == candidate.street_id:
        return "同一街道"
    return None


def _days_apart(probe: Probe, candidate: Candidate) -> float:
    moment = local(probe.at) if probe.at else now()
    return abs((moment - local(candidate.created_at)).total_seconds()) / 86400


def score(probe: Probe, candidate: Candidate, text_similarity: float) -> tuple[float, list[str]]:
    """The combined score and its reasons in words, in the order place, appellant, time, text."""
    reasons = []
    place = _place(probe, candidate)
    if place:
        reasons.append(place)
    same_appellant = bool(probe.phone) and probe.phone == candidate.appellant_phone
    if same_appellant:
        reasons.append("同一诉求人")
    days = _days_apart(probe, candidate)
    time_score = 0.0
    for within, value in TIME_SCORES:
        if days <= within:
            reasons.append(f"{within}天内")
            time_score = value
            break
    reasons.append(f"文本相似度{text_similarity:.2f}")
    total = (
        WEIGHTS["text"] * text_similarity
        + WEIGHTS["place"] * (PLACE_SCORES[place] if place else 0.0)
        + WEIGHTS["appellant"] * same_appellant
        + WEIGHTS["time"] * time_score
    )
    return round(total, 4), reasons


def find_similar(
    session: Session, probe: Probe, *, viewer: User | None = None, limit: int = SHOWN
) -> list[Match]:
    """The appeals likely about the same matter, best first; only those the viewer may read."""
    index = index_for(session)
    text_hits = dict(index.search(probe.text, TEXT_CANDIDATES)) if probe.text.strip() else {}
    cutoff = _cutoff(now())
    ids = set(text_hits)
    if probe.phone:
        ids.update(
            session.scalars(
                select(Appeal.id)
                .where(Appeal.appellant_phone == probe.phone, eligible_condition(cutoff))
                .order_by(Appeal.id.desc())
                .limit(SAME_APPELLANT_CANDIDATES)
            )
        )
    ids.discard(probe.exclude_id)
    if not ids:
        return []
    candidates = [Candidate(*row) for row in session.execute(select(*_CANDIDATE).where(Appeal.id.in_(ids)))]
    scored = []
    for candidate in candidates:
        if not eligible(candidate.status, candidate.closed_at, candidate.merged_into_id, cutoff):
            continue
        total, reasons = score(probe, candidate, text_hits.get(candidate.id, 0.0))
        if total >= MIN_SCORE:
            scored.append((total, candidate.id, reasons))
    scored.sort(key=lambda item: (-item[0], -item[1]))
    matches: list[Match] = []
    # Readability is checked on the loaded appeals; load a few more than shown for those skipped.
    for start in range(0, len(scored), limit * 2):
        chunk = scored[start : start + limit * 2]
        chosen = select(Appeal).where(Appeal.id.in_([c[1] for c in chunk]))
        loaded = {a.id: a for a in session.scalars(chosen)}
        for total, appeal_id, reasons in chunk:
            appeal = loaded.get(appeal_id)
            if appeal is not None and (viewer is None or can_read(viewer, appeal)):
                matches.append(Match(appeal, total, text_hits.get(appeal_id, 0.0), reasons))
        if len(matches) >= limit:
            break
    return matches[:limit]


def present(matches: Iterable[Match], viewer: User | None) -> list[dict[str, Any]]:
    """The list as the viewer may see it: names, phones and free text masked without PII_VIEW.
    "同一诉求人" is a reason the list may give without showing the number."""
    rows = []
    for match in matches:
        appeal = match.appeal
        person = appellant(appeal, viewer)
        rows.append(
            {
                "number": appeal.number,
                "title": free_text(appeal.title, appeal, viewer),
                "status": appeal.status,
                "status_label": Status(appeal.status).label,
                "street": appeal.street.name if appeal.street else None,
                "community": appeal.community.name if appeal.community else None,
                "created_at": appeal.created_at.isoformat(),
                "appellant_name": person["name"],
                "appellant_phone": person["phone"],
                "score": match.score,
                "text_similarity": round(match.text_similarity, 2),
                "reasons": match.reasons,
                "explanation": match.explanation,
            }
        )
    return rows
