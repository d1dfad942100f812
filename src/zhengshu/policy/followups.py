"""Follow-up questions keep their context: "那个体工商户呢？" after a question on rent subsidies is asked
as a question on rent subsidies for 个体工商户, and a third question leaning on that one still carries
the topic. A short or referring question is asked together with the context resolved so far; a
question that stands on its own starts a new context."""

from __future__ import annotations

from collections.abc import Sequence

from zhengshu.text.segment import segment

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
