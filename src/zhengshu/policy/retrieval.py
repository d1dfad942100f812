"""Retrieval of policy passages for a question, with the reasons of each hit.

Two BM25 indexes of the platform's engine (zhengshu.search.Bm25Index) over the same words: one of
passages (each carrying its document's title words, since "北京市…有何支持政策" names the
document rather than the passage) and one of whole documents. A question gathers candidates from
both (the best passages anywhere, and the best passages of the best documents) and each candidate
is scored by a weighted sum of evidence an officer can read on the hit-test page:

- ``bm25``: the passage's BM25 similarity to the question (its score over the question's own);
- ``document``: the document's BM25 similarity, the doc-level evidence that a passage alone lacks;
- ``coverage``: the share of the question's idf mass found in the passage or its title;
- ``phrase``: the longest run of the question's own characters found verbatim in the passage
  (saturating at PHRASE_FULL characters), so wording copied from a document finds it first;
- ``quoted``: every quoted stretch of the question occurs in the passage or its title;
- ``answer_type``: the question asks for a number or a date and the passage holds digits;
- ``proximity``: the share of the character bigrams of the question's content found in the
  passage or its title: the question's words side by side, as an answer holds them, rather than
  scattered over a long passage (BM25 cannot tell the two apart);
- ``place``: the share of the places the question names (北京, 平凉…) that the passage's document
  names anywhere: many documents are one place's version of the same measures.

Reasons shown but weighing nothing (their weight in ``Weights`` is 0 or they are not summed), which
tell the refusal model and the officer how well the corpus knows the question: ``title`` (the share
of the question's idf mass in the title; its tuned weight is 0), ``evidence`` (coverage counting the
words no document holds as missing), ``unknown`` (how many such words).

Optional dense vectors (zhengshu.policy.embeddings, word vectors from a local directory configured
by the operator) join by reciprocal rank fusion; without them nothing changes.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from zhengshu.policy.passages import Passage
from zhengshu.policy.retrieval_dense import DenseEncoder, DenseStore, reciprocal_rank_fusion
from zhengshu.policy.retrieval_query import Query, has_number, longest_common_run, prepare
from zhengshu.search import Bm25Index
from zhengshu.text.segment import terms

__all__ = ["PassageHit", "PolicyIndex", "Weights"]

# Candidates: this many passages from the passage index, and the best few passages of each of the
# best documents of the document index.
PASSAGE_CANDIDATES = 60
DOCUMENT_CANDIDATES = 4
PASSAGES_PER_DOCUMENT = 6
PHRASE_FULL = 16
# Runs shorter than this are ordinary shared words, already counted by BM25.
PHRASE_MIN = 4
# Whether a document names a place is remembered, up to this many (document, place) pairs.
PLACE_CACHE_MAX = 200_000


@dataclass(frozen=True)
class Weights:
    """The weight of each kind of evidence in a hit's score (bm25 weighs 1)."""

    document: float = 1.0
    coverage: float = 2.0
    title: float = 0.0
    phrase: float = 2.4
    quoted: float = 0.5
    answer_type: float = 0.05
    proximity: float = 1.0
    place: float = 0.5


@dataclass(frozen=True)
class PassageHit:
    passage: Passage
    score: float
    reasons: dict[str, float]


@dataclass
class _Document:
    title: str
    title_words: frozenset[str]
    words: frozenset[str]
    passage_ids: list[str]
    meta: dict[str, Any] = field(default_factory=dict)


