"""The appeal classifier: texts in, categories with a calibrated confidence and the words behind them.

Pure machine learning, no database (zhengshu.appeals.classification stores and serves it).

Method, measured on the teddycup dev file (docs/operations.md, `zhengshu bench classify`):
- features: TF-IDF (sublinear tf, l2) of character 1-3-grams, plus a second block counting the words
  of a lexicon: the jieba terms (zhengshu.text.segment) of the training texts. Words carry what
  the characters cannot ("社保" is not "社" and "保"); counting them as n-grams needs no
  segmentation at prediction time, which keeps prediction fast (zhengshu.appeals.ngrams);
- a linear SVM on both blocks; its scores become probabilities through a softmax whose single
  temperature is fitted on out-of-fold scores of a stratified cross-validation;
- the same out-of-fold predictions give honest evaluation figures (macro-F1, accuracy) and the
  auto-dispatch threshold: the lowest confidence above which the predictions were right at least
  `target_precision` of the time;
- an explanation names the words of the text that pushed a category's score up most: each
  jieba term of the text gets the weight × value of its lexicon feature and of the character
  n-grams inside it.

Labels are strings and may be taxonomy paths ("城乡建设/安全生产/事故处理"); the classifier learns
the level it is asked for (the first by default) and returns labels of that level.
"""

from __future__ import annotations

import io
import json
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from zhengshu.appeals.ngrams import NgramVocabulary, feature_text, word_keys
from zhengshu.errors import InvalidInput
from zhengshu.text.segment import terms

__all__ = [
    "ClassifierSettings",
    "Evaluation",
    "Suggestion",
    "TextClassifier",
    "label_at_level",
    "train_classifier",
]

FORMAT = "zhengshu-appeal-classifier/1"
LEVEL_SEPARATOR = "/"
MIN_EXAMPLES_PER_LABEL = 2


@dataclass(frozen=True)
class ClassifierSettings:
    char_longest: int = 3
    word_longest: int = 6
    min_df: int = 2
    word_weight: float = 1.0
    c: float = 1.0
    level: int = 1
    folds: int = 5
    target_precision: float = 0.97
    seed: int = 0


@dataclass(frozen=True)
class Evaluation:
    """Figures from the out-of-fold predictions of the training cross-validation."""

    examples: int
    labels: dict[str, int]
    folds: int
    macro_f1: float | None
    accuracy: float | None
    threshold: float | None
    auto_dispatch_share: float | None
    auto_dispatch_precision: float | None
    per_label_f1: dict[str, float] = field(default_factory=dict)
    train_seconds: float = 0.0


@dataclass(frozen=True)
class Suggestion:
    label: str
    confidence: float
    words: tuple[str, ...] = ()


def label_at_level(label: str, level: int) -> str:
    """ "城乡建设/安全生产/事故处理" at level 1 is "城乡建设"; a shorter path is kept whole."""
    parts = [part.strip() for part in label.split(LEVEL_SEPARATOR)]
    return LEVEL_SEPARATOR.join(parts[:level])


