"""Passages, retrieval and refusal of the policy Q&A on small hand-made documents."""

from __future__ import annotations

import pytest

from zhengshu.policy.passages import MAX_CHARS, passages_of, sentence_spans
from zhengshu.policy.refusal import assess
from zhengshu.policy.retrieval import PolicyIndex, Weights
from zhengshu.policy.retrieval_dense import reciprocal_rank_fusion
from zhengshu.policy.retrieval_query import content_of, longest_common_run, places_of, prepare

RENT = (
    "关于支持中小微企业共渡难关的若干措施 为应对疫情影响，制定如下措施。"
    "第一条 对承租区属国有企业经营用房的中小微企业，免收2月、3月两个月房租。"
    "第二条 对受疫情影响较大的餐饮、零售企业，按实际缴纳场租费用的50%给予补贴，补助金额不超过50万元。"
    "第三条 本措施自发布之日起施行，有效期三个月。"
)
MASKS = (
    "口罩生产企业扩产奖励办法 对新增口罩生产线的企业，按设备投资额的30%给予一次性奖励。"
    "企业应于每月5日前报送产能数据，由市工业和信息化局核定。"
)
TAX = (
    "疫情防控税收优惠政策指引 对疫情防控重点保障物资生产企业为扩大产能新购置的相关设备，"
    "允许一次性计入当期成本费用在企业所得税税前扣除。纳税人提供公共交通运输服务取得的收入，免征增值税。"
)


def long_text(sentences: int = 60) -> str:
    return "".join(f"第{n}句说明疫情防控期间企业复工复产的第{n}项要求和办理方式。" for n in range(sentences))


def build() -> PolicyIndex:
    index = PolicyIndex()
    for doc_id, text in (("rent", RENT), ("masks", MASKS), ("tax", TAX)):
        title = text.split(" ")[0]
        index.add_document(doc_id, title, passages_of(doc_id, title, text), {"status": "现行有效"})
    return index


# --- passages --------------------------------------------------------------------------------


def test_windows_map_back_into_the_text_stay_short_and_overlap():
    text = long_text()
    passages = passages_of("d", "标题", text)
    assert len(passages) > 3
    for passage in passages:
        assert text[passage.start : passage.start + len(passage.text)] == passage.text
        assert len(passage.text) <= MAX_CHARS
        assert passage.anchor is None and passage.doc_id == "d"
    # Every sentence lies whole inside some passage, and consecutive windows share text.
    for start, end in sentence_spans(text):
        assert any(p.start <= start and end <= p.start + len(p.text) for p in passages)
    for before, after in zip(passages, passages[1:], strict=False):
        assert after.start < before.start + len(before.text)
    assert len({p.id for p in passages}) == len(passages)


def test_one_passage_per_unit_and_long_units_split():
    short = "第一条 本办法适用于本区。"
    long_unit = "第二条 " + long_text(40)
    text = short + long_unit
    units = [("第一条", short, 0), ("第二条", long_unit, len(short))]
    passages = passages_of("d", "办法", text, units)
    assert passages[0].anchor == "第一条" and passages[0].text == short
    rest = passages[1:]
    assert len(rest) > 1 and {p.anchor for p in rest} == {"第二条"}
    for passage in passages:
        assert text[passage.start : passage.start + len(passage.text)] == passage.text


def test_a_sentence_longer_than_a_window_is_cut():
    text = "长" * (3 * MAX_CHARS)
    passages = passages_of("d", "t", text)
    assert all(len(p.text) <= MAX_CHARS for p in passages)
    assert "".join(p.text for p in passages) == text


# --- query -----------------------------------------------------------------------------------


def test_question_words_are_dropped_and_quotes_kept():
    query = prepare("对于“两个月房租”有哪些减免政策？")
    assert "哪些" not in query.words and "对于" not in query.words
    assert "两个月房租" in query.quoted
    assert longest_common_run("免收两个月房租吗", "免收2月、3月两个月房租。") == 5


