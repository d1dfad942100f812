"""The BM25 engine: ranking, similarity, additions, replacements and removals, segments and filters."""

from __future__ import annotations

import math
import random

import pytest

from zhengshu.search import Bm25Index
from zhengshu.search import bm25 as engine

NOISE = ["路灯", "不亮", "夜间", "出行", "不便", "垃圾", "清运", "不及时", "停车", "收费"]
NOISE += ["混乱", "物业", "管理", "学校", "学位", "医保", "报销", "公交", "线路"]


def words(text: str) -> list[str]:
    return text.split()


def plain_index(**options) -> Bm25Index:
    return Bm25Index(tokenize=words, **options)


def bm25_by_hand(query: list[str], docs: dict[str, list[str]], doc: str, k1=1.2, b=0.75) -> float:
    n = len(docs)
    average = sum(len(d) for d in docs.values()) / n
    total = 0.0
    for term in set(query):
        df = sum(term in d for d in docs.values())
        if not df:
            continue
        idf = math.log1p((n - df + 0.5) / (df + 0.5))
        qtf = query.count(term)
        tf = docs[doc].count(term)
        norm = k1 * (1 - b + b * len(docs[doc]) / average)
        total += idf * qtf * (k1 + 1) / (qtf + k1) * tf * (k1 + 1) / (tf + norm)
    return total


def test_scores_are_okapi_bm25_and_best_first():
    docs = {
        "a": words("施工 噪音 扰民 夜间 施工"),
        "b": words("路灯 不亮 夜间"),
        "c": words("施工 工地 扬尘"),
        "d": words("学校 学位 申请"),
    }
    index = plain_index()
    for doc_id, terms in docs.items():
        index.add_terms(doc_id, terms)
    query = words("夜间 施工 施工 噪音")
    hits = index.search_terms(query, k=10)
    assert [h.id for h in hits] == ["a", "c", "b"]  # "d" shares nothing and is not returned
    for hit in hits:
        assert hit.score == pytest.approx(bm25_by_hand(query, docs, hit.id), rel=1e-4)


def test_the_same_text_has_similarity_one_and_unrelated_text_none():
    index = plain_index()
    index.add(1, "小区 门口 夜间 施工 噪音 扰民")
    index.add(2, "医保 报销 流程 咨询")
    index.add(3, "公交 线路 调整 建议")
    hits = index.search("小区 门口 夜间 施工 噪音 扰民")
    assert hits[0].id == 1 and hits[0].similarity == pytest.approx(1.0, abs=1e-6)
    assert all(0 <= h.similarity <= 1 for h in hits)
    assert index.search("完全 无关 词语") == []
    assert index.search("") == []


def test_adding_an_id_again_replaces_its_text():
    index = plain_index()
    index.add("x", "路灯 不亮")
    index.add("y", "垃圾 清运")
    index.add("x", "停车 收费 混乱")
    assert len(index) == 2
    assert index.search("路灯 不亮") == []
    assert [h.id for h in index.search("停车 收费")] == ["x"]


def test_removed_documents_are_never_found_and_stats_follow_after_compaction(monkeypatch):
    monkeypatch.setattr(engine, "FLUSH_DOCS", 8)
    index = plain_index()
    for i in range(40):
        index.add_terms(i, ["噪音", f"楼{i}"] + random.Random(i).sample(NOISE, 3))
    assert index.remove([3, 4, 999]) == 2
    assert 3 not in index and 4 not in index and len(index) == 38
    assert {h.id for h in index.search_terms(["噪音"], k=100)} == set(range(40)) - {3, 4}
    index.remove(range(5, 30))  # most rows dead: everything is merged into one segment
    assert index.segment_count == 1
    assert {h.id for h in index.search_terms(["噪音"], k=100)} == set(range(40)) - set(range(3, 30))
    assert index._stored_rows == len(index) == 13


def test_many_additions_keep_few_segments_and_find_what_a_fresh_index_finds(monkeypatch):
    monkeypatch.setattr(engine, "FLUSH_DOCS", 16)
    rng = random.Random(5)
    docs = {i: rng.sample(NOISE, 6) + [f"地名{i % 37}"] for i in range(1500)}
    growing = plain_index()
    for doc_id, terms in docs.items():
        growing.add_terms(doc_id, terms)
        if doc_id % 97 == 0:
            growing.search_terms(["路灯"], k=1)  # searches flush small segments along the way
    fresh = plain_index()
    for doc_id, terms in docs.items():
        fresh.add_terms(doc_id, terms)
    growing.search_terms(["路灯"], k=1)
    assert growing.segment_count <= math.log2(1500) + 1
    for probe in (["地名5", "路灯", "不亮"], ["学位", "地名36", "公交"]):
        left = growing.search_terms(probe, k=20)
        right = fresh.search_terms(probe, k=20)
        assert [h.score for h in left] == pytest.approx([h.score for h in right], rel=1e-5)


def test_allow_restricts_to_the_candidates():
    index = plain_index()
    for i in range(10):
        index.add_terms(i, ["噪音", "扰民", f"楼{i}"])
    assert {h.id for h in index.search_terms(["噪音"], k=10, allow=[2, 5, 42])} == {2, 5}
    assert index.search_terms(["噪音"], k=10, allow=[]) == []
    assert [h.id for h in index.search_terms(["噪音", "楼7"], k=1, allow=range(10))] == [7]


def test_long_queries_score_only_their_weightiest_terms():
    index = plain_index(max_terms=2)
    index.add("rare", "罕见词 普通")
    for i in range(20):
        index.add(f"common{i}", "普通 常见")
    hits = index.search_terms(["罕见词", "普通", "常见", "其他"], k=30)
    assert hits[0].id == "rare"


def test_chinese_text_goes_through_the_product_segmenter():
    index = Bm25Index()
    index.add(1, "龙岗大道旁工地每晚十一点后仍在施工，噪音很大")
    index.add(2, "布吉街道某小区路灯不亮")
    assert [h.id for h in index.search("工地晚上施工噪音很大")] == [1]


def test_clear_empties_the_index():
    index = plain_index()
    index.add(1, "路灯 不亮")
    index.clear()
    assert len(index) == 0 and index.search("路灯") == []
