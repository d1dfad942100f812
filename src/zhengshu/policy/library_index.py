"""The Q&A's index of a database's policy library: every version's articles as passages, with the
facts the answers and filters need. Built once per process (in the background at start), then kept
current: after an ingest or an edit, and whenever another process changed the library (a cheap
signature of the versions is compared before each question)."""

from __future__ import annotations

import threading
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker, undefer

from zhengshu.audit import AuditEvent
from zhengshu.db import reading
from zhengshu.policy.answers import Source
from zhengshu.policy.embeddings import WordVectorEncoder
from zhengshu.policy.llm import LlmEndpoint
from zhengshu.policy.models import PolicyStatus, PolicyVersion
from zhengshu.policy.passages import Passage, passages_of
from zhengshu.policy.qa import PolicyQa, SourceFacts
from zhengshu.policy.retrieval import PolicyIndex
from zhengshu.policy.retrieval_dense import DenseEncoder
from zhengshu.policy.structure import parse_structure, units_for_passages
from zhengshu.policy.versions import SUBJECT
from zhengshu.settings import Settings

Signature = tuple[object, ...]


def passages_for(doc_id: str, title: str, text: str) -> list[Passage]:
    """A document's passages: its articles when it has 条 or numbered sections, else windows of
    sentences (the benchmark cuts its corpus the same way)."""
    parsed = parse_structure(text)
    # Articles (条) are what a citation names; notices numbered 一、二、 read better as windows.
    has_articles = any(unit.kind == "article" for unit in parsed.units)
    return passages_of(doc_id, title, text, units_for_passages(parsed) if has_articles else None)


def doc_id_of(version: PolicyVersion) -> str:
    return f"v{version.id}"


def version_link(version: PolicyVersion) -> str:
    return f"/policy/documents/{version.document_id}?version={version.id}"


def facts_of(version: PolicyVersion) -> SourceFacts:
    source = Source(
        doc_id_of(version),
        version.title,
        version.document_number,
        PolicyStatus(version.status),
        version.valid_until,
        version_link(version),
        version.is_current,
    )
    return SourceFacts(source, version.issuing_body, version.year)


def _signature(session: Session) -> Signature:
    """Changes whenever a version is added, edited or changes status: each of those is audited."""
    versions = session.execute(
        select(func.count(PolicyVersion.id), func.max(PolicyVersion.id), func.max(PolicyVersion.created_at))
    ).one()
    # The count as well as the newest id: on PostgreSQL a change may commit after one with a higher id.
    changes = session.execute(
        select(func.count(AuditEvent.id), func.max(AuditEvent.id)).where(AuditEvent.subject_type == SUBJECT)
    ).one()
    return (*versions, *changes)


class LibraryIndex:
    def __init__(self, encoder: DenseEncoder | None = None) -> None:
        self.index = PolicyIndex(encoder=encoder)
        self.facts: dict[str, SourceFacts] = {}
        self.signature: Signature | None = None
        self._hashes: dict[str, str] = {}  # indexed doc id → the content hash and title it was indexed with
        self._lock = threading.Lock()

    def _add(self, versions: list[PolicyVersion]) -> None:
        for version in versions:
            doc_id = doc_id_of(version)
            self.index.add_document(doc_id, version.title, passages_for(doc_id, version.title, version.text))

    def refresh(self, session: Session) -> None:
        """Index the versions not indexed yet (or whose text changed), drop those gone, and reload
        every version's facts, when the library changed since the last refresh. While one thread
        refreshes, the others answer from the index as it stands (it is searchable throughout),
        except before the first build, which every question waits for."""
        if not self._lock.acquire(blocking=self.signature is None):
            return
        try:
            self._refresh(session)
        finally:
            self._lock.release()

    def _refresh(self, session: Session) -> None:
        signature = _signature(session)
        if signature == self.signature:
            return
        versions = list(session.scalars(select(PolicyVersion)))
        # The title is indexed with every passage: an edited title is indexed again too.
        present = {doc_id_of(v): f"{v.content_hash}|{v.title}" for v in versions}
        for gone in [doc_id for doc_id in self._hashes if present.get(doc_id) != self._hashes[doc_id]]:
            self.index.remove_document(gone)
            del self._hashes[gone]
        new = [v.id for v in versions if doc_id_of(v) not in self._hashes]
        if new:
            with_text = (
                select(PolicyVersion).options(undefer(PolicyVersion.text)).where(PolicyVersion.id.in_(new))
            )
            self._add(list(session.scalars(with_text)))
        self._hashes.update(present)
        self.facts = {doc_id_of(v): facts_of(v) for v in versions}
        self.signature = signature

    def qa(self, endpoint: LlmEndpoint | None) -> PolicyQa:
        return PolicyQa(self.index, self.facts, endpoint)


_indexes: WeakKeyDictionary[Engine, LibraryIndex] = WeakKeyDictionary()
_registry_lock = threading.Lock()


def configure(engine: Engine, settings: Settings) -> None:
    """The engine's index with the operator's settings: dense vectors from the local embedding model
    when one is configured (checked now, at start). Without this, the index is BM25 only."""
    encoder = (
        WordVectorEncoder.from_dir(settings.embedding_model_dir) if settings.embedding_model_dir else None
    )
    with _registry_lock:
        _indexes[engine] = LibraryIndex(encoder)


def library_index(factory: sessionmaker[Session]) -> LibraryIndex:
    """The engine's library index, brought up to date with the database."""
    engine = factory.kw["bind"]
    with _registry_lock:
        index = _indexes.get(engine)
        if index is None:
            index = _indexes[engine] = LibraryIndex()
    with reading(factory) as session:
        index.refresh(session)
    return index


def warm_up(factory: sessionmaker[Session]) -> threading.Thread:
    """Build the library index in the background (app start), so no question pays for it."""
    thread = threading.Thread(
        target=library_index, args=(factory,), name="zhengshu-policy-index", daemon=True
    )
    thread.start()
    return thread
