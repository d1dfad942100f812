"""The classifier on its own: training, confidence, threshold, explanations, serialisation, bad input."""

from __future__ import annotations

import csv
from itertools import product

import numpy as np
import pytest
from tests.shared_data import APPEALS_DATA

from zhengshu.appeals.classifier import (
    ClassifierSettings,
    TextClassifier,
    choose_threshold,
    label_at_level,
    train_classifier,
)
from zhengshu.errors import InvalidInput

DEV = APPEALS_DATA / "teddycup2020_labeled_dev.csv"

TOPICS = {
    "劳动和社会保障": [
        "公司拖欠工资三个月",
        "单位不给缴纳社保",
        "劳动合同到期不续签也不给补偿",
        "加班费一直不发放",
    ],
    "教育文体": [
        "学校乱收补课费",
        "幼儿园学位不够孩子无法入学",
        "老师在校外培训机构上课",
        "体育馆长期关闭不开放",
    ],
    "交通运输": [
        "公交车经常晚点甚至不停站",
        "出租车司机拒载还绕路",
        "路口红绿灯时间太短",
        "长途客运站乱收行李费",
    ],
    "街道事务": [
        "社区工作站办事排队太久",
        "街道办网格员从不上门",
        "社区居委会换届不公开",
        "街道便民服务中心经常没人",
    ],
}
SETTINGS = ["，希望尽快处理。", "，已经反映多次没有结果。", "，请相关部门调查。"]


def samples() -> tuple[list[str], list[str]]:
    texts, labels = [], []
    for label, topics in TOPICS.items():
        for topic, ending in product(topics, SETTINGS):
            texts.append(f"关于{topic}的问题{topic}{ending}")
            labels.append(label)
    return texts, labels


@pytest.fixture(scope="module")
def model() -> TextClassifier:
    texts, labels = samples()
    return train_classifier(texts, labels, ClassifierSettings(folds=3))


def test_label_at_level_keeps_the_requested_depth() -> None:
    assert label_at_level("城乡建设/安全生产/事故处理", 1) == "城乡建设"
    assert label_at_level("城乡建设/安全生产/事故处理", 2) == "城乡建设/安全生产"
    assert label_at_level("城乡建设", 3) == "城乡建设"


def test_predicts_the_category_of_unseen_texts(model: TextClassifier) -> None:
    assert model.predict(["公司拖欠我们的工资和加班费", "孩子入学学位紧张，学校还乱收费"]) == [
        "劳动和社会保障",
        "教育文体",
    ]


def test_probabilities_are_a_distribution_with_the_predicted_label_on_top(model: TextClassifier) -> None:
    probabilities = model.probabilities(["出租车拒载绕路", "社区网格员不上门"])
    assert np.allclose(probabilities.sum(axis=1), 1.0)
    assert [model.labels[i] for i in probabilities.argmax(axis=1)] == ["交通运输", "街道事务"]


def test_suggestions_are_three_likeliest_with_the_words_that_drove_them(model: TextClassifier) -> None:
    text = "我们公司今年一直拖欠工资，也不缴纳社保"
    suggestions = model.suggest(text)
    assert len(suggestions) == 3
    assert suggestions[0].label == "劳动和社会保障"
    assert [s.confidence for s in suggestions] == sorted((s.confidence for s in suggestions), reverse=True)
    assert suggestions[0].words, "the top suggestion names its words"
    assert all(word in text for word in suggestions[0].words)
    assert {"工资", "社保"} & set(suggestions[0].words)


def test_round_trip_through_bytes_scores_the_same(model: TextClassifier) -> None:
    texts = ["公交车不停站", "学校补课收费", "工资拖欠"]
    loaded = TextClassifier.from_bytes(model.to_bytes())
    assert loaded.labels == model.labels
    assert loaded.threshold == model.threshold
    assert np.allclose(loaded.probabilities(texts), model.probabilities(texts))
    assert loaded.evaluation == model.evaluation


def test_unreadable_bytes_are_refused_in_chinese() -> None:
    with pytest.raises(InvalidInput, match="模型"):
        TextClassifier.from_bytes(b"not a model")


def test_evaluation_comes_from_cross_validation(model: TextClassifier) -> None:
    evaluation = model.evaluation
    assert evaluation is not None
    assert evaluation.examples == 48 and evaluation.folds == 3
    assert set(evaluation.labels) == set(TOPICS)
    assert evaluation.macro_f1 is not None and 0.0 <= evaluation.macro_f1 <= 1.0
    assert set(evaluation.per_label_f1) == set(TOPICS)


def test_threshold_is_the_lowest_confidence_keeping_precision() -> None:
    confidence = np.array([0.99, 0.95, 0.90, 0.80, 0.70])
    predicted = ["a", "a", "b", "a", "b"]
    truth = ["a", "a", "b", "b", "b"]
    # The top three are right (precision 1.0); with the fourth it falls to 0.75.
    assert choose_threshold(confidence, predicted, truth, 0.97) == pytest.approx(0.90)
    # 4 of 5 right is 0.8: at 0.8 precision the threshold reaches the last one.
    assert choose_threshold(confidence, predicted, truth, 0.8) == pytest.approx(0.70)


def test_no_threshold_when_even_the_most_confident_are_wrong() -> None:
    assert choose_threshold(np.array([0.9, 0.8]), ["a", "b"], ["b", "b"], 0.97) is None


def test_threshold_never_splits_tied_confidences() -> None:
    confidence = np.array([0.9, 0.9, 0.5])
    assert choose_threshold(confidence, ["a", "a", "a"], ["a", "b", "a"], 0.97) is None


def test_taxonomy_paths_are_learned_at_the_first_level() -> None:
    texts, labels = samples()
    paths = [f"{label}/二级/三级" for label in labels]
    trained = train_classifier(texts, paths, ClassifierSettings(folds=2))
    assert set(trained.labels) == set(TOPICS)


@pytest.mark.parametrize(
    ("texts", "labels", "message"),
    [
        (["工资", " "], ["劳动和社会保障", "教育文体"], "第 2 条样本的文本为空"),
        (["工资", "学校"], ["劳动和社会保障", ""], "第 2 条样本的分类为空"),
        (["工资", "学校"], ["劳动和社会保障", "劳动和社会保障"], "至少需要两个分类"),
        (
            ["工资", "工资拖欠", "学校"],
            ["劳动和社会保障", "劳动和社会保障", "教育文体"],
            "样本少于 2 条：教育文体",
        ),
        (["工资"], ["劳动和社会保障", "教育文体"], "数量不一致"),
    ],
)
def test_bad_training_input_gets_a_chinese_message(texts: list[str], labels: list[str], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        train_classifier(texts, labels)


@pytest.mark.skipif(not DEV.exists(), reason="shared data absent")
def test_on_real_appeals_a_small_model_beats_chance_by_far() -> None:
    with DEV.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    train, test = rows[:500], rows[1500:1800]
    trained = train_classifier(
        [r["text"] for r in train], [r["label"] for r in train], ClassifierSettings(folds=3)
    )
    predicted = trained.predict([r["text"] for r in test])
    accuracy = np.mean([p == r["label"] for p, r in zip(predicted, test, strict=True)])
    assert accuracy > 0.7
    assert trained.threshold is None or 0.0 < trained.threshold <= 1.0
