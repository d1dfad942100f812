"""Dense retrieval from a local word-vector directory: read in both formats, refused with a clear
message when malformed, and fused with BM25 in the Q&A's index."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from zhengshu.errors import InvalidInput
from zhengshu.policy.embeddings import WordVectorEncoder
from zhengshu.policy.passages import passages_of
from zhengshu.policy.retrieval import PolicyIndex

WORDS = {
    "租金": [1.0, 0.0, 0.0],
    "房租": [0.95, 0.05, 0.0],
    "补贴": [0.2, 0.9, 0.0],
    "中小企业": [0.3, 0.3, 0.3],
    "护照": [0.0, 0.0, 1.0],
}


def _word2vec(folder: Path) -> Path:
    lines = [f"{len(WORDS)} 3", *(f"{w} {' '.join(str(x) for x in v)}" for w, v in WORDS.items())]
    (folder / "vectors.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_both_formats_give_the_same_vectors(tmp_path: Path) -> None:
    text_dir = tmp_path / "a"
    text_dir.mkdir()
    text_model = WordVectorEncoder.from_dir(_word2vec(text_dir))
    numpy_dir = tmp_path / "b"
    numpy_dir.mkdir()
    np.save(numpy_dir / "vectors.npy", np.array(list(WORDS.values()), dtype=np.float32))
    (numpy_dir / "vocab.txt").write_text("\n".join(WORDS), encoding="utf-8")
    numpy_model = WordVectorEncoder.from_dir(numpy_dir)
    texts = ["中小企业房租补贴", "护照", "毫不相关"]
    assert np.allclose(text_model.encode(texts), numpy_model.encode(texts))
    vectors = text_model.encode(texts)
    assert vectors[0, 0] > 0.3 and vectors[1, 2] == pytest.approx(1.0) and not vectors[2].any()


@pytest.mark.parametrize(
    ("content", "message"),
    [("3\nx 1 2 3\n", "第一行"), ("1 3\n租金 1 2\n", "第 2 行"), ("1 3\n租金 1 a 3\n", "不是数字")],
)
def test_a_malformed_model_is_refused_with_a_message(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "vectors.txt").write_text(content, encoding="utf-8")
    with pytest.raises(InvalidInput, match=message):
        WordVectorEncoder.from_dir(tmp_path)


def test_a_directory_without_a_model_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="没有 vectors.txt"):
        WordVectorEncoder.from_dir(tmp_path)


def test_dense_scores_are_fused_with_bm25(tmp_path: Path) -> None:
    index = PolicyIndex(encoder=WordVectorEncoder.from_dir(_word2vec(tmp_path)))
    for doc_id, title, text in (
        ("rent", "租金补贴办法", "第一条 中小企业租用产业用房的，给予租金补贴。"),
        ("passport", "出入境须知", "第一条 护照到期前应当及时换发。"),
    ):
        index.add_document(doc_id, title, passages_of(doc_id, title, text))
    hits = index.search("中小企业房租补贴", 2)
    assert hits[0].passage.doc_id == "rent" and "dense" in hits[0].reasons
