"""Ingest: a file (or a JSONL line) becomes a version of a document in the library.

Everything is parsed first (read → metadata → structure); only then is anything written, inside the
caller's transaction. A refused or failing file raises before or while writing and the caller's
transaction rolls back, so no half-written document is ever left behind. Bulk ingest gives each
file (each JSONL line) its own transaction and goes on past failures.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePath
from typing import Any

from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from zhengshu import audit
from zhengshu.bulk import insert_rows
from zhengshu.clock import now
from zhengshu.db import transaction
from zhengshu.errors import Conflict, DomainError, InvalidInput
from zhengshu.org.models import User
from zhengshu.policy.metadata import ExtractedMetadata, extract_metadata
from zhengshu.policy.models import PolicyArticle, PolicyDocument, PolicyStatus, PolicyVersion
from zhengshu.policy.readers import FORMATS, RawText, read_file, read_jsonl
from zhengshu.policy.structure import ParsedDocument, parse_structure
from zhengshu.policy.versions import (
    SUBJECT,
    actor_label,
    current_version,
    find_document,
    is_older,
    next_version_no,
    repeal_targets,
    repealed_by_others,
    same_text_version,
    set_status,
    validate_fields,
)

__all__ = [
    "BulkReport",
    "IngestResult",
    "ItemOutcome",
    "PreparedDocument",
    "ingest_file",
    "ingest_folder",
    "ingest_jsonl",
    "ingest_path",
    "ingest_prepared",
    "prepare",
]

log = logging.getLogger(__name__)

CREATED, NEW_VERSION, EARLIER_VERSION, UNCHANGED, ERROR = (
    "created",
    "new_version",
    "earlier_version",
    "unchanged",
    "error",
)
OUTCOME_LABELS = {
    CREATED: "新建",
    NEW_VERSION: "新版本",
    EARLIER_VERSION: "历史版本",
    UNCHANGED: "内容未变",
    ERROR: "失败",
}
Progress = Callable[[int, int, str], None]  # (done, total, name of what was just done)


@dataclass(frozen=True)
class PreparedDocument:
    """One document parsed and ready to write; building it touches no database."""

    source_name: str
    source_format: str
    text: str
    content_hash: str
    metadata: ExtractedMetadata
    parsed: ParsedDocument
    doc_key: str


@dataclass(frozen=True)
class IngestResult:
    outcome: str  # created, new_version, earlier_version, unchanged
    document_id: int
    version_id: int
    title: str
    superseded_version_id: int | None = None
    repealed_version_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class ItemOutcome:
    name: str  # file name, or "file.jsonl:12 (docid)"
    outcome: str
    message: str = ""
    result: IngestResult | None = None


@dataclass
class BulkReport:
    items: list[ItemOutcome] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for item in self.items if item.outcome == outcome)

    @property
    def errors(self) -> list[ItemOutcome]:
        return [item for item in self.items if item.outcome == ERROR]

    def summary(self) -> dict[str, int]:
        return {outcome: self.count(outcome) for outcome in OUTCOME_LABELS} | {"total": len(self.items)}


def prepare(
    name: str,
    raw: RawText,
    *,
    today: date,
    hints: Mapping[str, Any] | None = None,
    docid: str | None = None,
) -> PreparedDocument:
    """Metadata and structure of a read document. `hints` (JSONL fields, an officer's form) are
    validated and win over what the text says."""
    fallback = str(hints.get("title", "")) if hints else ""
    metadata = extract_metadata(raw.text, today=today, fallback_title=fallback or PurePath(name).stem)
    if hints:
        for key, value in validate_fields(hints).items():
            setattr(metadata, key, value)
            metadata.sources[key] = "导入时提供"
    if docid is not None:
        doc_key = f"docid:{docid}"
    elif metadata.document_number:
        doc_key = f"文号:{metadata.document_number}"
    else:
        doc_key = f"标题:{metadata.issuing_body or ''}|{metadata.title}"
    return PreparedDocument(
        source_name=name[-255:],
        source_format=raw.format,
        text=raw.text,
        content_hash=hashlib.sha256(raw.text.encode("utf-8")).hexdigest(),
        metadata=metadata,
        parsed=parse_structure(raw.text),
        doc_key=doc_key[:400],
    )


def ingest_file(
    session: Session,
    name: str,
    data: bytes,
    *,
    actor: User | None = None,
    hints: Mapping[str, Any] | None = None,
) -> IngestResult:
    """Read, parse and store one uploaded document in the caller's transaction."""
    prepared = prepare(name, read_file(name, data), today=now().date(), hints=hints)
    return ingest_prepared(session, prepared, actor=actor)


def ingest_prepared(
    session: Session, prepared: PreparedDocument, *, actor: User | None = None
) -> IngestResult:
    """Store a prepared document in the caller's transaction. Conflict when another import of the
    same document got there first (the caller's transaction must then roll back)."""
    try:
        result = _store(session, prepared, actor)
        # Written now, so that a unique key taken by a concurrent import is reported here.
        session.flush()
    except IntegrityError as error:
        raise Conflict("同一文件正在被导入或已导入，请刷新后重试") from error
    return result


def _store(session: Session, prepared: PreparedDocument, actor: User | None) -> IngestResult:
    meta = prepared.metadata
    document = find_document(session, prepared.doc_key, meta.document_number, meta.title, meta.issuing_body)
    if document is not None:
        # Any version with this text, current or history: a re-import changes nothing.
        same = same_text_version(session, document.id, prepared.content_hash)
        if same is not None:
            return IngestResult(UNCHANGED, document.id, same.id, same.title)
    current = current_version(session, document.id) if document else None
    created = document is None
    if document is None:
        document = PolicyDocument(doc_key=prepared.doc_key, created_at=now())
        session.add(document)
        session.flush()
    version = _new_version(session, document, prepared, actor)
    # An older text imported after a newer one is kept as history, not made current.
    earlier = current is not None and is_older(meta, current) is True
    superseded: PolicyVersion | None = None
    if current is not None:
        superseded = version if earlier else current
        newer = current if earlier else version
        superseded.is_current = False
        session.flush()
        superseded.superseded_by_id = newer.id
        if superseded.status == PolicyStatus.IN_FORCE:
            set_status(session, superseded, PolicyStatus.AMENDED, actor=actor, reason="被新版本取代",
                       data={"superseded_by": newer.id})  # fmt: skip
    _write_articles(session, version, prepared.parsed)
    repealed = _apply_repeals(session, version, actor) if not earlier else []
    outcome = CREATED if created else EARLIER_VERSION if earlier else NEW_VERSION
    audit.record(
        session,
        "policy.imported" if created else "policy.version_added",
        SUBJECT,
        version.id,
        actor_id=actor.id if actor else None,
        actor_label=actor_label(actor),
        data={
            "document_id": document.id,
            "version_no": version.version_no,
            "source_name": prepared.source_name,
            "format": prepared.source_format,
            "outcome": outcome,
            "superseded_version_id": superseded.id if superseded else None,
            "repealed_version_ids": [item.id for item in repealed],
        },
    )
    return IngestResult(
        outcome,
        document.id,
        version.id,
        version.title,
        superseded.id if superseded else None,
        tuple(item.id for item in repealed),
    )


def _new_version(
    session: Session, document: PolicyDocument, prepared: PreparedDocument, actor: User | None
) -> PolicyVersion:
    meta = prepared.metadata
    version = PolicyVersion(
        document_id=document.id,
        version_no=next_version_no(session, document.id),
        title=meta.title,
        document_number=meta.document_number,
        issuing_body=meta.issuing_body,
        written_on=meta.written_on,
        published_on=meta.published_on,
        effective_on=meta.effective_on,
        valid_until=meta.valid_until,
        year=meta.year,
        status=meta.status.value,
        topics=meta.topics,
        repeals=meta.repeals,
        metadata_sources=meta.sources,
        metadata_edited=False,
        source_name=prepared.source_name,
        source_format=prepared.source_format,
        text=prepared.text,
        content_hash=prepared.content_hash,
        created_at=now(),
        created_by_id=actor.id if actor else None,
        is_current=True,
    )
    session.add(version)
    session.flush()
    return version


def _write_articles(session: Session, version: PolicyVersion, parsed: ParsedDocument) -> None:
    rows = [
        {
            "version_id": version.id,
            "ordinal": ordinal,
            "kind": unit.kind,
            "anchor": unit.anchor,
            "path": unit.path[:300],
            "heading": unit.heading[:300],
            "text": parsed.unit_text(unit),
            "start_offset": unit.start,
            "end_offset": unit.end,
            "parts": [{"anchor": part.anchor, "start": part.start, "end": part.end} for part in unit.parts],
        }
        for ordinal, unit in enumerate(parsed.units, start=1)
    ]
    insert_rows(session, PolicyArticle.__table__, rows)  # type: ignore[arg-type]


def _apply_repeals(session: Session, version: PolicyVersion, actor: User | None) -> list[PolicyVersion]:
    """Mark 已废止 the documents this version repeals, and this version if one imported earlier
    repeals it."""
    repealed = []
    for target in repeal_targets(session, version):
        if set_status(session, target, PolicyStatus.REPEALED, actor=actor, reason="被其他文件废止",
                      data={"repealed_by": version.id}):  # fmt: skip
            repealed.append(target)
    repealer = repealed_by_others(session, version)
    if repealer is not None:
        set_status(session, version, PolicyStatus.REPEALED, actor=actor, reason="被其他文件废止",
                   data={"repealed_by": repealer.id})  # fmt: skip
    return repealed


def _guarded(name: str, work: Callable[[], IngestResult]) -> ItemOutcome:
    try:
        result = work()
    except DomainError as error:
        return ItemOutcome(name, ERROR, error.message)
    except (SQLAlchemyError, OSError) as error:
        # The type only: a message could quote the document's text.
        log.warning("policy ingest failed: %s", type(error).__name__)
        return ItemOutcome(name, ERROR, "导入失败：保存时出错，请稍后重试")
    return ItemOutcome(name, result.outcome, OUTCOME_LABELS[result.outcome], result)


def ingest_jsonl(
    factory: sessionmaker[Session],
    name: str,
    data: bytes,
    *,
    progress: Progress | None = None,
    actor: User | None = None,
    report: BulkReport | None = None,
) -> BulkReport:
    """Each line {"docid", "text", optional "title" and metadata} in its own transaction."""
    report = report or BulkReport()
    lines = list(read_jsonl(data))
    today = now().date()
    for done, (number, record) in enumerate(lines, start=1):
        if isinstance(record, InvalidInput):
            report.items.append(ItemOutcome(f"{name}:{number}", ERROR, record.message))
        else:
            label = f"{name}:{number}（{record.docid}）"

            def work(record: Any = record) -> IngestResult:
                prepared = prepare(
                    record.docid, record.raw, today=today, hints=record.hints, docid=record.docid
                )
                with transaction(factory) as session:
                    return ingest_prepared(session, prepared, actor=actor)

            report.items.append(_guarded(label, work))
        if progress:
            progress(done, len(lines), report.items[-1].name)
    return report


def _folder_files(path: Path) -> list[Path]:
    suffixes = {*FORMATS, ".jsonl"}
    return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in suffixes)


