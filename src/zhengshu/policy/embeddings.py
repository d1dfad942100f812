"""A local embedding model for the Q&A's optional dense retrieval (zhengshu.policy.retrieval_dense):
word vectors from a directory the operator configures (`ZHENGSHU_EMBEDDING_MODEL_DIR`), averaged over
a text's words with idf-like weights. Nothing is downloaded and no model runtime is needed.

The directory holds either `vectors.txt` in the word2vec text format (a first line "count dimensions",
then "word v1 v2 …" per line; e.g. the Chinese word vectors published by Tencent AI Lab or the
Chinese-Word-Vectors project), or `vectors.npy` (a float matrix) with `vocab.txt` (one word per row)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from zhengshu.errors import InvalidInput
from zhengshu.text.segment import terms

# Words past this rank in the file (files list words by frequency) get the full weight; frequent
# words weigh less, as in smooth inverse frequency.
_RANK_SCALE = 1000.0


class WordVectorEncoder:
    def __init__(self, words: Sequence[str], matrix: NDArray[np.float32]) -> None:
        if matrix.ndim != 2 or len(words) != matrix.shape[0] or matrix.shape[0] == 0:
            raise InvalidInput("词向量的词表与矩阵行数不一致，或为空")
        self._row = {word: row for row, word in enumerate(words)}
        self._matrix = matrix.astype(np.float32, copy=False)
        # Files list words by frequency: a word's rank stands in for its rarity.
        ranks = np.arange(len(words), dtype=np.float32)
        self._weight = np.log1p(1 + ranks / _RANK_SCALE).astype(np.float32)
        self.dimensions = int(matrix.shape[1])

    @classmethod
    def from_dir(cls, directory: Path) -> WordVectorEncoder:
        text_file, matrix_file, vocab_file = (
            directory / n for n in ("vectors.txt", "vectors.npy", "vocab.txt")
        )
        if text_file.is_file():
            return cls(*_read_word2vec(text_file))
        if matrix_file.is_file() and vocab_file.is_file():
            try:
                matrix = np.load(matrix_file, allow_pickle=False)
                words = vocab_file.read_text(encoding="utf-8").split("\n")
            except (OSError, ValueError) as error:
                raise InvalidInput(f"无法读取词向量文件：{type(error).__name__}") from None
            return cls([w for w in words if w][: len(matrix)], np.asarray(matrix, dtype=np.float32))
        raise InvalidInput(f"词向量目录 {directory} 中没有 vectors.txt，也没有 vectors.npy 与 vocab.txt")

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        vectors = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for index, text in enumerate(texts):
            rows = [self._row[word] for word in terms(text) if word in self._row]
            if rows:
                weights = self._weight[rows]
                vectors[index] = weights @ self._matrix[rows] / weights.sum()
        return vectors


def _read_word2vec(path: Path) -> tuple[list[str], NDArray[np.float32]]:
    try:
        with path.open(encoding="utf-8", errors="replace") as lines:
            header = lines.readline().split()
            if len(header) != 2 or not all(part.isdigit() for part in header):
                raise InvalidInput("vectors.txt 第一行应为“词数 维数”（word2vec 文本格式）")
            count, dimensions = int(header[0]), int(header[1])
            words: list[str] = []
            matrix = np.zeros((count, dimensions), dtype=np.float32)
            for number, line in enumerate(lines, start=2):
                parts = line.rstrip().split(" ")
                if len(parts) != dimensions + 1 or len(words) >= count:
                    raise InvalidInput(f"vectors.txt 第 {number} 行格式不对（应为词和 {dimensions} 个数）")
                matrix[len(words)] = np.asarray(parts[1:], dtype=np.float32)
                words.append(parts[0])
    except OSError as error:
        raise InvalidInput(f"无法读取 {path}：{type(error).__name__}") from None
    except ValueError:
        raise InvalidInput("vectors.txt 中有不是数字的向量值") from None
    return words, matrix[: len(words)]
