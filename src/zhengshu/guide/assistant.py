"""智能客服: "how do I …" answered from the service items, with the item and section cited; a
clarifying question when several items or variants fit; a plain "I do not know" with the offer to
pass the question to a person when none does.

A conversation carries the earlier questions and the item last answered, so "要带什么材料" after an
answer on 营业执照遗失补领 is about that item, and a short question leaning on an earlier one is
searched with it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from zhengshu.errors import NotFound
from zhengshu.guide.records import ItemRecord
from zhengshu.guide.retrieval import ItemHit, ItemIndex, prepare
from zhengshu.guide.sections import BY_KEY, OVERVIEW, Section, asked_sections, cue_free
from zhengshu.search.questions import MAX_QUESTION, checked_question, in_context, refers_back
from zhengshu.text.shingles import char_bigrams, overlap

__all__ = ["Citation", "Option", "Reply", "ReplyKind", "Statement", "answer"]

MAX_EARLIER = 5
MAX_OPTIONS = 5
# Below this score the best item shares too little with the question to be its answer.
UNKNOWN_BELOW = 1.2
# The best item is no answer when it holds less than this share of the question's idf mass and the
# question says less than this share of its name (5 of 370 development questions, none answered right
# at rank 1; 28 of the 40 questions no item answers).
WEAK_COVERAGE = 0.2
WEAK_NAME = 0.3
# Below this score the best item is right less than half the time (measured on the development
# questions): the assistant offers the best few and asks, with a person offered too.
UNSURE_BELOW = 2.0
UNSURE_OPTIONS = 3
# Items scoring within this share of the best are as likely: the assistant asks which one is meant.
CLOSE = 0.93
# Variants (情形) of the best item within this share of it: the question rarely says which one, and
# the guide differs between them (materials, conditions), so the assistant asks.
VARIANT_CLOSE = 0.85
# An FAQ answers the question when it holds this share of the question's character pairs.
FAQ_MATCH = 0.5
UNKNOWN_TEXT = "抱歉，我没有找到与您的问题对应的办事指南。"
HANDOFF_TEXT = "您可以把问题转给人工客服，工作人员会尽快联系您答复。"


class ReplyKind(StrEnum):
    ANSWER = "answer"
    CLARIFY = "clarify"
    UNKNOWN = "unknown"
    SMALL_TALK = "small_talk"


# Greetings and thanks are answered in kind, not searched.
_GREETING = re.compile(r"(你好|您好|hi|hello|嗨|在吗|在不在|有人吗|早上好|下午好|晚上好)", re.IGNORECASE)
_THANKS = re.compile(r"(谢谢|感谢|多谢|好的|知道了|明白了|ok|嗯+|哦+|行)", re.IGNORECASE)
_TRAILING = "!！。.？?~～ "
GREETING_TEXT = "您好，我是政务服务智能客服。请直接说您要办的事，例如“营业执照丢了怎么补办”。"
THANKS_TEXT = "不客气。还有其他要办的事，可以继续问我。"


@dataclass(frozen=True)
class Citation:
    number: int
    code: str
    name: str
    department: str
    section: str  # the section's key, the anchor of the item page (or faq-N)
    label: str


@dataclass(frozen=True)
class Statement:
    text: str
    citation: int  # its Citation.number


@dataclass(frozen=True)
class Option:
    code: str
    name: str
    department: str


@dataclass(frozen=True)
class Reply:
    kind: ReplyKind
    text: str
    asked: str  # the question as searched
    statements: tuple[Statement, ...] = ()
    citations: tuple[Citation, ...] = ()
    options: tuple[Option, ...] = ()
    item_code: str | None = None  # the item answered: the context of the next question
    offer_handoff: bool = False
    hits: tuple[ItemHit, ...] = field(default=(), repr=False)


def answer(
    index: ItemIndex,
    question: str,
    *,
    earlier: Sequence[str] = (),
    item_code: str | None = None,
    choice: str | None = None,
) -> Reply:
    """The reply to `question`. `item_code` is the item the conversation is about (the last
    answered); `choice` is an item picked from a clarifying question's options."""
    text = checked_question(question)
    earlier = [e.strip()[:MAX_QUESTION] for e in earlier[-MAX_EARLIER:] if isinstance(e, str) and e.strip()]
    if choice is not None:
        return _answer_item(index, _item(index, choice), text, text)
    bare = text.strip(_TRAILING)
    if _GREETING.fullmatch(bare):
        return Reply(ReplyKind.SMALL_TALK, GREETING_TEXT, text)
    if _THANKS.fullmatch(bare):
        return Reply(ReplyKind.SMALL_TALK, THANKS_TEXT, text)
    sections = asked_sections(text)
    if item_code in index.items and (not prepare(cue_free(text)).words or (sections and refers_back(text))):
        return _answer_item(index, index.items[item_code], text, text)
    asked, hits = _search(index, text, earlier)
    if not hits or hits[0].score < UNKNOWN_BELOW or _weak(hits[0]):
        return Reply(
            ReplyKind.UNKNOWN, f"{UNKNOWN_TEXT}{HANDOFF_TEXT}", asked, offer_handoff=True, hits=tuple(hits)
        )
    if hits[0].score < UNSURE_BELOW:
        likely = [hit for hit in hits[:UNSURE_OPTIONS] if hit.score >= UNKNOWN_BELOW]
        return _clarify(index, likely, asked, hits, unsure=True)
    best = index.items[hits[0].code]
    variants = [
        hit
        for hit in hits[:MAX_OPTIONS]
        if best.catalog_name
        and index.items[hit.code].catalog_name == best.catalog_name
        and hit.score >= hits[0].score * VARIANT_CLOSE
    ]
    close = [hit for hit in hits[:MAX_OPTIONS] if hit.score >= hits[0].score * CLOSE]
    if len(variants) > 1:
        return _clarify(index, variants, asked, hits)
    if len(close) > 1:
        return _clarify(index, close, asked, hits)
    return _answer_item(index, index.items[hits[0].code], text, asked, hits)


