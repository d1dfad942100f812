"""`zhengshu bench qa`: retrieval and refusal of the policy Q&A, measured on question sets.

The corpus (JSONL {"docid", "text"}, optional "title": else the text's first line or sentence) is
cut into passages (zhengshu.policy.passages) and indexed; every question is asked for 5 passages
and assessed (zhengshu.policy.refusal). Figures:

- doc_recall@k: share of answerable questions whose document is among the documents of the first
  k passages (k=1: the first passage's document);
- answer_recall@k: share of answerable questions whose gold answer (stripped of surrounding
  whitespace) is a substring of one of the first k passages;
- refused: share of the unanswerable questions (empty docid and answer) that are refused, the
  issue's figure; refused_answerable is the share of answerable ones wrongly refused;
- refusal_split_half: the refusal model fitted on one half of the questions (by qid hash) and
  scored on the other, both ways, so the figures do not come from the questions it was fitted on;
- p50_ms/p95_ms: per question, search and assessment together; index_seconds: segmenting and
  indexing the corpus.

With --scale N, synthetic passages (the corpus' own, with sentences shuffled, digits changed and a
made-up word in each sentence, under new ids) bring the index to N passages, and the questions are
timed again (p95_ms_at_scale) with the process's resident memory (rss_mb_at_scale). With
--scale-docs N, N synthetic documents are indexed into a fresh index (index_seconds_scale_docs).
"""

from __future__ import annotations

import gc
import hashlib
import json
import random
import re
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zhengshu.errors import DomainError
from zhengshu.policy.library_index import passages_for
from zhengshu.policy.passages import Passage
from zhengshu.policy.refusal import DEFAULT_CALIBRATION, Calibration, assess, features, fit_calibration
from zhengshu.policy.retrieval import PassageHit, PolicyIndex
from zhengshu.text.segment import terms

K = 5
_TITLE_END = re.compile(r"\n|\s{1,}|。")
_TITLE_MAX = 80
_SENTENCE = re.compile(r"(?<=[。！？；])")
_MADE_UP_CHARS = "澜璟翊珩瑾琮璞玥珂琰瑜琛砚岚檀樾棠榆桐楠栩"


@dataclass(frozen=True)
class CorpusDocument:
    doc_id: str
    title: str
    text: str


@dataclass(frozen=True)
class Question:
    qid: str
    question: str
    doc_id: str
    answer: str

    @property
    def answerable(self) -> bool:
        return bool(self.doc_id or self.answer)


def title_of(text: str) -> str:
    """The first line or sentence, as the corpus' titles lead the text before a space."""
    stripped = text.strip()
    match = _TITLE_END.search(stripped)
    head = stripped[: match.start()] if match else stripped
    return head[:_TITLE_MAX]


def read_corpus(path: Path) -> list[CorpusDocument]:
    documents = []
    for number, record in enumerate(_jsonl(path), start=1):
        text = str(record.get("text") or "")
        doc_id = str(record.get("docid") or "")
        if not doc_id or not text.strip():
            raise DomainError(f"{path} 第 {number} 行缺少 docid 或 text")
        documents.append(CorpusDocument(doc_id, str(record.get("title") or "") or title_of(text), text))
    return documents


def read_questions(paths: Iterable[Path]) -> list[Question]:
    questions = []
    for path in paths:
        for number, record in enumerate(_jsonl(path), start=1):
            question = str(record.get("question") or "")
            if not question.strip():
                raise DomainError(f"{path} 第 {number} 行缺少 question")
            questions.append(
                Question(
                    str(record.get("qid") or f"{path.name}:{number}"),
                    question,
                    str(record.get("docid") or ""),
                    str(record.get("answer") or ""),
                )
            )
    return questions


def _jsonl(path: Path) -> Iterable[dict[str, Any]]:
    if not path.is_file():
        raise DomainError(f"找不到文件 {path}")
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError:
                    raise DomainError(f"{path} 第 {number} 行不是合法的 JSON") from None


# --- indexing ------------------------------------------------------------------------------


def _segmented(document: CorpusDocument) -> tuple[CorpusDocument, list[str], list[tuple[Passage, list[str]]]]:
    passages = passages_for(document.doc_id, document.title, document.text)
    return document, terms(document.title), [(p, terms(p.text)) for p in passages]


def build_index(
    documents: Sequence[CorpusDocument], jobs: int = 1, index: PolicyIndex | None = None
) -> PolicyIndex:
    """Passages of every document, segmented in `jobs` processes, indexed here."""
    index = index or PolicyIndex()
    if jobs > 1 and len(documents) > 50:
        with ProcessPoolExecutor(jobs) as pool:
            results: Iterable[Any] = pool.map(_segmented, documents, chunksize=32)
            for document, title_words, segmented in results:
                index.add_segmented(document.doc_id, document.title, title_words, segmented)
    else:
        for document in documents:
            _, title_words, segmented = _segmented(document)
            index.add_segmented(document.doc_id, document.title, title_words, segmented)
    return index


def synthetic_documents(
    documents: Sequence[CorpusDocument], count: int, seed: int = 7
) -> Iterable[CorpusDocument]:
    """`count` variants of the corpus' documents: sentences shuffled, digits changed, a made-up
    word in each sentence (so the vocabulary grows as a larger corpus' would)."""
    rng = random.Random(seed)
    for number in range(count):
        source = documents[number % len(documents)]
        sentences = [s for s in _SENTENCE.split(source.text) if s]
        rng.shuffle(sentences)
        varied = [
            re.sub(r"\d", lambda _: str(rng.randrange(10)), s) + "".join(rng.sample(_MADE_UP_CHARS, 3))
            for s in sentences
        ]
        yield CorpusDocument(f"synthetic-{number}", f"（样本{number}）{source.title}", "".join(varied))


