"""`zhengshu bench similar`: the similar-appeals lookup over a large store of appeals.

Stores N appeals whose texts are real citizen messages (../shared/data/appeals: the hotspot, replies
and labelled files), each a window of one message's sentences, sometimes with a sentence of another
message added, so the store holds many distinct texts about the same kinds of matters. Place
(Longgang's streets and communities), appellant (phones, some appellants with several appeals),
time (the last 60 days) and status are synthetic. Each row carries its search terms as intake
writes them (zhengshu.appeals.search_terms, computed in `jobs` processes and timed apart:
terms_seconds). Then it builds the index from the database (index_seconds: reading the stored
terms, no segmenting) and
looks up new appeals: half are true re-submissions of a stored appeal (one or two sentences dropped,
a few characters changed, "再次反映" in front; the old title half of the time, the same community 70%
of the time, the same appellant half of the time, within five days), half are fresh texts. It
prints one JSON line: the lookup latencies (the whole lookup: segmenting, refreshing the index,
BM25, loading and scoring candidates), the share of re-submissions whose original is among the
first five listed (recall_at_5), and the process's memory once the generated rows are let go.
"""

from __future__ import annotations

import csv
import gc
import random
import re
import resource
import shutil
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from zhengshu.appeals.models import Appeal
from zhengshu.appeals.search_terms import search_terms_all
from zhengshu.appeals.similar import Probe, appeal_text, find_similar, forget, index_for
from zhengshu.appeals.workflow import Status
from zhengshu.bulk import insert_rows
from zhengshu.clock import now
from zhengshu.db import create_db_engine, session_factory, transaction
from zhengshu.migrate import upgrade
from zhengshu.org.models import Community

