"""The assistant: finding the item in people's words, citing the section, asking when several fit,
saying plainly when it does not know."""

from __future__ import annotations

import pytest

from zhengshu.errors import InvalidInput, NotFound
from zhengshu.guide.assistant import ReplyKind, answer
from zhengshu.guide.retrieval import ItemIndex, prepare
from zhengshu.guide.vocabulary import parse, vocabulary

from .assistant_items import ITEMS


@pytest.fixture(scope="module")
def index() -> ItemIndex:
    return ItemIndex(ITEMS)


def test_colloquial_words_bring_the_guides_words():
    asked = prepare("驾照掉了咋整")
    assert "驾照" in asked.colloquial and "掉了" in asked.colloquial
    assert {"驾驶证", "遗失", "补领"} <= set(asked.added)


def test_one_character_words_match_only_as_words():
    table = parse("枪支 = 枪\n船舶 = 船\n")
    assert table.expansion("买了一条船") == (("船", ("船舶",)),)
    # 船 inside the word 船员 is not the word 船.
    assert table.expansion("船员证书") == ()


def test_vocabulary_file_reads_and_rejects_bad_lines():
    assert len(vocabulary().guide_words) > 100
    with pytest.raises(ValueError, match="第 1 行"):
        parse("驾驶证 驾照\n")
    with pytest.raises(ValueError, match="不能为空"):
        parse("驾驶证 =\n")


@pytest.mark.parametrize(
    ("question", "code"),
    [
        ("驾照掉了咋整", "S03"),
        ("营业执照丢了怎么办", "S01"),
        ("被公司辞退了能领失业金吗", "S05"),
        ("我想开个小店当个体户", "S02"),
        ("驾驶证快过期了", "S04"),
        ("生二胎要办什么手续", "S09"),
    ],
)
def test_people_s_words_find_the_item(index, question, code):
    assert index.search(question, 3)[0].code == code


def test_answer_cites_the_item_and_the_asked_section(index):
    reply = answer(index, "营业执照丢了要带什么材料")
    assert reply.kind is ReplyKind.ANSWER and reply.item_code == "S01"
    sections = [c.section for c in reply.citations]
    assert "materials" in sections
    text = "\n".join(s.text for s in reply.statements)
    assert "补领营业执照申请书（原件，1份）" in text
    assert all(c.code == "S01" and c.name == "营业执照遗失补领" for c in reply.citations)


def test_a_faq_that_matches_answers_first(index):
    reply = answer(index, "营业执照丢了需要登报吗")
    assert reply.citations[0].section == "faq-1"
    assert "无需登报" in reply.statements[0].text


def test_how_do_i_gets_the_overview(index):
    reply = answer(index, "营业执照遗失补领怎么办理")
    assert [c.section for c in reply.citations] == ["conditions", "materials", "place", "limits", "online"]


def test_a_follow_up_keeps_the_item(index):
    first = answer(index, "营业执照丢了怎么办")
    follow = answer(index, "在哪里办？", earlier=["营业执照丢了怎么办"], item_code=first.item_code)
    assert follow.item_code == "S01"
    assert [c.section for c in follow.citations] == ["place"]
    assert "龙岗区政务服务中心" in follow.statements[0].text


def test_a_section_the_guide_lacks_is_said_plainly(index):
    reply = answer(index, "机动车驾驶证遗失补证收费吗")
    assert reply.kind is ReplyKind.ANSWER and reply.item_code == "S03"
    assert "未载明收费标准" in reply.text and "0755-12345678" in reply.text
    assert reply.offer_handoff


def test_variants_of_one_item_are_asked_about(index):
    reply = answer(index, "公积金怎么提取")
    assert reply.kind is ReplyKind.CLARIFY
    assert {o.code for o in reply.options} == {"S10", "S11"}
    assert "住房公积金提取" in reply.text
    chosen = answer(index, "公积金怎么提取", choice="S10")
    assert chosen.kind is ReplyKind.ANSWER and chosen.item_code == "S10"


def test_an_unknown_choice_is_not_found(index):
    with pytest.raises(NotFound):
        answer(index, "公积金怎么提取", choice="NOPE")