class TextClassifier:
    """A trained model: vocabularies, linear weights, temperature and threshold."""

    def __init__(
        self,
        settings: ClassifierSettings,
        labels: list[str],
        chars: NgramVocabulary,
        words: NgramVocabulary,
        weights: np.ndarray,
        intercepts: np.ndarray,
        temperature: float = 1.0,
        threshold: float | None = None,
        evaluation: Evaluation | None = None,
    ) -> None:
        self.settings = settings
        self.labels = labels
        self.chars = chars
        self.words = words
        self.weights = weights
        self.intercepts = intercepts
        self.temperature = temperature
        self.threshold = threshold
        self.evaluation = evaluation

    # -- prediction ---------------------------------------------------------------------------

    def features(self, texts: Sequence[str]) -> sp.csr_matrix:
        prepared = [feature_text(text) for text in texts]
        word_block = self.words.transform(prepared) * self.settings.word_weight
        return sp.hstack([self.chars.transform(prepared), word_block], format="csr")

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray(self.features(texts) @ self.weights.T) + self.intercepts

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        return _softmax(self.scores(texts) * self.temperature)

    def predict(self, texts: Sequence[str]) -> list[str]:
        return [self.labels[i] for i in self.scores(texts).argmax(axis=1)]

    def suggest(self, text: str, count: int = 3, words: int = 5) -> list[Suggestion]:
        """The `count` likeliest labels, each with the words of the text that drove it."""
        features = self.features([text])
        probabilities = _softmax(
            (np.asarray(features @ self.weights.T) + self.intercepts) * self.temperature
        )[0]
        best = np.argsort(-probabilities)[:count]
        return [
            Suggestion(self.labels[i], float(probabilities[i]), self.explain(text, int(i), features, words))
            for i in best
        ]

    def is_confident(self, confidence: float) -> bool:
        return self.threshold is not None and confidence >= self.threshold

    def explain(
        self, text: str, label_index: int, features: sp.csr_matrix | None = None, limit: int = 5
    ) -> tuple[str, ...]:
        """The words of the text with the largest positive contribution to the label's score."""
        row = (features if features is not None else self.features([text])).tocsr()
        values = dict(zip(row.indices.tolist(), row.data.tolist(), strict=True))
        weights = self.weights[label_index]
        contributions: Counter[str] = Counter()
        for word in dict.fromkeys(terms(text)):
            prepared = feature_text(word)
            indices = self._indices(prepared)
            score = sum(weights[i] * values.get(i, 0.0) for i in indices)
            if score > 0:
                contributions[word] = score
        return tuple(word for word, _ in contributions.most_common(limit))

    def _indices(self, word: str) -> set[int]:
        """Feature columns inside one word: its character n-grams and the word itself."""
        found: set[int] = set()
        char_indices, _ = self.chars.lookup([word])
        found.update(char_indices.tolist())
        if 2 <= len(word) <= self.words.longest and len(self.words):
            key = word_keys([word])
            position = int(np.searchsorted(self.words.keys, key[0]))
            if position < len(self.words) and self.words.keys[position] == key[0]:
                found.add(len(self.chars) + position)
        return found

    # -- serialisation ------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        meta = {
            "format": FORMAT,
            "settings": asdict(self.settings),
            "labels": self.labels,
            "temperature": self.temperature,
            "threshold": self.threshold,
            "evaluation": asdict(self.evaluation) if self.evaluation else None,
        }
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            meta=np.array(json.dumps(meta, ensure_ascii=False)),
            char_keys=self.chars.keys,
            char_idf=self.chars.idf.astype(np.float32),
            word_keys=self.words.keys,
            word_idf=self.words.idf.astype(np.float32),
            weights=self.weights.astype(np.float32),
            intercepts=self.intercepts,
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> TextClassifier:
        try:
            arrays = np.load(io.BytesIO(data), allow_pickle=False)
            meta = json.loads(str(arrays["meta"]))
        except (OSError, ValueError, KeyError) as error:
            raise InvalidInput("模型文件无法读取") from error
        if meta.get("format") != FORMAT:
            raise InvalidInput("模型文件格式不受支持")
        settings = ClassifierSettings(**meta["settings"])
        evaluation = Evaluation(**meta["evaluation"]) if meta.get("evaluation") else None
        chars = NgramVocabulary(
            1, settings.char_longest, arrays["char_keys"], arrays["char_idf"].astype(np.float64)
        )
        words = NgramVocabulary(
            2, settings.word_longest, arrays["word_keys"], arrays["word_idf"].astype(np.float64)
        )
        return cls(
            settings,
            list(meta["labels"]),
            chars,
            words,
            arrays["weights"].astype(np.float64),
            arrays["intercepts"],
            float(meta["temperature"]),
            meta["threshold"],
            evaluation,
        )


# -- training ---------------------------------------------------------------------------------


def train_classifier(
    texts: Sequence[str], labels: Sequence[str], settings: ClassifierSettings | None = None
) -> TextClassifier:
    """Cross-validate (figures, temperature, threshold), then fit the model on every example."""
    settings = settings or ClassifierSettings()
    started = time.perf_counter()
    targets = _check(texts, labels, settings.level)
    segmented = [terms(text) for text in texts]
    scores, folds = _out_of_fold_scores(texts, segmented, targets, settings)
    model = _fit(texts, segmented, targets, settings)
    if scores is not None:
        model.temperature = _fit_temperature(scores, targets, model.labels)
        confidence = _softmax(scores * model.temperature).max(axis=1)
        predicted = [model.labels[i] for i in scores.argmax(axis=1)]
        model.threshold = choose_threshold(confidence, predicted, targets, settings.target_precision)
    else:
        confidence, predicted = np.zeros(0), []
    model.evaluation = _evaluate(
        targets, predicted, confidence, model.threshold, folds, time.perf_counter() - started
    )
    return model


def choose_threshold(
    confidence: np.ndarray, predicted: Sequence[str], truth: Sequence[str], target: float
) -> float | None:
    """The lowest confidence such that the predictions at or above it are right ≥ target of the time.

    None when not even the most confident predictions reach the target."""
    order = np.argsort(-confidence, kind="stable")
    right = np.array([predicted[i] == truth[i] for i in order], dtype=float)
    if not len(right):
        return None
    precision = np.cumsum(right) / np.arange(1, len(right) + 1)
    # Only cut between distinct confidences: a threshold takes all ties or none.
    distinct = np.r_[confidence[order][1:] != confidence[order][:-1], True]
    reaching = np.flatnonzero((precision >= target) & distinct)
    if not len(reaching):
        return None
    return float(confidence[order][reaching[-1]])


def _check(texts: Sequence[str], labels: Sequence[str], level: int) -> list[str]:
    if len(texts) != len(labels):
        raise InvalidInput("文本与分类的数量不一致")
    targets = [label_at_level(label or "", level) for label in labels]
    for row, (text, label) in enumerate(zip(texts, targets, strict=True), start=1):
        if not (text or "").strip():
            raise InvalidInput(f"第 {row} 条样本的文本为空")
        if not label or any(not part for part in label.split(LEVEL_SEPARATOR)):
            raise InvalidInput(f"第 {row} 条样本的分类为空")
    counts = Counter(targets)
    if len(counts) < 2:
        raise InvalidInput("训练样本至少需要两个分类")
    scarce = sorted(label for label, count in counts.items() if count < MIN_EXAMPLES_PER_LABEL)
    if scarce:
        raise InvalidInput(f"以下分类的样本少于 {MIN_EXAMPLES_PER_LABEL} 条：{'、'.join(scarce)}")
    return targets


