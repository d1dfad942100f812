"""How Chinese text sounds: the toneless pinyin of a word, to find the word a typist meant.

People type by pinyin and pick the wrong character of the same sound: 认正 for 认证, 普通化 for
普通话, 前注 for 签注, 退修金 for 退休金. Two words with the same toneless pinyin sound alike; a
search can take the one its corpus knows for the one it does not (pypinyin's dictionary is in the
package: nothing is downloaded)."""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, lazy_pinyin

__all__ = ["sound_of"]


@lru_cache(maxsize=65_536)
def sound_of(word: str) -> str:
    """The word's toneless pinyin, syllables joined by spaces ("认证" → "ren zheng"); characters
    without a reading (digits, Latin) stand for themselves."""
    return " ".join(lazy_pinyin(word, style=Style.NORMAL, errors="default"))