class PolicyIndex:
    """Passages of policy documents, searchable by question. Thread-safe."""

    def __init__(self, *, weights: Weights | None = None, encoder: DenseEncoder | None = None) -> None:
        self.weights = weights or Weights()
        self._passage_index = Bm25Index()
        self._document_index = Bm25Index()
        self._passages: dict[str, Passage] = {}
        self._documents: dict[str, _Document] = {}
        self._dense = DenseStore(encoder) if encoder is not None else None
        self._names_place: dict[tuple[str, str], bool] = {}
        self._lock = threading.RLock()

    # --- contents --------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._passages)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._documents

    @property
    def document_count(self) -> int:
        return len(self._documents)

    def passage(self, passage_id: str) -> Passage | None:
        return self._passages.get(passage_id)

    def passages(self) -> list[Passage]:
        with self._lock:
            return list(self._passages.values())

    def meta(self, doc_id: str) -> Mapping[str, Any]:
        return self._documents[doc_id].meta

    def add_document(
        self,
        doc_id: str,
        title: str,
        passages: Sequence[Passage],
        meta: Mapping[str, Any] | None = None,
    ) -> None:
        """Index a document's passages (replacing any earlier version of the document)."""
        title_words = terms(title)
        segmented = [(p, terms(p.text)) for p in passages]
        self.add_segmented(doc_id, title, title_words, segmented, meta)

    def add_segmented(
        self,
        doc_id: str,
        title: str,
        title_words: Sequence[str],
        segmented: Sequence[tuple[Passage, Sequence[str]]],
        meta: Mapping[str, Any] | None = None,
    ) -> None:
        """add_document with the words already segmented (e.g. in worker processes)."""
        with self._lock:
            if doc_id in self._documents:
                self.remove_document(doc_id)
            for passage, words in segmented:
                self._passage_index.add_terms(passage.id, [*title_words, *words])
                self._passages[passage.id] = passage
            document_words = _unique_words(segmented)
            self._document_index.add_terms(doc_id, [*title_words, *title_words, *document_words])
            self._documents[doc_id] = _Document(
                title,
                frozenset(title_words),
                frozenset(title_words).union(document_words),
                [p.id for p, _ in segmented],
                dict(meta or {}),
            )
            if self._dense is not None:
                self._dense.add([(p.id, f"{title}\n{p.text}") for p, _ in segmented])

    def remove_document(self, doc_id: str) -> bool:
        with self._lock:
            document = self._documents.pop(doc_id, None)
            if document is None:
                return False
            self._names_place.clear()
            self._passage_index.remove(document.passage_ids)
            self._document_index.remove([doc_id])
            for passage_id in document.passage_ids:
                del self._passages[passage_id]
            if self._dense is not None:
                self._dense.remove(document.passage_ids)
            return True

    # --- search ----------------------------------------------------------------------------

    def search(
        self, question: str, k: int = 5, *, allow_docs: Collection[str] | None = None
    ) -> list[PassageHit]:
        """The k best passages for the question, best first; with `allow_docs`, only from those
        documents (metadata filters: issuing body, year, validity, decided by the caller)."""
        query = prepare(question)
        with self._lock:
            if not query.words or k <= 0:
                return []
            candidates = self._candidates(query, allow_docs)
            if not candidates:
                return []
            hits = self._score(query, candidates)
            if self._dense is not None:
                hits = self._fuse(question, hits, allow_docs)
            return hits[:k]

    def words_of(self, question: str) -> tuple[str, ...]:
        """The content words retrieval uses for a question (for the hit-test page)."""
        return prepare(question).words

    def idf(self, words: Sequence[str]) -> dict[str, float]:
        return self._passage_index.idf(words)

    def _allowed_passages(self, allow_docs: Collection[str] | None) -> list[str] | None:
        if allow_docs is None:
            return None
        return [
            pid
            for doc_id in allow_docs
            if doc_id in self._documents
            for pid in self._documents[doc_id].passage_ids
        ]

    def _candidates(self, query: Query, allow_docs: Collection[str] | None) -> dict[str, float]:
        """Candidate passage ids with their BM25 similarity."""
        words = list(query.words)
        allowed = self._allowed_passages(allow_docs)
        found = {
            h.id: h.similarity
            for h in self._passage_index.search_terms(words, PASSAGE_CANDIDATES, allow=allowed)
        }
        documents = self._document_index.search_terms(
            words,
            DOCUMENT_CANDIDATES,
            allow=[d for d in allow_docs if d in self._documents] if allow_docs is not None else None,
        )
        if documents:
            within = [pid for hit in documents for pid in self._documents[str(hit.id)].passage_ids]
            for hit in self._passage_index.search_terms(
                words, PASSAGES_PER_DOCUMENT * len(documents), allow=within
            ):
                found.setdefault(str(hit.id), hit.similarity)
        return {str(pid): sim for pid, sim in found.items()}

    def _score(self, query: Query, candidates: dict[str, float]) -> list[PassageHit]:
        weights = self.weights
        passages = [self._passages[pid] for pid in candidates]
        doc_ids = list(dict.fromkeys(p.doc_id for p in passages))
        document_similarity = {
            str(h.id): h.similarity
            for h in self._document_index.search_terms(list(query.words), len(doc_ids), allow=doc_ids)
        }
        idf = self._passage_index.idf(query.words)
        total_idf = sum(idf.values()) or 1.0
        # Words no document holds weigh as the rarest word would: a question about 购房补贴 in a
        # corpus without that word is not about these documents, however well the rest matches.
        unknown = sum(1 for w in set(query.words) if w not in idf)
        with_unknown = total_idf + unknown * self._passage_index.idf_of_unseen()
        title_share = {
            d: sum(v for w, v in idf.items() if w in self._documents[d].title_words) / total_idf
            for d in doc_ids
        }
        document_share = {
            d: sum(v for w, v in idf.items() if w in self._documents[d].words) / total_idf for d in doc_ids
        }
        place_share = {d: self._place_share(query.places, d) for d in doc_ids} if query.places else {}
        needle = "".join(query.phrases) and max(query.phrases, key=len)
        weighted = asdict(weights).items()
        hits = []
        for passage in passages:
            covered = sum(v for w, v in idf.items() if w in passage.text or w in passage.title)
            reasons = {
                "bm25": candidates[passage.id],
                "document": document_similarity.get(passage.doc_id, 0.0),
                "title": title_share[passage.doc_id],
                "document_coverage": document_share[passage.doc_id],
                "coverage": covered / total_idf,
                "evidence": covered / with_unknown,
                "unknown": float(unknown),
            }
            run = (
                max((longest_common_run(p, passage.text) for p in query.phrases), default=0) if needle else 0
            )
            if run >= PHRASE_MIN:
                reasons["phrase"] = min(run, PHRASE_FULL) / PHRASE_FULL
            if query.quoted and all(q in passage.text or q in passage.title for q in query.quoted):
                reasons["quoted"] = 1.0
            if (query.asks_number or query.asks_time) and has_number(passage.text):
                reasons["answer_type"] = 1.0
            if query.content_bigrams:
                found = sum(1 for b in query.content_bigrams if b in passage.text or b in passage.title)
                reasons["proximity"] = found / len(query.content_bigrams)
            if query.places:
                reasons["place"] = place_share[passage.doc_id]
            score = reasons["bm25"] + sum(weight * reasons.get(name, 0.0) for name, weight in weighted)
            hits.append(PassageHit(passage, score, reasons))
        hits.sort(key=lambda h: (-h.score, h.passage.id))
        return hits

    def _place_share(self, places: Sequence[str], doc_id: str) -> float:
        return sum(1 for place in places if self._names(doc_id, place)) / len(places)

    def _names(self, doc_id: str, place: str) -> bool:
        """Whether the document's title or text names the place (remembered until a removal)."""
        known = self._names_place.get((doc_id, place))
        if known is None:
            document = self._documents[doc_id]
            known = place in document.title or any(
                place in self._passages[pid].text for pid in document.passage_ids
            )
            if len(self._names_place) >= PLACE_CACHE_MAX:
                self._names_place.clear()
            self._names_place[(doc_id, place)] = known
        return known

    def _fuse(
        self, question: str, hits: list[PassageHit], allow_docs: Collection[str] | None
    ) -> list[PassageHit]:
        assert self._dense is not None
        allowed = self._allowed_passages(allow_docs)
        dense = self._dense.search(question, PASSAGE_CANDIDATES, allow=allowed)
        lexical = {h.passage.id: h for h in hits}
        fused = reciprocal_rank_fusion([[h.passage.id for h in hits], [pid for pid, _ in dense]])
        similarity = dict(dense)
        result = []
        for pid, score in fused:
            passage = self._passages[pid]
            reasons = dict(lexical[pid].reasons) if pid in lexical else {}
            reasons["dense"] = similarity.get(pid, 0.0)
            result.append(PassageHit(passage, score, reasons))
        return result


def _unique_words(segmented: Sequence[tuple[Passage, Sequence[str]]]) -> list[str]:
    """The document's words once each place: overlapping windows repeat their shared sentences,
    which would inflate the document's term frequencies. Words of a passage that starts inside
    the text already covered are taken from the uncovered end only (by share of characters)."""
    words: list[str] = []
    covered = 0
    for passage, passage_words in sorted(segmented, key=lambda item: item[0].start):
        end = passage.start + len(passage.text)
        if end <= covered:
            continue
        if passage.start >= covered or not passage.text:
            words.extend(passage_words)
        else:
            new_share = (end - covered) / len(passage.text)
            keep = round(len(passage_words) * new_share)
            words.extend(passage_words[len(passage_words) - keep :])
        covered = end
    return words