def _search(index: ItemIndex, text: str, earlier: Sequence[str]) -> tuple[str, list[ItemHit]]:
    """The question searched with its context when it leans on earlier ones, and on its own too:
    "失业金呢" after a question on 高龄津贴 changes the subject, and finds its item better alone."""
    asked = in_context(text, earlier)
    hits = index.search(asked, 10)
    if asked != text:
        alone = index.search(text, 10)
        if alone and (not hits or alone[0].score > hits[0].score):
            return text, alone
    return asked, hits


def _weak(hit: ItemHit) -> bool:
    """The best item holds little of what the question says and the question says little of its
    name: BM25 found it through a word or two, as it finds something for any question."""
    return hit.reasons.get("coverage", 0.0) < WEAK_COVERAGE and hit.reasons.get("name", 0.0) < WEAK_NAME


def _item(index: ItemIndex, code: str) -> ItemRecord:
    item = index.items.get(code)
    if item is None:
        raise NotFound("所选事项不存在或已下线，请重新提问")
    return item


def _clarify(
    index: ItemIndex, close: list[ItemHit], asked: str, hits: list[ItemHit], *, unsure: bool = False
) -> Reply:
    items = [index.items[hit.code] for hit in close]
    variants = len({i.catalog_name for i in items}) == 1 and bool(items[0].catalog_name)
    # Variants of one item are told apart by their 情形; other items by their own names.
    options = tuple(Option(i.code, (i.variant if variants else "") or i.name, i.department) for i in items)
    if unsure:
        text = "没有找到与您的问题完全对应的事项。您要办理的是不是以下事项之一？都不是的话，可以转人工。"
        return Reply(ReplyKind.CLARIFY, text, asked, options=options, offer_handoff=True, hits=tuple(hits))
    if variants:
        text = f"「{items[0].catalog_name}」分为以下几种情形，请选择与您情况相符的一项："
    elif len({i.name for i in items}) == 1:
        text = f"「{items[0].name}」由以下部门分别办理，请选择您要办理的一项："
    else:
        text = "以下事项都可能与您的问题有关，请选择您要办理的一项："
    return Reply(ReplyKind.CLARIFY, text, asked, options=options, hits=tuple(hits))


def _faq_statement(item: ItemRecord, question: str) -> tuple[int, str] | None:
    """The item's FAQ asked the way the question asks, both ways: most of the question's character
    pairs in the FAQ's question and most of the FAQ's in the question (a short question shares its
    few pairs with many FAQs about something else)."""
    asked = char_bigrams(question)
    shares = []
    for faq in item.faqs:
        pairs = char_bigrams(faq.question)
        shares.append(min(overlap(asked, pairs), overlap(pairs, asked)))
    if not shares or max(shares) < FAQ_MATCH:
        return None
    best = shares.index(max(shares))
    return best + 1, item.faqs[best].answer


def _answer_item(
    index: ItemIndex, item: ItemRecord, question: str, asked: str, hits: Sequence[ItemHit] = ()
) -> Reply:
    citations: list[Citation] = []
    statements: list[Statement] = []

    def cite(key: str, label: str, body: str) -> None:
        number = len(citations) + 1
        citations.append(Citation(number, item.code, item.name, item.department, key, label))
        statements.append(Statement(body, number))

    faq = _faq_statement(item, question)
    if faq is not None:
        cite(f"faq-{faq[0]}", "常见问题", faq[1])
    sections: list[Section] = asked_sections(question) or [BY_KEY[key] for key in OVERVIEW]
    missing = []
    for section in sections:
        body = section.read(item)
        if body:
            cite(section.key, section.label, body)
        else:
            missing.append(section.label)
    lead = f"您要办理的是「{item.name}」（{item.department}）。"
    if missing and not statements:
        lead += f"办事指南未载明{'、'.join(missing)}。"
        if item.consult_phone:
            lead += f"请拨打咨询电话 {item.consult_phone} 了解。"
    elif missing and asked_sections(question):
        lead += f"办事指南未载明{'、'.join(missing)}。"
    return Reply(
        ReplyKind.ANSWER,
        lead,
        asked,
        tuple(statements),
        tuple(citations),
        item_code=item.code,
        offer_handoff=not statements,
        hits=tuple(hits),
    )
