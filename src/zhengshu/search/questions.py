"""Questions people ask in a conversation, for every Q&A of the product (the policy Q&A, the
service assistant): the words that frame a question rather than say what it is about, the bounds of
a question, and follow-ups that keep their context.

Follow-up questions keep their context: "那个体工商户呢？" after a question on rent subsidies is asked
as a question on rent subsidies for 个体工商户, and a third question leaning on that one still carries
the topic. A short or referring question is asked together with the context resolved so far; a
question that stands on its own starts a new context."""

from __future__ import annotations

from collections.abc import Sequence

from zhengshu.errors import InvalidInput
from zhengshu.text.segment import segment

MAX_QUESTION = 500

# Words that frame a question rather than say what it is about (the segmenter's stopwords already
# cover 什么, 如何, 多少, 是否, 怎么…).
_QUESTION_WORD_TEXT = """
哪些 哪家 哪个 哪 哪儿 哪里 哪种 哪类 哪项 哪几 哪些方面 哪方面 有何 有什么 什么样 怎样 怎么样
何 何时 何种 何地 几 多久 多长 多长时间 有没有 能不能 可不可以 吗 呢 采取 提出 对于 针对 方面
主要 具体 分别 有关 是从 从哪 如何是好 怎么办理"""
QUESTION_WORDS = frozenset(_QUESTION_WORD_TEXT.split())


def checked_question(question: str) -> str:
    text = question.strip() if isinstance(question, str) else ""
    if not text:
        raise InvalidInput("请输入问题")
    if len(text) > MAX_QUESTION:
        raise InvalidInput(f"问题过长（{len(text)} 字），请精简到 {MAX_QUESTION} 字以内")
    return text


# Phrases by which a question leans on the one before it (found anywhere in the question)…
REFERRING_PHRASES = (
    "这个",
    "那个",
    "这些",
    "那些",
    "上述",
    "该政策",
    "该文件",
    "该规定",
    "还有",
    "另外",
    "那么",
)
# …and single characters that do only as words of their own (其他 and 呢绒 do not refer back).
REFERRING_WORDS = frozenset({"它", "其", "呢", "那"})
# A question this short rarely says enough on its own.
SHORT = 10


def refers_back(question: str) -> bool:
    if len(question) <= SHORT or any(phrase in question for phrase in REFERRING_PHRASES):
        return True
    return any(token in REFERRING_WORDS for token in segment(question))


def in_context(question: str, earlier: Sequence[str]) -> str:
    """The question to search for: ``question`` with the context of the earlier questions (oldest
    first) when it refers back, resolved question by question."""
    context = ""
    for text in [*earlier, question]:
        text = text.strip()
        context = f"{context} {text}".strip() if context and refers_back(text) else text
    return context
