"""Follow-up questions keep their context: "那企业呢？" after a question on subsidies is asked as a
question on subsidies for enterprises. A short or referring question is asked together with the
previous question; a question that stands on its own is asked alone."""

from __future__ import annotations

from collections.abc import Sequence

# Words by which a question leans on the one before it.
REFERRING = (
    "这个",
    "那个",
    "这些",
    "那些",
    "上述",
    "该政策",
    "该文件",
    "该规定",
    "它",
    "其",
    "还有",
    "另外",
    "那么",
    "呢",
)
# A question this short rarely says enough on its own.
SHORT = 10
# How many earlier questions are carried along.
CARRIED = 1


def in_context(question: str, earlier: Sequence[str]) -> str:
    """The question to search for: ``question`` with the last earlier question when it refers back."""
    question = question.strip()
    if not earlier:
        return question
    refers = len(question) <= SHORT or any(word in question for word in REFERRING)
    if not refers:
        return question
    carried = [q.strip() for q in earlier[-CARRIED:] if q.strip()]
    return " ".join([*carried, question])