# --- asking --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answered:
    question: Question
    hits: list[PassageHit]
    milliseconds: float
    features: tuple[float, ...]
    refused: bool


def ask_all(index: PolicyIndex, questions: Sequence[Question], calibration: Calibration) -> list[Answered]:
    answered = []
    for question in questions:
        started = time.perf_counter()
        hits = index.search(question.question, K)
        verdict = assess(question.question, hits, calibration)
        elapsed = (time.perf_counter() - started) * 1000
        answered.append(
            Answered(question, hits, elapsed, features(question.question, hits), not verdict.answerable)
        )
    return answered


def _share(flags: Sequence[bool]) -> float | None:
    return round(sum(flags) / len(flags), 4) if flags else None


def _percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 2) if ordered else 0.0


def recall_figures(answered: Sequence[Answered]) -> dict[str, float | None]:
    answerable = [a for a in answered if a.question.answerable]
    figures: dict[str, float | None] = {}
    for k in (1, K):
        figures[f"doc_recall@{k}"] = _share(
            [a.question.doc_id in {h.passage.doc_id for h in a.hits[:k]} for a in answerable]
        )
    for k in (1, K):
        figures[f"answer_recall@{k}"] = _share(
            [any(a.question.answer.strip() in h.passage.text for h in a.hits[:k]) for a in answerable]
        )
    return figures


def _half(qid: str) -> int:
    return hashlib.sha1(qid.encode()).digest()[0] % 2


def split_half_refusal(answered: Sequence[Answered]) -> dict[str, Any]:
    """Fit the refusal model on each half, score it on the other."""
    figures: dict[str, Any] = {}
    for fitted_on in (0, 1):
        train = [a for a in answered if _half(a.question.qid) == fitted_on]
        test = [a for a in answered if _half(a.question.qid) != fitted_on]
        kinds = {a.question.answerable for a in train}
        if kinds != {True, False}:
            return {}
        calibration = fit_calibration([a.features for a in train], [a.question.answerable for a in train])
        refused = [not assess(a.question.question, a.hits, calibration).answerable for a in test]
        figures[f"half{1 - fitted_on}"] = {
            "refused_unanswerable": _share(
                [r for r, a in zip(refused, test, strict=True) if not a.question.answerable]
            ),
            "refused_answerable": _share(
                [r for r, a in zip(refused, test, strict=True) if a.question.answerable]
            ),
            "questions": len(test),
        }
    return figures


def _rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run(
    corpus: Path,
    query_files: Sequence[Path],
    *,
    scale: int = 0,
    scale_docs: int = 0,
    jobs: int = 2,
    calibration: Calibration = DEFAULT_CALIBRATION,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    documents = read_corpus(corpus)
    questions = read_questions(query_files)
    say = progress or (lambda _: None)
    started = time.perf_counter()
    index = build_index(documents, jobs)
    index_seconds = time.perf_counter() - started
    lengths = [len(p.text) for p in index.passages()]
    say(f"已索引 {len(documents)} 篇文件、{len(index)} 个段落，用时 {index_seconds:.1f} 秒")
    answered = ask_all(index, questions, calibration)
    timings = [a.milliseconds for a in answered]
    answerable = [a for a in answered if a.question.answerable]
    unanswerable = [a for a in answered if not a.question.answerable]
    result: dict[str, Any] = {
        "questions": len(questions),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        **recall_figures(answered),
        "refused": _share([a.refused for a in unanswerable]),
        "refused_unanswerable": _share([a.refused for a in unanswerable]),
        "refused_answerable": _share([a.refused for a in answerable]),
        "p50_ms": round(statistics.median(timings), 2) if timings else 0.0,
        "p95_ms": _percentile(timings, 0.95),
        "index_seconds": round(index_seconds, 2),
        "documents": len(documents),
        "passages": len(index),
        "passage_chars_p50": _percentile(lengths, 0.5),
        "passage_chars_p95": _percentile(lengths, 0.95),
        "refusal_split_half": split_half_refusal(answered),
    }
    if scale > len(index):
        result.update(_at_scale(index, documents, questions, scale, jobs, calibration, say))
    del index
    gc.collect()
    if scale_docs:
        started = time.perf_counter()
        big = build_index(list(synthetic_documents(documents, scale_docs, seed=11)), jobs)
        result["index_seconds_scale_docs"] = round(time.perf_counter() - started, 2)
        result["scale_docs"] = scale_docs
        result["scale_docs_passages"] = len(big)
    return result


def _at_scale(
    index: PolicyIndex,
    documents: Sequence[CorpusDocument],
    questions: Sequence[Question],
    scale: int,
    jobs: int,
    calibration: Calibration,
    say: Callable[[str], None],
) -> dict[str, Any]:
    per_document = max(1, len(index) // max(1, len(documents)))
    batch: list[CorpusDocument] = []
    for document in synthetic_documents(documents, 10 * scale // per_document + 1):
        if len(index) >= scale:
            break
        batch.append(document)
        if len(batch) >= 500:
            build_index(batch, jobs, index)
            batch = []
            say(f"合成段落：{len(index)}/{scale}")
    if batch and len(index) < scale:
        build_index(batch, jobs, index)
    gc.collect()
    answered = ask_all(index, questions, calibration)
    timings = [a.milliseconds for a in answered]
    return {
        "passages_at_scale": len(index),
        "p50_ms_at_scale": round(statistics.median(timings), 2),
        "p95_ms_at_scale": _percentile(timings, 0.95),
        "rss_mb_at_scale": _rss_mb(),
    }
