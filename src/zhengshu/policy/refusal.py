"""Whether the retrieved evidence answers a question at all, or the Q&A must say 未找到相关依据.

BM25 always returns something: a question about 购房补贴 still matches passages about 补贴. Four
signals tell an answer from a near miss, combined by a logistic model:

- ``evidence``: the share of the question's idf mass found in the best passage, words no
  document holds counting as the rarest word (retrieval's reason of the same name);
- ``document``: the best document's BM25 similarity to the question;
- ``bigrams``: the share of the character bigrams of the question's content (question words and
  stopwords taken out, the rest joined) that occur in the best passage with its title. Near misses
  hold the question's words scattered ("中考" here, "加分" there); answers hold its phrases;
- ``unknown``: 1 when a content word of the question occurs in no document at all ("办理护照…" in a
  corpus without 护照): whatever else matches, the corpus does not know what was asked about.

The coefficients and the threshold are fitted by `fit_calibration` on answerable and unanswerable
questions (the bench fits on one half and reports on the other); DEFAULT_CALIBRATION was fitted on
the dev questions of ../shared/data/policy_qa and benchmarks/policy_qa_unanswerable.jsonl (after its
audit: questions the corpus does answer moved to benchmarks/policy_qa_answerable_extra.jsonl).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from zhengshu.policy.retrieval import PassageHit
from zhengshu.policy.retrieval_query import bigrams, content_of
from zhengshu.text.normalize import normalize_text

__all__ = ["DEFAULT_CALIBRATION", "Calibration", "Verdict", "assess", "features", "fit_calibration"]

FEATURES = ("evidence", "document", "bigrams", "unknown")


@dataclass(frozen=True)
class Verdict:
    answerable: bool
    confidence: float  # the model's probability that the evidence answers the question
    reason: str  # for the officer and the refusal message, in Chinese


@dataclass(frozen=True)
class Calibration:
    coefficients: tuple[float, ...]  # one per FEATURES
    intercept: float
    threshold: float  # confidence below this is a refusal


DEFAULT_CALIBRATION = Calibration((1.937, 4.74, 10.05, -1.079), -7.954, 0.6311)


def features(question: str, hits: Sequence[PassageHit]) -> tuple[float, ...]:
    if not hits:
        return (0.0,) * len(FEATURES)
    best = hits[0]
    wanted = bigrams(content_of(normalize_text(question)))
    share = (
        sum(1 for b in wanted if b in best.passage.text or b in best.passage.title) / len(wanted)
        if wanted
        else 0.0
    )
    unknown = 1.0 if best.reasons.get("unknown", 0.0) > 0 else 0.0
    return (best.reasons.get("evidence", 0.0), best.reasons.get("document", 0.0), share, unknown)


def _confidence(values: Sequence[float], calibration: Calibration) -> float:
    z = calibration.intercept + sum(c * v for c, v in zip(calibration.coefficients, values, strict=True))
    return 1.0 / (1.0 + math.exp(-z))


def assess(
    question: str, hits: Sequence[PassageHit], calibration: Calibration = DEFAULT_CALIBRATION
) -> Verdict:
    if not hits:
        return Verdict(False, 0.0, "未找到与问题相关的政策文件内容")
    values = features(question, hits)
    confidence = _confidence(values, calibration)
    if confidence >= calibration.threshold:
        return Verdict(True, confidence, "最相关的条文覆盖了问题的主要内容")
    evidence, _, phrases, unknown = values
    if unknown or evidence < 0.6:
        reason = "问题中的关键词在政策文件中没有找到"
    elif phrases < 0.6:
        reason = "政策文件中只零散出现问题的用词，没有直接回答该问题的条文"
    else:
        reason = "检索到的条文与问题的相关度不足"
    return Verdict(False, confidence, reason)


def fit_calibration(
    values: Sequence[Sequence[float]], answerable: Sequence[bool], *, max_refused_answerable: float = 0.04
) -> Calibration:
    """A logistic model of answerability; the threshold refuses at most `max_refused_answerable`
    of the answerable questions it was fitted on (a little under the 5% allowed, for the margin
    that a new sample needs)."""
    from sklearn.linear_model import LogisticRegression  # only the calibration needs it

    x = np.asarray(values, dtype=np.float64)
    y = np.asarray(answerable, dtype=bool)
    model = LogisticRegression(C=10.0, max_iter=1000).fit(x, y)
    coefficients = tuple(round(float(c), 3) for c in model.coef_[0])
    calibration = Calibration(coefficients, round(float(model.intercept_[0]), 3), 0.0)
    scores = np.array([_confidence(row, calibration) for row in x[y]])
    threshold = float(np.quantile(scores, max_refused_answerable)) if len(scores) else 0.5
    return Calibration(calibration.coefficients, calibration.intercept, round(threshold, 4))