def test_question_content_drops_question_words_and_stopwords():
    assert content_of("办理护照需要什么材料？") == "办理护照材料"
    query = prepare("办理护照需要什么材料？")
    assert "护照" in query.content_bigrams and "么材" not in query.content_bigrams


def test_places_are_read_without_their_suffix():
    assert places_of("甘肃省平凉市政务服务中心如何应对疫情问题？") == ("甘肃", "平凉")
    assert places_of("上海浦东机场为防范疫情都做了什么准备？") == ("上海",)
    assert places_of("广西壮族自治区对复工企业有何要求？") == ("广西",)
    assert places_of("坂田街道疫情期间对个体户有什么补贴？") == ("坂田",)
    # Words of the same shape that name no place.
    for question in ("小区物业费可以减免吗？", "开发区企业复工要备案吗？", "重点地区返回人员怎么登记？"):
        assert places_of(question) == ()
    assert prepare("北京市对展会有何支持？").places == ("北京",)


# --- retrieval -------------------------------------------------------------------------------


def test_a_verbatim_phrase_finds_its_document_first():
    index = build()
    for phrase, doc_id in (
        ("按设备投资额的30%给予一次性奖励", "masks"),
        ("允许一次性计入当期成本费用", "tax"),
        ("免收2月、3月两个月房租", "rent"),
    ):
        hits = index.search(phrase)
        assert hits[0].passage.doc_id == doc_id
        assert hits[0].reasons["phrase"] == pytest.approx(min(len(phrase), 16) / 16)


def test_hits_explain_their_score():
    hits = build().search("餐饮企业的场租补贴最多多少？")
    best = hits[0]
    assert best.passage.doc_id == "rent" and "50万元" in best.passage.text
    assert {"bm25", "document", "coverage", "evidence"} <= best.reasons.keys()
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_proximity_prefers_the_passage_holding_the_question_phrases_together():
    index = PolicyIndex()
    # Both hold 场租 and 补贴 once; only one holds 场租补贴 as the question says it.
    together = "第一条 对餐饮企业给予场租补贴，按实际缴纳费用的一半计算。"
    apart = "第一条 场租由业主收取；企业复工另有规定，补贴由财政发放。"
    for doc_id, text in (("apart", apart), ("together", together)):
        index.add_document(doc_id, "措施", passages_of(doc_id, "措施", text))
    hits = index.search("餐饮企业场租补贴怎么算？")
    assert hits[0].passage.doc_id == "together"
    assert hits[0].reasons["proximity"] > hits[1].reasons["proximity"]


def test_a_question_naming_a_place_prefers_the_document_of_that_place():
    # The same measure republished by two cities; the question asks about one of them, which
    # its document names only in its salutation ("上海市各区"), not as the question writes it.
    measure = "对受疫情影响的餐饮企业，按实际缴纳场租费用的50%给予补贴，补助金额不超过50万元。"
    duties = "".join(f"第{n}项 做好疫情防控期间的值守、消毒和人员登记工作。" for n in range(1, 4))
    texts = {"tianjin": "天津市各区：" + measure, "shanghai": "上海市各区：" + duties + measure}
    question, title = "上海对餐饮企业的场租补贴是多少？", "关于支持餐饮企业的若干措施"
    ranked = {}
    for weights in (Weights(place=0.0), Weights()):
        index = PolicyIndex(weights=weights)
        for doc_id, text in texts.items():
            index.add_document(doc_id, title, passages_of(doc_id, title, text))
        hits = index.search(question)
        ranked[weights.place] = hits[0].passage.doc_id
        assert {h.passage.doc_id: h.reasons["place"] for h in hits} == {"shanghai": 1.0, "tianjin": 0.0}
    assert ranked == {0.0: "tianjin", Weights().place: "shanghai"}
    assert "place" not in build().search("餐饮企业的场租补贴最多多少？")[0].reasons
    # A new version of a document is judged on its own text.
    index.add_document("tianjin", title, passages_of("tianjin", title, "上海市、天津市各区：" + measure))
    assert {h.passage.doc_id: h.reasons["place"] for h in index.search(question)}["tianjin"] == 1.0


