"""Optional dense retrieval: passage vectors from a local sentence-embedding model, fused with BM25.

The product is complete without it. An operator who has a model on disk supplies an encoder (any
object with ``encode(texts) -> array (n, dim)``); nothing here downloads or imports a model
library. Vectors are normalised, so a dot product is the cosine similarity. Rankings are fused by
reciprocal rank fusion, which needs no calibration between BM25 scores and cosines.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

__all__ = ["RRF_K", "DenseEncoder", "DenseStore", "reciprocal_rank_fusion"]

RRF_K = 60


class DenseEncoder(Protocol):
    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]: ...


class DenseStore:
    """Passage vectors in one matrix, rows appended; removed rows are zeroed and reused never."""

    def __init__(self, encoder: DenseEncoder) -> None:
        self._encoder = encoder
        self._rows: list[NDArray[np.float32]] = []
        self._matrix: NDArray[np.float32] | None = None
        self._ids: list[str | None] = []
        self._row_of: dict[str, int] = {}

    def add(self, items: Sequence[tuple[str, str]]) -> None:
        if not items:
            return
        vectors = _normalised(np.asarray(self._encoder.encode([text for _, text in items]), dtype=np.float32))
        for (passage_id, _), vector in zip(items, vectors, strict=True):
            self._row_of[passage_id] = len(self._ids)
            self._ids.append(passage_id)
            self._rows.append(vector)
        self._matrix = None

    def remove(self, passage_ids: Iterable[str]) -> None:
        for passage_id in passage_ids:
            row = self._row_of.pop(passage_id, None)
            if row is not None:
                self._ids[row] = None
                self._rows[row] = np.zeros_like(self._rows[row])
        self._matrix = None

    def search(
        self, question: str, k: int, *, allow: Collection[str] | None = None
    ) -> list[tuple[str, float]]:
        if not self._row_of:
            return []
        if self._matrix is None:
            self._matrix = np.vstack(self._rows)
        query = _normalised(np.asarray(self._encoder.encode([question]), dtype=np.float32))[0]
        scores = self._matrix @ query
        if allow is not None:
            mask = np.full(len(scores), -np.inf, dtype=np.float32)
            rows = [self._row_of[p] for p in allow if p in self._row_of]
            mask[rows] = 0.0
            scores = scores + mask
        best = np.argsort(-scores)[:k]
        return [
            (str(self._ids[r]), float(scores[r]))
            for r in best
            if self._ids[r] is not None and np.isfinite(scores[r])
        ]


def reciprocal_rank_fusion(rankings: Sequence[Sequence[str]], k: int = RRF_K) -> list[tuple[str, float]]:
    """Ids by the sum over rankings of 1 / (k + rank), best first."""
    fused: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(fused.items(), key=lambda pair: (-pair[1], pair[0]))


def _normalised(vectors: NDArray[np.float32]) -> NDArray[np.float32]:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.where(norms == 0, 1.0, norms)).astype(np.float32)
