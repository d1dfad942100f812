"""`zhengshu bench classify --train A.csv --test B.csv`: train on one CSV, score the other.

Prints one JSON line: macro-F1 and accuracy on the test file, training seconds (with the
cross-validation that sets the temperature and the threshold), predictions per second of CPU time
on one core (the whole test file as one batch, features included), and how the auto-dispatch
threshold chosen on the training cross-validation does on the test file.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, f1_score
from threadpoolctl import threadpool_limits

from zhengshu.appeals.classification import read_training_csv
from zhengshu.appeals.classifier import TextClassifier, dispatch_figures, label_at_level, train_classifier
from zhengshu.errors import InvalidInput


def read_csv(path: Path, what: str) -> tuple[list[str], list[str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInput(f"{what}文件不存在：{path}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInput(f"无法读取{what}文件 {path}（需要 UTF-8 编码的 CSV）：{error}") from None
    try:
        return read_training_csv(text)
    except InvalidInput as error:
        raise InvalidInput(f"{what}文件 {path.name}：{error.message}") from None


def run(train_path: Path, test_path: Path) -> dict[str, Any]:
    train_texts, train_labels = read_csv(train_path, "训练集")
    test_texts, test_labels = read_csv(test_path, "测试集")
    started = time.perf_counter()
    model = train_classifier(train_texts, train_labels)
    train_seconds = time.perf_counter() - started
    truth = [label_at_level(label, model.settings.level) for label in test_labels]
    unknown = sorted(set(truth) - set(model.labels))
    if unknown:
        raise InvalidInput(f"测试集的分类不在训练集中：{'、'.join(unknown)}")
    with threadpool_limits(1):
        cpu = time.process_time()
        probabilities = model.probabilities(test_texts)
        predict_cpu = max(time.process_time() - cpu, 1e-9)
    predicted = [model.labels[i] for i in probabilities.argmax(axis=1)]
    share, precision = dispatch_figures(truth, predicted, probabilities.max(axis=1), model.threshold)
    payload = model.to_bytes()
    assert model.evaluation is not None
    return {
        "macro_f1": round(float(f1_score(truth, predicted, average="macro")), 4),
        "accuracy": round(float(accuracy_score(truth, predicted)), 4),
        "train_seconds": round(train_seconds, 2),
        "predict_per_second": round(len(test_texts) / predict_cpu, 1),
        "auto_dispatch_share": share,
        "auto_dispatch_precision": precision,
        "threshold": model.threshold,
        "cv_macro_f1": model.evaluation.macro_f1,
        "cv_auto_dispatch_share": model.evaluation.auto_dispatch_share,
        "cv_auto_dispatch_precision": model.evaluation.auto_dispatch_precision,
        "model_bytes": len(payload),
        "train_rows": len(train_texts),
        "test_rows": len(test_texts),
        "labels": len(model.labels),
        "round_trip_equal": bool(
            np.array_equal(TextClassifier.from_bytes(payload).predict(test_texts[:50]), predicted[:50])
        ),
    }
