"""BM25 over segmented text, on scipy.sparse, with additions and removals at any time.

Why not bm25s (the stack's BM25 library): its index is built once and is immutable, while appeals
arrive all day and leave the set of open and recent ones as they close; rebuilding 200,000
documents for every new appeal is out of the question. So the index here is log-structured, as
search engines do it: documents are added to small segments (one CSC matrix of term frequencies
each, documents × terms), and a segment is merged with the one before it once it is at least half
its size, so a store of N documents has about log2(N) segments and each document is re-packed
about log2(N) times over its life. A removal only marks the document dead; merges drop dead rows,
and when a fifth of the stored rows is dead everything is merged into one segment.

Scoring is Okapi BM25 (k1, b) with the Lucene idf, log(1 + (N - df + 0.5) / (df + 0.5)). The
statistics N, df and the average length count every stored row, dead ones included until their
segment is merged: the error is bounded by the dead share, and it saves keeping each document's
terms to subtract them. Queries are documents too (a new appeal against the stored ones): the
query's terms are weighted with the same saturation, and only its `max_terms` most weighty terms
(rarest, most repeated) are scored, which keeps long queries fast and drops words that match
everything. Each hit carries a similarity in [0, 1]: its score over the score the query would
reach against itself, so the same text scores 1.0.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from zhengshu.text.segment import terms as segment_terms

Tokenizer = Callable[[str], list[str]]

# Pending additions are packed into a segment at the next search, or when this many are waiting.
FLUSH_DOCS = 1024
# Everything is merged into one segment once this share of the stored rows is dead.
DEAD_SHARE_TO_COMPACT = 0.2


@dataclass(frozen=True)
class Hit:
    id: Hashable
    score: float
    # The score over the query's score against itself: 1.0 for the same text, 0 for nothing shared.
    similarity: float


@dataclass
class _Segment:
    """Documents packed together: term frequencies by column (a posting list per term)."""

    matrix: sparse.csc_matrix  # rows: this segment's documents; columns: term numbers
    slots: NDArray[np.int64]  # each row's slot (global, increasing)
    lengths: NDArray[np.float32]  # each row's number of terms
    alive: NDArray[np.bool_]
    # The same postings with each tf already saturated for its row's length (BM25's document side),
    # for the average length in `weighted_for`; recomputed when the average moves by > 2%.
    weighted: sparse.csc_matrix | None = None
    weighted_for: float = 0.0

    @property
    def rows(self) -> int:
        return int(self.matrix.shape[0])

    @property
    def dead(self) -> int:
        return self.rows - int(self.alive.sum())


@dataclass
class _Pending:
    slots: list[int] = field(default_factory=list)
    columns: list[NDArray[np.int64]] = field(default_factory=list)
    counts: list[NDArray[np.float32]] = field(default_factory=list)


class Bm25Index:
    """Documents are (id, text) pairs; ids are any hashable values (appeal ids, document codes).

    Adding an id that is already stored replaces its text. Thread-safe: one lock around every
    operation (searches are a few milliseconds)."""

    def __init__(
        self,
        tokenize: Tokenizer = segment_terms,
        *,
        k1: float = 1.2,
        b: float = 0.75,
        max_terms: int = 48,
    ) -> None:
        self._tokenize = tokenize
        self.k1, self.b, self.max_terms = k1, b, max_terms
        self._lock = threading.RLock()
        self._reset()

    def _reset(self) -> None:
        self._vocabulary: dict[str, int] = {}
        self._df = np.zeros(0, dtype=np.int64)  # rows holding each term, over stored rows
        self._stored_rows = 0
        self._stored_length = 0.0
        self._segments: list[_Segment] = []
        self._pending = _Pending()
        self._slot_of: dict[Hashable, int] = {}
        self._id_of_slot: dict[int, Hashable] = {}
        self._next_slot = 0

    # --- size and membership ---------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._slot_of)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._slot_of

    def ids(self) -> list[Hashable]:
        with self._lock:
            return list(self._slot_of)

    @property
    def segment_count(self) -> int:
        return len(self._segments)

    def idf(self, words: Iterable[str]) -> dict[str, float]:
        """The idf of each word the index knows (words it has never seen are left out), for
        callers that weigh a query's words themselves (coverage of a question by a title)."""
        with self._lock:
            self._flush()
            known = [w for w in dict.fromkeys(words) if w in self._vocabulary]
            if not known or not self._stored_rows:
                return {}
            values = self._idf(np.array([self._vocabulary[w] for w in known], dtype=np.int64))
            return dict(zip(known, values.tolist(), strict=True))

    def idf_of_unseen(self) -> float:
        """The idf a word held by no stored row would have."""
        with self._lock:
            self._flush()
            return math.log1p((self._stored_rows + 0.5) / 0.5) if self._stored_rows else 0.0

    # --- changes ---------------------------------------------------------------------------

    def add(self, doc_id: Hashable, text: str) -> None:
        self.add_terms(doc_id, self._tokenize(text))

    def add_many(self, items: Iterable[tuple[Hashable, str]]) -> None:
        for doc_id, text in items:
            self.add(doc_id, text)

    def add_terms(self, doc_id: Hashable, words: Iterable[str]) -> None:
        """Add a document already segmented (e.g. segmented in parallel by the caller)."""
        counts = Counter(words)
        with self._lock:
            if doc_id in self._slot_of:
                self._remove_one(doc_id)
            # Known words looked up in one C-level pass; only new ones take the slow path.
            known = list(map(self._vocabulary.get, counts))
            if None in known:
                known = [self._column(w) if c is None else c for w, c in zip(counts, known, strict=True)]
            columns = np.array(known, dtype=np.int64)
            slot = self._next_slot
            self._next_slot += 1
            self._slot_of[doc_id] = slot
            self._id_of_slot[slot] = doc_id
            self._pending.slots.append(slot)
            self._pending.columns.append(columns)
            self._pending.counts.append(np.array(list(counts.values()), dtype=np.float32))
            if len(self._pending.slots) >= FLUSH_DOCS:
                self._flush()

    def remove(self, doc_ids: Iterable[Hashable]) -> int:
        """Remove the documents that are stored; returns how many were."""
        with self._lock:
            removed = sum(1 for doc_id in doc_ids if doc_id in self._slot_of and self._remove_one(doc_id))
            too_dead = self._dead_rows() > DEAD_SHARE_TO_COMPACT * self._stored_rows
            if removed and self._stored_rows and too_dead:
                self._flush()
                self._compact()
            return removed

    def clear(self) -> None:
        with self._lock:
            self._reset()

    # --- search ----------------------------------------------------------------------------

    def search(self, text: str, k: int = 10, *, allow: Collection[Hashable] | None = None) -> list[Hit]:
        return self.search_terms(self._tokenize(text), k, allow=allow)

    def search_terms(
        self,
        words: Iterable[str],
        k: int = 10,
        *,
        allow: Collection[Hashable] | None = None,
        boosts: Mapping[str, float] | None = None,
    ) -> list[Hit]:
        """The k best documents for the query, best first; with `allow`, only among those ids.
        `boosts` multiplies the weight of the words it names (a synonym added to a query weighs
        less than the word asked). Documents sharing no scored term with the query are never
        returned."""
        counts = Counter(words)
        with self._lock:
            self._flush()
            if not counts or not self._stored_rows or k <= 0:
                return []
            query = self._query(counts, boosts)
            if query is None:
                return []
            columns, weights, self_score = query
            allowed = self._allowed_rows(allow) if allow is not None else None
            candidates: list[tuple[float, int]] = []
            for index, segment in enumerate(self._segments):
                rows = allowed.get(index) if allowed is not None else None
                if allowed is not None and rows is None:
                    continue
                candidates.extend(self._segment_top(segment, columns, weights, k, rows))
            candidates.sort(key=lambda pair: (-pair[0], pair[1]))
            return [
                Hit(self._id_of_slot[slot], score, min(1.0, score / self_score))
                for score, slot in candidates[:k]
            ]

    # --- internals -------------------------------------------------------------------------

    def _column(self, word: str) -> int:
        column = self._vocabulary.get(word)
        if column is None:
            column = self._vocabulary[word] = len(self._vocabulary)
        return column

    def _remove_one(self, doc_id: Hashable) -> bool:
        slot = self._slot_of.pop(doc_id)
        del self._id_of_slot[slot]
        pending = self._pending
        if pending.slots and slot >= pending.slots[0]:
            at = pending.slots.index(slot)
            del pending.slots[at], pending.columns[at], pending.counts[at]
            return True
        segment = self._segment_of(slot)
        segment.alive[int(np.searchsorted(segment.slots, slot))] = False
        return True

    def _segment_of(self, slot: int) -> _Segment:
        firsts = [int(s.slots[0]) for s in self._segments]
        return self._segments[int(np.searchsorted(firsts, slot, side="right")) - 1]

    def _dead_rows(self) -> int:
        return sum(s.dead for s in self._segments)

    def _flush(self) -> None:
        pending = self._pending
        if not pending.slots:
            return
        lengths = np.array([c.sum() for c in pending.counts], dtype=np.float32)
        indptr = np.zeros(len(pending.slots) + 1, dtype=np.int64)
        np.cumsum([len(c) for c in pending.columns], out=indptr[1:])
        matrix = sparse.csr_matrix(
            (np.concatenate(pending.counts), np.concatenate(pending.columns), indptr),
            shape=(len(pending.slots), len(self._vocabulary)),
        ).tocsc()
        segment = _Segment(
            matrix,
            np.array(pending.slots, dtype=np.int64),
            lengths,
            np.ones(len(pending.slots), dtype=np.bool_),
        )
        self._pending = _Pending()
        self._count_in(segment, +1)
        self._segments.append(segment)
        while len(self._segments) > 1 and 2 * self._segments[-1].rows >= self._segments[-2].rows:
            last = self._segments.pop()
            self._segments[-1] = self._merge([self._segments[-1], last])

    def _count_in(self, segment: _Segment, sign: int) -> None:
        """Add (or take out) the segment's rows to the collection statistics."""
        if len(self._df) < len(self._vocabulary):
            self._df = np.concatenate([self._df, np.zeros(len(self._vocabulary) - len(self._df), np.int64)])
        per_term = np.diff(segment.matrix.indptr)
        self._df[: len(per_term)] += sign * per_term
        self._stored_rows += sign * segment.rows
        self._stored_length += sign * float(segment.lengths.sum())

    def _merge(self, segments: list[_Segment]) -> _Segment:
        """One segment of the live rows of these (adjacent, in slot order)."""
        width = len(self._vocabulary)
        for segment in segments:
            self._count_in(segment, -1)
        parts = []
        for segment in segments:
            matrix = segment.matrix.tocsr()
            matrix.resize((segment.rows, width))
            parts.append(matrix[segment.alive] if segment.dead else matrix)
        merged = _Segment(
            sparse.vstack(parts, format="csc"),
            np.concatenate([s.slots[s.alive] for s in segments]),
            np.concatenate([s.lengths[s.alive] for s in segments]),
            np.ones(sum(s.rows - s.dead for s in segments), dtype=np.bool_),
        )
        merged.matrix.sort_indices()
        self._count_in(merged, +1)
        return merged

    def _compact(self) -> None:
        if self._segments:
            self._segments = [self._merge(self._segments)]
            if not self._segments[0].rows:
                self._segments = []

    def _weighted(self, segment: _Segment) -> sparse.csc_matrix:
        average = self._stored_length / self._stored_rows
        if segment.weighted is None or abs(segment.weighted_for - average) > 0.02 * average:
            matrix = segment.matrix
            norms = self.k1 * (1 - self.b + self.b * segment.lengths / np.float32(average))
            data = self._saturate(matrix.data, norms[matrix.indices]).astype(np.float32)
            segment.weighted = sparse.csc_matrix((data, matrix.indices, matrix.indptr), shape=matrix.shape)
            segment.weighted_for = average
        return segment.weighted

    def _idf(self, columns: NDArray[np.int64]) -> NDArray[np.float64]:
        df = self._df[columns].astype(np.float64)
        return np.log1p((self._stored_rows - df + 0.5) / (df + 0.5))

    def _saturate(self, tf: NDArray[np.float32] | NDArray[np.float64], norm: float | NDArray[np.float32]):
        return tf * (self.k1 + 1) / (tf + norm)

    def _query(
        self, counts: Counter[str], boosts: Mapping[str, float] | None = None
    ) -> tuple[NDArray[np.int64], NDArray[np.float64], float] | None:
        """The query's scored terms (columns), their weights, and the query's score against itself."""
        known = [(w, self._vocabulary[w], c) for w, c in counts.items() if w in self._vocabulary]
        if not known:
            return None
        columns = np.array([c for _, c, _ in known], dtype=np.int64)
        tf = np.array([n for _, _, n in known], dtype=np.float64)
        weights = self._idf(columns) * self._saturate(tf, self.k1)
        if boosts:
            weights *= np.array([boosts.get(w, 1.0) for w, _, _ in known], dtype=np.float64)
        keep = np.argsort(-weights, kind="stable")[: self.max_terms]
        columns, tf, weights = columns[keep], tf[keep], weights[keep]
        average = self._stored_length / self._stored_rows
        length = float(sum(counts.values()))
        self_norm = self.k1 * (1 - self.b + self.b * length / average) if average else self.k1
        self_score = float((weights * self._saturate(tf, self_norm)).sum())
        if not math.isfinite(self_score) or self_score <= 0:
            return None
        return columns, weights, self_score

    def _allowed_rows(self, allow: Collection[Hashable]) -> dict[int, NDArray[np.int64]]:
        """The allowed documents' rows, by segment number."""
        slots = np.array(sorted(self._slot_of[i] for i in allow if i in self._slot_of), dtype=np.int64)
        found: dict[int, NDArray[np.int64]] = {}
        for index, segment in enumerate(self._segments):
            rows = np.searchsorted(segment.slots, slots)
            inside = rows < segment.rows
            rows = rows[inside]
            rows = rows[segment.slots[rows] == slots[inside]]
            if len(rows):
                found[index] = rows
        return found

    def _segment_top(
        self,
        segment: _Segment,
        columns: NDArray[np.int64],
        weights: NDArray[np.float64],
        k: int,
        rows: NDArray[np.int64] | None,
    ) -> list[tuple[float, int]]:
        inside = columns < segment.matrix.shape[1]
        # One posting list per query term, times the term's weight: a sparse matrix-vector product.
        scores = self._weighted(segment)[:, columns[inside]] @ weights[inside].astype(np.float32)
        if segment.dead:
            scores[~segment.alive] = 0
        chosen = rows[scores[rows] > 0] if rows is not None else np.flatnonzero(scores)
        if len(chosen) > k:
            chosen = chosen[np.argpartition(-scores[chosen], k - 1)[:k]]
        return [(float(scores[r]), int(segment.slots[r])) for r in chosen]