SENTENCE_END = re.compile(r"(?<=[。！？!?；;\n])")
SOURCES = {
    "teddycup2020_hotspot_messages.csv": ("留言主题", "留言详情"),
    "teddycup2020_replies.csv": ("留言主题", "留言详情"),
    "teddycup2020_labeled_dev.csv": (None, "text"),
}
STATUS_WEIGHTS = {
    Status.SUBMITTED: 10,
    Status.DISPATCHED: 15,
    Status.HANDLING: 45,
    Status.REPLIED: 10,
    Status.CLOSED: 20,
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
BATCH = 5000


@dataclass(frozen=True)
class Message:
    title: str
    sentences: list[str]


def load_messages(data_dir: Path) -> list[Message]:
    folder = data_dir / "appeals"
    if not folder.is_dir():
        raise FileNotFoundError(f"找不到真实数据目录 {folder}")
    seen: set[str] = set()
    messages = []
    for name, (title_column, body_column) in SOURCES.items():
        with (folder / name).open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                body = (row.get(body_column) or "").strip()
                if len(body) < 20 or body in seen:
                    continue
                seen.add(body)
                sentences = [s.strip() for s in SENTENCE_END.split(body) if s.strip()]
                title = (row.get(title_column) or "").strip() if title_column else ""
                messages.append(Message(title or sentences[0][:40], sentences))
    return messages


def _window(rng: random.Random, sentences: list[str], share: float) -> list[str]:
    size = max(1, round(len(sentences) * rng.uniform(share, 1.0)))
    start = rng.randrange(len(sentences) - size + 1)
    return sentences[start : start + size]


def compose(rng: random.Random, messages: list[Message]) -> tuple[str, str]:
    """A title and a content made of real sentences."""
    main = rng.choice(messages)
    sentences = _window(rng, main.sentences, 0.6)
    if rng.random() < 0.4:
        sentences = sentences + _window(rng, rng.choice(messages).sentences, 0.0)[:2]
    return main.title[:200], "".join(sentences)


def resubmission(rng: random.Random, content: str) -> str:
    """The same matter told again: up to two sentences dropped, a few characters changed, a new
    opening."""
    sentences = [s for s in SENTENCE_END.split(content) if s]
    for _ in range(rng.randint(1, 2)):
        if len(sentences) >= 3:
            del sentences[rng.randrange(len(sentences))]
    chars = list("".join(sentences))
    for _ in range(max(1, len(chars) // 50)):
        chars[rng.randrange(len(chars))] = rng.choice(chars)
    return rng.choice(["再次反映：", "之前反映过，", "", "请尽快处理："]) + "".join(chars)


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


def generate_rows(
    rng: random.Random, count: int, messages: list[Message], places: list[tuple[int, int]], moment: datetime
) -> list[dict[str, Any]]:
    phones = [_phone(rng) for _ in range(max(1, int(count * 0.7)))]
    statuses = list(STATUS_WEIGHTS)
    weights = list(STATUS_WEIGHTS.values())
    rows = []
    for i in range(count):
        title, content = compose(rng, messages)
        street_id, community_id = rng.choice(places)
        created = moment - timedelta(days=rng.uniform(0, 60))
        status = rng.choices(statuses, weights)[0]
        closed = None
        if status is Status.CLOSED:
            closed = min(moment, created + timedelta(days=rng.uniform(1, 10)))
            if closed < moment - timedelta(days=25):
                status, closed = Status.HANDLING, None
        phone = rng.choice(phones)
        rows.append(
            {
                "number": f"S{i:010d}",
                "channel": "hotline",
                "type": "complaint",
                "urgency": "normal",
                "status": status.value,
                "appellant_name": rng.choice(SURNAMES) + "先生",
                "appellant_phone": phone,
                "appellant_phone_last4": phone[-4:],
                "is_enterprise": False,
                "title": title,
                "content": content,
                "address": f"第{rng.randrange(1, 400)}号",
                "street_id": street_id,
                "community_id": community_id,
                "created_at": created,
                "updated_at": closed or created,
                "closed_at": closed,
                "reply": "已处理" if closed else None,
                "replied_at": closed,
                "reopen_count": 0,
                "due_estimated": False,
                "version": 1,
            }
        )
    return rows


def store(engine: Engine, rows: list[dict[str, Any]]) -> None:
    factory = session_factory(engine)
    for start in range(0, len(rows), BATCH):
        with transaction(factory) as session:
            insert_rows(session, Appeal.__table__, rows[start : start + BATCH])  # type: ignore[arg-type]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(
    appeals: int,
    lookups: int,
    data_dir: Path,
    database_url: str | None = None,
    jobs: int = 2,
    seed: int = 7,
) -> dict[str, Any]:
    rng = random.Random(seed)
    messages = load_messages(data_dir)
    scratch = None if database_url else tempfile.mkdtemp(prefix="zhengshu-bench-")
    url = database_url or f"sqlite:///{scratch}/similar.db"
    engine = create_db_engine(url)
    upgrade(engine)
    factory = session_factory(engine)
    with factory() as session:
        places = [(c.street_id, c.id) for c in session.scalars(select(Community))]
    moment = now()
    rows = generate_rows(rng, appeals, messages, places, moment)
    started = time.perf_counter()
    stored = search_terms_all([(row["title"], row["content"]) for row in rows], jobs)
    for row, words in zip(rows, stored, strict=True):
        row["search_terms"] = words
    terms_seconds = time.perf_counter() - started
    del stored
    started = time.perf_counter()
    store(engine, rows)
    store_seconds = time.perf_counter() - started
    with factory() as session:
        found_ids = session.execute(select(Appeal.number, Appeal.id).where(Appeal.number.like("S%")))
        ids = dict(found_ids.tuples().all())
    originals = [(ids[row["number"]], row) for row in rng.sample(rows, min(len(rows), lookups))]
    del rows, ids  # the process then holds little more than the index: rss_mb says what it costs
    gc.collect()
    forget(engine)
    started = time.perf_counter()
    with factory() as session:
        indexed = len(index_for(session, jobs=jobs))
    index_seconds = time.perf_counter() - started

    latencies: list[float] = []
    found = tried = 0
    with factory() as session:
        for number in range(lookups):
            if number % 2 == 0:
                target, original = originals[number % len(originals)]
                content = resubmission(rng, original["content"])
                # Half the time told without the old title, a third of the time placed elsewhere.
                title = original["title"] if rng.random() < 0.5 else ""
                street_id, community_id = (
                    rng.choice(places)
                    if rng.random() < 0.3
                    else (original["street_id"], original["community_id"])
                )
                probe = Probe(
                    text=appeal_text(title, content),
                    phone=original["appellant_phone"] if rng.random() < 0.5 else _phone(rng),
                    street_id=street_id,
                    community_id=community_id,
                    address=None,
                    at=original["created_at"] + timedelta(days=rng.uniform(0, 5)),
                )
            else:
                title, content = compose(rng, messages)
                street_id, community_id = rng.choice(places)
                probe = Probe(appeal_text(title, content), _phone(rng), street_id, community_id, None, moment)
                target = 0
            began = time.perf_counter()
            matches = find_similar(session, probe, limit=5)
            latencies.append((time.perf_counter() - began) * 1000)
            if target:
                tried += 1
                found += any(m.appeal.id == target for m in matches[:5])
            session.expunge_all()
    engine.dispose()
    if scratch:
        shutil.rmtree(scratch, ignore_errors=True)
    return {
        "appeals": appeals,
        "indexed": indexed,
        "lookups": lookups,
        "terms_seconds": round(terms_seconds, 1),
        "store_seconds": round(store_seconds, 1),
        "index_seconds": round(index_seconds, 1),
        "p50_ms": round(statistics.median(latencies), 2) if latencies else 0.0,
        "p95_ms": round(_percentile(latencies, 0.95), 2),
        "recall_at_5": round(found / tried, 4) if tried else None,
        "rss_mb": round(_rss_mb(), 1),
        "backend": engine.dialect.name,
        "jobs": jobs,
    }