def _fit(
    texts: Sequence[str],
    segmented: Sequence[Sequence[str]],
    targets: Sequence[str],
    settings: ClassifierSettings,
) -> TextClassifier:
    prepared = [feature_text(text) for text in texts]
    chars = NgramVocabulary.of_ngrams(prepared, 1, settings.char_longest, settings.min_df)
    words = NgramVocabulary.of_words(prepared, segmented, settings.word_longest, settings.min_df)
    chars.idf = chars.idf.astype(np.float32).astype(np.float64)
    words.idf = words.idf.astype(np.float32).astype(np.float64)
    labels = sorted(set(targets))
    model = TextClassifier(settings, labels, chars, words, np.zeros((len(labels), 0)), np.zeros(len(labels)))
    svm = LinearSVC(C=settings.c, random_state=settings.seed)
    svm.fit(model.features(texts), targets)
    weights, intercepts = svm.coef_, svm.intercept_
    if len(labels) == 2:  # one weight row for two classes: scores of the first are minus the second
        weights, intercepts = np.vstack([-weights, weights]) / 2, np.r_[-intercepts, intercepts] / 2
    # Rounded as stored (to_bytes): a model scores the same before and after a round trip.
    model.weights = np.asarray(weights).astype(np.float32).astype(np.float64)
    model.intercepts = np.asarray(intercepts, dtype=np.float64)
    return model


def _out_of_fold_scores(
    texts: Sequence[str],
    segmented: Sequence[Sequence[str]],
    targets: Sequence[str],
    settings: ClassifierSettings,
) -> tuple[np.ndarray | None, int]:
    smallest = min(Counter(targets).values())
    folds = min(settings.folds, smallest)
    if folds < 2:
        return None, 0
    labels = sorted(set(targets))
    scores = np.zeros((len(texts), len(labels)))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=settings.seed)
    for train, test in splitter.split(np.zeros(len(targets)), targets):
        model = _fit(
            [texts[i] for i in train], [segmented[i] for i in train], [targets[i] for i in train], settings
        )
        columns = [labels.index(label) for label in model.labels]
        scores[np.ix_(test, columns)] = model.scores([texts[i] for i in test])
    return scores, folds


def _fit_temperature(scores: np.ndarray, targets: Sequence[str], labels: list[str]) -> float:
    """The softmax temperature that minimises the log-loss of the out-of-fold scores."""
    truth = np.array([labels.index(label) for label in targets])
    best, best_loss = 1.0, np.inf
    for candidate in np.geomspace(0.1, 100.0, 121):
        probabilities = _softmax(scores * candidate)
        loss = -np.mean(np.log(probabilities[np.arange(len(truth)), truth] + 1e-12))
        if loss < best_loss:
            best, best_loss = float(candidate), loss
    return best


def _evaluate(
    truth: Sequence[str],
    predicted: Sequence[str],
    confidence: np.ndarray,
    threshold: float | None,
    folds: int,
    seconds: float,
) -> Evaluation:
    counts = dict(sorted(Counter(truth).items()))
    if not predicted:
        return Evaluation(
            len(truth), counts, 0, None, None, None, None, None, train_seconds=round(seconds, 2)
        )
    share, precision = dispatch_figures(truth, predicted, confidence, threshold)
    labels = sorted(counts)
    per_label = f1_score(truth, predicted, labels=labels, average=None, zero_division=0)
    return Evaluation(
        examples=len(truth),
        labels=counts,
        folds=folds,
        macro_f1=round(float(f1_score(truth, predicted, average="macro")), 4),
        accuracy=round(float(accuracy_score(truth, predicted)), 4),
        threshold=None if threshold is None else round(threshold, 4),
        auto_dispatch_share=share,
        auto_dispatch_precision=precision,
        per_label_f1={label: round(float(f), 4) for label, f in zip(labels, per_label, strict=True)},
        train_seconds=round(seconds, 2),
    )


def dispatch_figures(
    truth: Sequence[str], predicted: Sequence[str], confidence: np.ndarray, threshold: float | None
) -> tuple[float, float | None]:
    """The share of appeals confident enough to dispatch automatically, and how many of those were right."""
    if threshold is None or not len(truth):
        return 0.0, None
    chosen = np.flatnonzero(confidence >= threshold)
    if not len(chosen):
        return 0.0, None
    right = sum(predicted[i] == truth[i] for i in chosen.tolist())
    return round(len(chosen) / len(truth), 4), round(right / len(chosen), 4)


def _softmax(scores: np.ndarray) -> np.ndarray:
    shifted = scores - scores.max(axis=1, keepdims=True)
    exponentials = np.exp(shifted)
    return exponentials / exponentials.sum(axis=1, keepdims=True)