def ingest_folder(
    factory: sessionmaker[Session],
    path: Path,
    *,
    progress: Progress | None = None,
    actor: User | None = None,
) -> BulkReport:
    """Every .txt, .html, .docx, .pdf and .jsonl file under `path`, in name order, each in its own
    transaction; a failing file is reported and the others go on."""
    report = BulkReport()
    files = _folder_files(path)
    for done, file in enumerate(files, start=1):
        name = str(file.relative_to(path))
        if file.suffix.lower() == ".jsonl":
            try:
                ingest_jsonl(factory, name, file.read_bytes(), actor=actor, report=report)
            except DomainError as error:
                report.items.append(ItemOutcome(name, ERROR, error.message))
        else:

            def work(file: Path = file, name: str = name) -> IngestResult:
                data = file.read_bytes()
                with transaction(factory) as session:
                    return ingest_file(session, name, data, actor=actor)

            report.items.append(_guarded(name, work))
        if progress:
            progress(done, len(files), name)
    return report


def ingest_path(
    factory: sessionmaker[Session],
    path: Path,
    *,
    progress: Progress | None = None,
    actor: User | None = None,
) -> BulkReport:
    """A folder, a .jsonl file or a single document: what `zhengshu policy import` takes."""
    if path.is_dir():
        return ingest_folder(factory, path, progress=progress, actor=actor)
    if path.suffix.lower() == ".jsonl":
        return ingest_jsonl(factory, path.name, path.read_bytes(), progress=progress, actor=actor)

    def work() -> IngestResult:
        data = path.read_bytes()
        with transaction(factory) as session:
            return ingest_file(session, path.name, data, actor=actor)

    report = BulkReport([_guarded(path.name, work)])
    if progress:
        progress(1, 1, path.name)
    return report
