"""Answers and library entries as the JSON API and the pages show them."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from zhengshu.policy.answers import Answer, Citation
from zhengshu.policy.models import PolicyArticle, PolicyVersion
from zhengshu.policy.qa import Retrieval


def citation_link(citation: Citation) -> str:
    """The cited document's page, opened at the article with the passage highlighted."""
    passage = citation.passage
    base = citation.source.link or ""
    joiner = "&" if "?" in base else "?"
    query = urlencode({"hl": f"{passage.start}-{passage.start + len(passage.text)}"})
    return f"{base}{joiner}{query}#hl"


def citation_json(citation: Citation) -> dict[str, Any]:
    source = citation.source
    return {
        "number": citation.number,
        "label": citation.label,
        "title": source.title,
        "document_number": source.document_number,
        "article": citation.passage.anchor,
        "standing": citation.standing,
        "quote": citation.quote,
        "passage": citation.passage.text,
        "link": citation_link(citation),
    }


def answer_json(answer: Answer) -> dict[str, Any]:
    return {
        "question": answer.question,
        "refused": answer.refused,
        "reason": answer.reason,
        "confidence": round(answer.confidence, 3),
        "answer": answer.text,
        "statements": [{"text": s.text, "citations": list(s.citations)} for s in answer.statements],
        "citations": [citation_json(c) for c in answer.citations],
        # Matching documents no longer in force: never the answer, shown for what they are.
        "withheld": [citation_json(c) for c in answer.withheld],
    }


def retrieval_json(found: Retrieval) -> dict[str, Any]:
    return {
        "asked": found.asked,
        "words": list(found.words),
        "verdict": {
            "answerable": found.verdict.answerable,
            "confidence": round(found.verdict.confidence, 3),
            "reason": found.verdict.reason,
        },
        "hits": [
            {
                "rank": rank,
                "doc_id": hit.passage.doc_id,
                "title": hit.passage.title,
                "article": hit.passage.anchor,
                "score": round(hit.score, 4),
                "reasons": {name: round(value, 4) for name, value in hit.reasons.items()},
                "passage": hit.passage.text,
            }
            for rank, hit in enumerate(found.hits, start=1)
        ],
    }


def version_json(version: PolicyVersion, today: date) -> dict[str, Any]:
    """A version as the API shows it: ``status`` is its standing today (a superseded version is
    已修改, one past 有效期至 已失效), ``marked_status`` what is stored."""
    shown = version.standing(today)
    return {
        "document_id": version.document_id,
        "version_id": version.id,
        "version_no": version.version_no,
        "title": version.title,
        "document_number": version.document_number,
        "issuing_body": version.issuing_body,
        "written_on": version.written_on.isoformat() if version.written_on else None,
        "published_on": version.published_on.isoformat() if version.published_on else None,
        "effective_on": version.effective_on.isoformat() if version.effective_on else None,
        "valid_until": version.valid_until.isoformat() if version.valid_until else None,
        "status": shown.value,
        "status_label": shown.label,
        "marked_status": version.status,
        "topics": list(version.topics or []),
        "is_current": version.is_current,
        "metadata_sources": dict(version.metadata_sources or {}),
    }


def article_json(article: PolicyArticle) -> dict[str, Any]:
    return {
        "anchor": article.anchor,
        "path": article.path,
        "heading": article.heading,
        "text": article.text,
        "start": article.start_offset,
        "end": article.end_offset,
    }