@pytest.mark.parametrize(
    "question", ["今天天气怎么样", "讲个笑话吧", "asdfghjkl", "？？？", "孩子不爱写作业怎么办"]
)
def test_what_no_item_answers_is_said_plainly_with_a_person_offered(index, question):
    reply = answer(index, question)
    assert reply.kind is ReplyKind.UNKNOWN
    assert reply.offer_handoff and not reply.citations
    assert "没有找到" in reply.text


@pytest.mark.parametrize("question", ["", "   ", "问" * 20000])
def test_empty_or_absurdly_long_questions_get_a_message(index, question):
    with pytest.raises(InvalidInput):
        answer(index, question)


@pytest.mark.parametrize(
    ("question", "says"), [("你好", "您好"), ("在吗？", "您好"), ("谢谢！", "不客气"), ("好的", "不客气")]
)
def test_greetings_and_thanks_are_answered_in_kind(index, question, says):
    reply = answer(index, question)
    assert reply.kind is ReplyKind.SMALL_TALK and says in reply.text and not reply.offer_handoff


def test_when_unsure_the_best_few_are_offered_with_a_person(index, monkeypatch):
    import zhengshu.guide.assistant as assistant

    monkeypatch.setattr(assistant, "UNSURE_BELOW", 100.0)
    reply = answer(index, "营业执照丢了怎么办")
    assert reply.kind is ReplyKind.CLARIFY and reply.offer_handoff
    assert reply.options[0].code == "S01" and len(reply.options) <= 3
    assert "是不是" in reply.text


def test_long_phrases_match_when_people_reword_them():
    table = parse("延期缴纳 = 晚点交税\n")
    assert table.expansion("这个月的税能不能晚点交") == (("晚点交税", ("延期", "缴纳")),)
    # The characters must lie close together, not anywhere in a long question.
    assert table.expansion("税务局说晚上可以来。我点了外卖，交给前台了") == ()


def test_limits_not_counted_in_working_days_are_quoted():
    from zhengshu.guide.records import ItemRecord
    from zhengshu.guide.sections import limits_text

    item = ItemRecord(
        code="X", name="海域使用权审批", department="省自然资源厅", legal_limit_text="90(自然日)"
    )
    assert limits_text(item) == "办理时限：法定时限 90(自然日)。"


def test_a_removed_item_is_found_no_more():
    index = ItemIndex(ITEMS)
    assert index.search("驾照掉了咋整", 1)[0].code == "S03"
    index.remove(["S03"])
    assert all(hit.code != "S03" for hit in index.search("机动车驾驶证遗失补证", 10))
    assert len(index) == len(ITEMS) - 1


@pytest.mark.parametrize(("typed", "meant"), [("营业执照一失补领", "遗失"), ("生育等记怎么办", "登记")])
def test_a_word_typed_with_the_wrong_character_of_its_sound_is_found(index, typed, meant):
    asked = index.sound_alikes(prepare(typed))
    assert meant in asked.added
    # Real words are left alone, even when an item name sounds like them.
    assert index.sound_alikes(prepare("知道怎么办")).added == prepare("知道怎么办").added


def test_an_faq_answers_only_a_question_asked_its_way():
    from zhengshu.guide.records import Faq, ItemRecord

    item = ItemRecord(
        code="F",
        name="住房公积金提取(租房)",
        department="公积金中心",
        faqs=(Faq("可以用配偶的公积金交公租房租金吗？", "可以。配偶提取时需同时提交结婚证。"),),
    )
    one = ItemIndex([item])
    assert not any(c.section.startswith("faq") for c in answer(one, "租房可以提公积金吗").citations)
    assert answer(one, "可以用配偶的公积金交公租房租金吗").citations[0].section == "faq-1"


def test_variants_are_asked_about_and_named_by_their_situation(index):
    reply = answer(index, "公积金提取要什么材料")
    assert reply.kind is ReplyKind.CLARIFY
    assert {o.name for o in reply.options} == {"租房", "购房"}
    # A question that says which one gets it.
    assert answer(index, "租房的公积金提取要什么材料").item_code == "S10"


def test_a_new_subject_after_a_follow_up_word_is_searched_on_its_own(index):
    first = answer(index, "营业执照丢了怎么办")
    reply = answer(index, "那失业金呢", earlier=["营业执照丢了怎么办"], item_code=first.item_code)
    assert reply.item_code == "S05"
