"""Character pairs (bigrams) of a text: the measure of "nearly the same wording" for short texts.

Pairs, not words: a short title is segmented differently as one word changes (路灯不亮 / 路灯坏了), while
most of its character pairs stay. Only letters, digits and CJK characters count; the text is
normalised first, so full-width and half-width forms give the same pairs.
"""

from __future__ import annotations

import re

from zhengshu.text.normalize import normalize_text

__all__ = ["char_bigrams", "char_pairs", "overlap"]

_BREAK = re.compile(r"[^\w]+")


def char_bigrams(text: str) -> frozenset[str]:
    letters = [char for char in normalize_text(text) if char.isalnum()]
    return frozenset(a + b for a, b in zip(letters, letters[1:], strict=False))


def char_pairs(text: str) -> list[str]:
    """Every character pair of the text, repeats kept, not across punctuation or spaces: the terms
    of a character-level BM25 index (a pair's count matters there, as a word's does)."""
    pieces = _BREAK.split(normalize_text(text))
    return [piece[at : at + 2] for piece in pieces for at in range(len(piece) - 1)]


def overlap(part: frozenset[str], whole: frozenset[str]) -> float:
    """The share of `part`'s pairs found in `whole` (0 when `part` has none)."""
    return len(part & whole) / len(part) if part else 0.0
