"""Answers composed from the evidence: each statement quotes a retrieved passage and cites it [n] with
the document's title, 文号 and article. A repealed or expired document is never presented as current:
its passages are set apart as withheld (shown as such), and evidence only from such documents is a
refusal. Without evidence that answers the question, the answer is a refusal saying so."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from zhengshu.policy.models import PolicyStatus, standing_of
from zhengshu.policy.passages import Passage, sentence_spans
from zhengshu.policy.refusal import Verdict
from zhengshu.policy.retrieval import PassageHit

REFUSAL = "未找到相关依据"
# At most this many statements, each from its own passage.
MAX_STATEMENTS = 3
# A statement quotes at most this many characters of its passage.
MAX_QUOTE = 220
# Further statements come only from passages scoring at least this share of the best one's score.
SUPPORTING_SHARE = 0.6


@dataclass(frozen=True)
class Source:
    """What an answer says of a document: from the library, or from a benchmark's corpus."""

    doc_id: str
    title: str
    document_number: str | None = None
    status: PolicyStatus = PolicyStatus.IN_FORCE
    valid_until: date | None = None
    link: str | None = None  # the document's page; the anchor and passage are added per citation
    is_current: bool = True  # False for a version a newer one superseded

    def in_force(self, today: date) -> bool:
        return standing_of(self.status, self.is_current, self.valid_until, today) is PolicyStatus.IN_FORCE

    def standing(self, today: date) -> str:
        """现行有效, or why not."""
        shown = standing_of(self.status, self.is_current, self.valid_until, today)
        if (
            shown is PolicyStatus.EXPIRED
            and self.valid_until is not None
            and self.status is PolicyStatus.IN_FORCE
        ):
            return f"已失效（有效期至 {self.valid_until.isoformat()}）"
        return shown.label


@dataclass(frozen=True)
class Citation:
    number: int
    passage: Passage
    source: Source
    quote: str  # the sentences of the passage the statement uses
    standing: str  # 现行有效, 已废止, …

    @property
    def label(self) -> str:
        """《title》（文号）第X条"""
        number = f"（{self.source.document_number}）" if self.source.document_number else ""
        anchor = self.passage.anchor or ""
        return f"《{self.source.title}》{number}{anchor}"


@dataclass(frozen=True)
class Statement:
    text: str
    citations: tuple[int, ...]


@dataclass(frozen=True)
class Answer:
    question: str
    refused: bool
    reason: str
    confidence: float
    statements: list[Statement] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    # Evidence from documents no longer in force: shown apart, never as the answer.
    withheld: list[Citation] = field(default_factory=list)

    @property
    def text(self) -> str:
        if self.refused:
            return f"{REFUSAL}：{self.reason}。建议换个说法提问，或咨询 12345 热线。"
        return "\n".join(f"{s.text}{''.join(f'[{n}]' for n in s.citations)}" for s in self.statements)


def _best_sentences(passage: Passage, words: Sequence[str], idf: Mapping[str, float]) -> str:
    """The passage's sentences that carry most of the question's weight, in their order, within
    MAX_QUOTE characters (the whole passage when it is short), without the article's own number,
    which the citation already names."""
    text = passage.text.strip()
    if passage.anchor and text.startswith(passage.anchor):
        text = text[len(passage.anchor) :].lstrip(" 　：:")
    if len(text) <= MAX_QUOTE:
        return text
    spans = sentence_spans(text)
    scored = []
    for index, (start, end) in enumerate(spans):
        sentence = text[start:end]
        weight = sum(idf.get(word, 1.0) for word in set(words) if word in sentence)
        scored.append((weight, -index, start, end))
    chosen: list[tuple[int, int]] = []
    length = 0
    for _weight, _order, start, end in sorted(scored, reverse=True):
        if length + (end - start) > MAX_QUOTE and chosen:
            continue
        chosen.append((start, end))
        length += end - start
        if length >= MAX_QUOTE:
            break
    quote = "".join(text[start:end] for start, end in sorted(chosen))
    return quote[:MAX_QUOTE] + ("…" if len(quote) > MAX_QUOTE else "")


def compose(
    question: str,
    hits: Sequence[PassageHit],
    judge: Callable[[Sequence[PassageHit]], Verdict],
    sources: Mapping[str, Source],
    *,
    words: Sequence[str] = (),
    idf: Mapping[str, float] | None = None,
    today: date,
) -> Answer:
    """The answer to ``question`` from ``hits`` (best first). ``judge`` decides whether passages answer
    it (zhengshu.policy.refusal.assess): it is asked of the passages of documents in force only."""
    weights = idf or {}
    current: list[PassageHit] = []
    stale: list[PassageHit] = []
    for hit in hits:
        source = sources.get(hit.passage.doc_id)
        if source is None:
            continue
        (current if source.in_force(today) else stale).append(hit)

    def cite(number: int, hit: PassageHit) -> Citation:
        source = sources[hit.passage.doc_id]
        quote = _best_sentences(hit.passage, words, weights)
        return Citation(number, hit.passage, source, quote, source.standing(today))

    # One entry per document no longer in force: they are named, not quoted at length.
    first_of_each: dict[str, PassageHit] = {}
    for hit in stale:
        first_of_each.setdefault(hit.passage.doc_id, hit)
    withheld = [cite(0, hit) for hit in list(first_of_each.values())[:MAX_STATEMENTS]]
    verdict = judge(current)
    if not verdict.answerable:
        reason = verdict.reason
        if stale and judge(stale).answerable:
            names = "、".join(f"{c.label}（{c.standing}）" for c in withheld)
            reason = f"找到的依据已不再有效：{names}；现行文件中没有相关规定"
        return Answer(question, True, reason, verdict.confidence, withheld=withheld)
    strong = [hit for hit in current if hit.score >= SUPPORTING_SHARE * current[0].score]
    citations = [cite(number, hit) for number, hit in enumerate(strong[:MAX_STATEMENTS], start=1)]
    statements = [Statement(f"根据{c.label}：{c.quote}", (c.number,)) for c in citations]
    return Answer(question, False, verdict.reason, verdict.confidence, statements, citations, withheld)
