"""`zhengshu bench qa` on a 20-document slice of the real policy Q&A corpus, and its input checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.shared_data import SHARED_DATA
from typer.testing import CliRunner

from zhengshu.bench.qa import read_corpus, run, title_of
from zhengshu.cli import app
from zhengshu.errors import DomainError

POLICY_QA = SHARED_DATA / "policy_qa"
CORPUS = POLICY_QA / "ncp_corpus_599.jsonl"
DEV = POLICY_QA / "ncp_queries_dev.jsonl"
UNANSWERABLE = Path(__file__).resolve().parents[2] / "benchmarks" / "policy_qa_unanswerable.jsonl"


@pytest.fixture
def slice_files(tmp_path: Path) -> tuple[Path, Path]:
    if not CORPUS.is_file() or not DEV.is_file():
        pytest.skip("shared policy_qa data absent")
    documents = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()[:20]]
    kept = {d["docid"] for d in documents}
    questions = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines()]
    questions = [q for q in questions if q["docid"] in kept]
    unanswerable = [json.loads(line) for line in UNANSWERABLE.read_text(encoding="utf-8").splitlines()][:10]
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in documents), encoding="utf-8")
    queries = tmp_path / "queries.jsonl"
    queries.write_text(
        "".join(json.dumps(q, ensure_ascii=False) + "\n" for q in questions + unanswerable), encoding="utf-8"
    )
    return corpus, queries


def test_bench_on_a_slice_of_the_real_corpus(slice_files):
    corpus, queries = slice_files
    result = run(corpus, [queries], jobs=1)
    assert result["documents"] == 20 and result["unanswerable"] == 10
    assert result["answerable"] == result["questions"] - 10 > 10
    # Twenty documents are an easy haystack: the right one comes up for nearly every question.
    assert result["doc_recall@5"] >= 0.9
    assert result["answer_recall@5"] >= result["answer_recall@1"] > 0.5
    assert result["refused"] == result["refused_unanswerable"]
    assert result["refused_answerable"] <= 0.2
    assert result["passage_chars_p95"] <= 500
    for key in ("p50_ms", "p95_ms", "index_seconds", "refusal_split_half"):
        assert key in result


def test_bench_command_prints_one_json_line(slice_files):
    corpus, queries = slice_files
    outcome = CliRunner().invoke(
        app, ["bench", "qa", "--corpus", str(corpus), "--queries", str(queries), "--jobs", "1"]
    )
    assert outcome.exit_code == 0, outcome.output
    lines = [line for line in outcome.stdout.splitlines() if line.startswith("{")]
    assert len(lines) == 1 and json.loads(lines[0])["documents"] == 20


def test_titles_and_bad_input(tmp_path: Path):
    assert title_of("关于疫情防控的通知 各单位：现将……") == "关于疫情防控的通知"
    assert title_of("第一行\n第二行") == "第一行"
    path = tmp_path / "c.jsonl"
    path.write_text(
        '{"docid": "a", "text": "标题 正文", "title": "给定标题"}\n{"docid": "b"}\n', encoding="utf-8"
    )
    with pytest.raises(DomainError, match="第 2 行"):
        read_corpus(path)
    path.write_text('{"docid": "a", "text": "标题 正文", "title": "给定标题"}\n', encoding="utf-8")
    assert read_corpus(path)[0].title == "给定标题"
    with pytest.raises(DomainError):
        read_corpus(tmp_path / "missing.jsonl")
