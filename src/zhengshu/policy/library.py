"""The library as people browse it: current versions filtered by issuing body, year, status and
topic; full-text search through the Q&A's index (the platform's one retrieval engine), where a
quoted phrase must appear exactly; a document with its versions and articles."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, undefer

from zhengshu.errors import InvalidInput, NotFound
from zhengshu.policy.library_index import LibraryIndex, doc_id_of
from zhengshu.policy.models import PolicyArticle, PolicyDocument, PolicyStatus, PolicyVersion
from zhengshu.validation import filter_text

PAGE_SIZE = 30
MAX_QUERY = 200
SEARCHED_PASSAGES = 200
_QUOTED = re.compile(r"[\"“”「」『』]([^\"“”「」『』]{2,80})[\"“”「」『』]")


@dataclass(frozen=True)
class LibraryFilters:
    issuing_body: str | None = None
    year: int | None = None
    status: PolicyStatus | None = None
    topic: str | None = None
    query: str | None = None


def parse_filters(
    issuing_body: str | None, year: str | None, status: str | None, topic: str | None, query: str | None
) -> LibraryFilters:
    def text(value: str | None, label: str, limit: int = 100) -> str | None:
        return filter_text(value, label, limit)

    year_text = text(year, "年份", 4)
    if year_text is not None and not (year_text.isdigit() and 1949 <= int(year_text) <= 2100):
        raise InvalidInput(f"年份应为四位数字（收到：{year_text}）")
    status_text = text(status, "状态", 16)
    try:
        chosen = PolicyStatus.from_label(status_text) if status_text else None
    except ValueError:
        raise InvalidInput(f"未知的文件状态：{status_text}") from None
    return LibraryFilters(
        text(issuing_body, "发文机关"),
        int(year_text) if year_text else None,
        chosen,
        text(topic, "主题", 32),
        text(query, "检索词", MAX_QUERY),
    )


@dataclass(frozen=True)
class Match:
    """A search hit inside a version: the article and the passage that matched."""

    anchor: str | None
    snippet: str
    start: int
    end: int


@dataclass(frozen=True)
class Listed:
    version: PolicyVersion
    matches: list[Match]


@dataclass(frozen=True)
class Listing:
    items: list[Listed]
    total: int
    page: int
    size: int


def _filtered(filters: LibraryFilters) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [PolicyVersion.is_current.is_(True)]
    if filters.issuing_body:
        where.append(PolicyVersion.issuing_body == filters.issuing_body)
    if filters.year:
        where.append(PolicyVersion.year == filters.year)
    if filters.status:
        where.append(PolicyVersion.status == filters.status.value)
    return where


def _searched(index: LibraryIndex, query: str) -> dict[str, list[Match]]:
    """Version doc ids → their matching passages, best first; quoted phrases must appear verbatim."""
    phrases = _QUOTED.findall(query)
    hits = index.index.search(query, SEARCHED_PASSAGES)
    found: dict[str, list[Match]] = {}
    for hit in hits:
        passage = hit.passage
        if phrases and not all(phrase in passage.text for phrase in phrases):
            continue
        start = passage.start + (passage.text.find(phrases[0]) if phrases else 0)
        end = start + (len(phrases[0]) if phrases else len(passage.text))
        snippet = passage.text[:160] + ("…" if len(passage.text) > 160 else "")
        found.setdefault(passage.doc_id, []).append(Match(passage.anchor, snippet, start, end))
    return found


def listing(session: Session, index: LibraryIndex, filters: LibraryFilters, page: int = 1) -> Listing:
    """Current versions matching the filters: by relevance when searching, newest first otherwise."""
    page = max(page, 1)
    query = select(PolicyVersion).where(*_filtered(filters))
    if filters.topic:
        versions = [v for v in session.scalars(query) if filters.topic in (v.topics or [])]
    else:
        versions = list(session.scalars(query))
    if filters.query:
        found = _searched(index, filters.query)
        order = {doc_id: rank for rank, doc_id in enumerate(found)}
        chosen = sorted((v for v in versions if doc_id_of(v) in found), key=lambda v: order[doc_id_of(v)])
        items = [Listed(v, found[doc_id_of(v)][:3]) for v in chosen]
    else:
        chosen = sorted(
            versions,
            key=lambda v: (v.year or 0, v.published_on or v.written_on or v.created_at.date(), v.id),
            reverse=True,
        )
        items = [Listed(v, []) for v in chosen]
    start = (page - 1) * PAGE_SIZE
    return Listing(items[start : start + PAGE_SIZE], len(items), page, PAGE_SIZE)


def facets(session: Session) -> dict[str, list[str]]:
    """The values the filters offer: issuing bodies, years and topics of current versions."""
    current = PolicyVersion.is_current.is_(True)
    bodies = session.scalars(
        select(PolicyVersion.issuing_body).where(current, PolicyVersion.issuing_body.is_not(None)).distinct()
    )
    years = session.scalars(
        select(PolicyVersion.year).where(current, PolicyVersion.year.is_not(None)).distinct()
    )
    topics: set[str] = set()
    for values in session.scalars(select(PolicyVersion.topics).where(current)):
        topics.update(values or [])
    return {
        "issuing_bodies": sorted(b for b in bodies if b),
        "years": [str(y) for y in sorted((y for y in years if y), reverse=True)],
        "topics": sorted(topics),
        "statuses": [s.label for s in PolicyStatus],
    }


@dataclass(frozen=True)
class DocumentView:
    document: PolicyDocument
    version: PolicyVersion  # the one shown
    versions: Sequence[PolicyVersion]  # every version, newest first
    articles: Sequence[PolicyArticle]


def document_view(session: Session, document_id: int, version_id: int | None = None) -> DocumentView:
    document = session.get(PolicyDocument, document_id)
    if document is None:
        raise NotFound("文件不存在")
    versions = list(
        session.scalars(
            select(PolicyVersion)
            .options(undefer(PolicyVersion.text))
            .where(PolicyVersion.document_id == document_id)
            .order_by(PolicyVersion.version_no.desc())
        )
    )
    if not versions:
        raise NotFound("文件不存在")
    wanted = (lambda v: v.is_current) if version_id is None else (lambda v: v.id == version_id)
    shown = next((v for v in versions if wanted(v)), versions[0] if version_id is None else None)
    if shown is None:
        raise NotFound("该文件没有这个版本")
    articles = list(
        session.scalars(
            select(PolicyArticle).where(PolicyArticle.version_id == shown.id).order_by(PolicyArticle.ordinal)
        )
    )
    return DocumentView(document, shown, versions, articles)


def count_current(session: Session) -> int:
    return session.scalar(select(func.count(PolicyVersion.id)).where(PolicyVersion.is_current.is_(True))) or 0