def test_allow_docs_limits_the_documents():
    index = build()
    assert build().search("企业所得税税前扣除")[0].passage.doc_id == "tax"
    hits = index.search("企业所得税税前扣除", allow_docs={"rent", "masks"})
    assert hits and {h.passage.doc_id for h in hits} <= {"rent", "masks"}
    assert index.search("企业所得税税前扣除", allow_docs=set()) == []


def test_remove_document_and_replace():
    index = build()
    assert index.remove_document("tax") is True
    assert index.remove_document("tax") is False
    assert "tax" not in index
    assert all(h.passage.doc_id != "tax" for h in index.search("企业所得税税前扣除"))
    index.add_document("masks", "口罩", passages_of("masks", "口罩", "口罩企业每周报送库存。"))
    assert index.document_count == 2
    assert all("30%" not in h.passage.text for h in index.search("设备投资额奖励"))


def test_empty_questions_find_nothing():
    index = build()
    assert index.search("") == []
    assert index.search("有哪些？") == []


def test_reciprocal_rank_fusion_rewards_agreement():
    fused = dict(reciprocal_rank_fusion([["a", "b", "c"], ["b", "d"]]))
    assert max(fused, key=lambda key: fused[key]) == "b"
    assert fused["a"] == pytest.approx(1 / 61)


def test_dense_vectors_join_when_an_encoder_is_configured():
    class Letters:
        # A toy encoder: counts of a few characters. Real models are loaded by the operator.
        def encode(self, texts):
            import numpy as np

            return np.array([[t.count(c) for c in "口罩税房"] for t in texts], dtype=np.float32)

    index = PolicyIndex(encoder=Letters())
    index.add_document("masks", "口罩", passages_of("masks", "口罩", MASKS))
    index.add_document("tax", "税", passages_of("tax", "税", TAX))
    hits = index.search("口罩生产线奖励")
    assert hits[0].passage.doc_id == "masks" and "dense" in hits[0].reasons
    index.remove_document("masks")
    assert all(h.passage.doc_id != "masks" for h in index.search("口罩生产线奖励"))


# --- refusal ---------------------------------------------------------------------------------


def test_refusal_of_questions_the_documents_do_not_answer():
    index = build()
    question = "龙岗区积分入学怎么算分？"
    assert assess(question, index.search(question)).answerable is False
    assert assess("任何问题", []).answerable is False
    assert assess("任何问题", []).reason


def test_a_question_about_a_word_no_document_holds_is_refused():
    index = build()
    # 护照 occurs nowhere; 企业, 报送 and 数据 alone must not make a passage an answer.
    question = "企业员工办理护照需要报送哪些数据？"
    hits = index.search(question)
    assert hits and hits[0].reasons["unknown"] >= 1.0
    verdict = assess(question, hits)
    assert verdict.answerable is False and "没有找到" in verdict.reason
    assert build().search("口罩生产线奖励")[0].reasons["unknown"] == 0.0


def test_a_question_the_documents_answer_is_not_refused():
    index = build()
    question = "对承租国有企业经营用房的中小微企业免收几个月房租？"
    verdict = assess(question, index.search(question))
    assert verdict.answerable is True
    assert 0.0 <= verdict.confidence <= 1.0


def test_idf_of_known_words_and_of_unseen_ones():
    index = build()
    idf = index.idf(["企业", "口罩", "从未出现的词"])
    assert set(idf) == {"企业", "口罩"}
    assert idf["口罩"] > idf["企业"]  # 企业 is in every document
    unseen = index._passage_index.idf_of_unseen()
    assert unseen > idf["口罩"]
