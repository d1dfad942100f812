"""The library as people browse it: current versions filtered by issuing body, year, status and
topic; full-text search through the Q&A's index (the platform's one retrieval engine), where a
quoted phrase must appear exactly; a document with its versions and articles."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, undefer

from zhengshu.errors import InvalidInput, NotFound
from zhengshu.policy.library_index import LibraryIndex, doc_id_of
from zhengshu.policy.models import PolicyArticle, PolicyDocument, PolicyStatus, PolicyVersion
from zhengshu.policy.retrieval_query import quoted_phrases
from zhengshu.text.normalize import normalize_text
from zhengshu.validation import filter_text

PAGE_SIZE = 30
MAX_QUERY = 200
SEARCHED_PASSAGES = 200


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
    return where


def _searched(index: LibraryIndex, query: str, allowed: set[str]) -> dict[str, list[Match]]:
    """Version doc ids (of ``allowed``) → their matching passages, best first. Quoted phrases must
    appear verbatim: every passage is scanned for them, not only the ranked candidates."""
    phrases = [normalize_text(p) for p in quoted_phrases(query)]
    if phrases:
        hits = [
            p
            for p in index.index.passages()
            if p.doc_id in allowed and all(phrase in p.text for phrase in phrases)
        ]
    else:
        hits = [hit.passage for hit in index.index.search(query, SEARCHED_PASSAGES, allow_docs=allowed)]
    found: dict[str, list[Match]] = {}
    for passage in hits:
        offset = passage.text.find(phrases[0]) if phrases else 0
        start = passage.start + offset
        end = start + (len(phrases[0]) if phrases else len(passage.text))
        snippet = passage.text[:160] + ("…" if len(passage.text) > 160 else "")
        found.setdefault(passage.doc_id, []).append(Match(passage.anchor, snippet, start, end))
    return found


def listing(
    session: Session, index: LibraryIndex, filters: LibraryFilters, today: date, page: int = 1
) -> Listing:
    """Current versions matching the filters (status as it stands today): by relevance when searching,
    newest first otherwise."""
    page = max(page, 1)
    versions = [
        v
        for v in session.scalars(select(PolicyVersion).where(*_filtered(filters)))
        if (not filters.topic or filters.topic in (v.topics or []))
        and (not filters.status or v.standing(today) is filters.status)
    ]
    if filters.query:
        found = _searched(index, filters.query, {doc_id_of(v) for v in versions})
        order = {doc_id: rank for rank, doc_id in enumerate(found)}
        chosen = sorted((v for v in versions if doc_id_of(v) in found), key=lambda v: order[doc_id_of(v)])
        items = [Listed(v, found[doc_id_of(v)][:3]) for v in chosen]
    else:

        def newest(v: PolicyVersion) -> tuple[int, date, int]:
            return (v.year or 0, v.published_on or v.written_on or v.created_at.date(), v.id)

        items = [Listed(v, []) for v in sorted(versions, key=newest, reverse=True)]
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
