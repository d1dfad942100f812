"""政策智能问答: a question, with its earlier questions and the asker's filters, answered from the
library's passages (zhengshu.policy.retrieval) with citations, or refused (zhengshu.policy.refusal);
optionally written by a language model under the same rule (zhengshu.policy.llm)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from zhengshu.policy.answers import Answer, Source, compose
from zhengshu.policy.llm import LlmEndpoint, written
from zhengshu.policy.refusal import Verdict, assess
from zhengshu.policy.retrieval import PassageHit, PolicyIndex
from zhengshu.search.questions import checked_question, in_context

MAX_EARLIER = 5
# Passages retrieved per question: the answer cites the best few, the hit test shows them all.
RETRIEVED = 8


@dataclass(frozen=True)
class QaFilters:
    issuing_body: str | None = None
    first_year: int | None = None
    last_year: int | None = None
    # Only documents in force: otherwise documents no longer in force are searched too, and shown
    # apart as such when they match.
    in_force_only: bool = False


@dataclass(frozen=True)
class SourceFacts:
    """What the filters look at, besides the Source the answer shows."""

    source: Source
    issuing_body: str | None
    year: int | None


@dataclass(frozen=True)
class Retrieval:
    """What was retrieved for a question and why: for the hit test page."""

    asked: str  # the question as searched (with its context)
    words: tuple[str, ...]
    hits: list[PassageHit]
    verdict: Verdict  # on the passages of documents in force: what decides the answer


class PolicyQa:
    def __init__(
        self, index: PolicyIndex, facts: Mapping[str, SourceFacts], endpoint: LlmEndpoint | None = None
    ) -> None:
        self.index = index
        self.facts = dict(facts)
        self.endpoint = endpoint

    def allowed(self, filters: QaFilters, today: date) -> set[str] | None:
        """The documents the filters leave, or None for all."""
        if filters == QaFilters():
            return None
        allowed = set()
        for doc_id, facts in self.facts.items():
            if filters.issuing_body and filters.issuing_body not in (facts.issuing_body or ""):
                continue
            if filters.first_year and (facts.year is None or facts.year < filters.first_year):
                continue
            if filters.last_year and (facts.year is None or facts.year > filters.last_year):
                continue
            if filters.in_force_only and not facts.source.in_force(today):
                continue
            allowed.add(doc_id)
        return allowed

    def retrieve(
        self, question: str, *, earlier: Sequence[str] = (), filters: QaFilters = QaFilters(), today: date
    ) -> Retrieval:
        text = checked_question(question)
        asked = in_context(text, [checked_question(q) for q in earlier[-MAX_EARLIER:]])
        hits = self.index.search(asked, RETRIEVED, allow_docs=self.allowed(filters, today))
        in_force = [hit for hit in hits if self._in_force(hit, today)]
        return Retrieval(asked, tuple(self.index.words_of(asked)), hits, assess(asked, in_force))

    def _in_force(self, hit: PassageHit, today: date) -> bool:
        facts = self.facts.get(hit.passage.doc_id)
        return facts is not None and facts.source.in_force(today)

    def ask(
        self, question: str, *, earlier: Sequence[str] = (), filters: QaFilters = QaFilters(), today: date
    ) -> Answer:
        found = self.retrieve(question, earlier=earlier, filters=filters, today=today)
        sources = {doc_id: facts.source for doc_id, facts in self.facts.items()}
        answer = compose(
            question.strip(),
            found.hits,
            lambda hits: assess(found.asked, hits),
            sources,
            words=found.words,
            idf=self.index.idf(found.words),
            today=today,
        )
        return written(answer, self.endpoint, found.asked) if self.endpoint else answer
