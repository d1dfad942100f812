"""Cleaning user-entered Chinese text before it is stored or compared.

Raw NFKC is not used on whole texts: it would turn the Chinese punctuation people
type (，！？：；（）) into ASCII, which reads wrongly in Chinese. Only the
full-width forms of ASCII are folded, minus that punctuation, plus the
ideographic space.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["collapse_whitespace", "fold_width", "has_cjk", "normalize_text", "remove_control_characters"]

_FULLWIDTH_FIRST, _FULLWIDTH_LAST = 0xFF01, 0xFF5E
_FULLWIDTH_TO_ASCII_OFFSET = 0xFEE0
_CHINESE_PUNCTUATION_KEPT = frozenset("（）：；，！？")
_IDEOGRAPHIC_SPACE = "\u3000"
_KEPT_CONTROLS = frozenset("\n\t")
# CJK ideographs: Extension A and the unified block, the compatibility block, Extensions B to G.
_CJK_RANGES = (("\u3400", "\u9fff"), ("\uf900", "\ufaff"), ("\U00020000", "\U0003134f"))
# Four newlines in a row are three blank lines; keep at most two blank lines.
_TOO_MANY_BLANK_LINES = re.compile(r"\n{4,}")


def _fold_char(char: str) -> str:
    if char == _IDEOGRAPHIC_SPACE:
        return " "
    code = ord(char)
    if _FULLWIDTH_FIRST <= code <= _FULLWIDTH_LAST and char not in _CHINESE_PUNCTUATION_KEPT:
        return chr(code - _FULLWIDTH_TO_ASCII_OFFSET)
    return char


def _is_unwanted_control(char: str) -> bool:
    # Lone surrogates count too: PostgreSQL text and XML cannot carry them, nor can UTF-8.
    return unicodedata.category(char) in ("Cc", "Cs") and char not in _KEPT_CONTROLS


def _translation_tables() -> tuple[dict[int, int | None], dict[int, int | None], dict[int, int | None]]:
    """str.translate tables: control characters (and lone surrogates) dropped; those plus the
    full-width folding of text; and those plus every full-width form, punctuation too. Every Cc
    and Cs code point lies in the Basic Multilingual Plane."""
    dropped: dict[int, int | None] = {
        code: None for code in range(0x10000) if _is_unwanted_control(chr(code))
    }
    folded: dict[int, int | None] = dict(dropped)
    for code in [*range(_FULLWIDTH_FIRST, _FULLWIDTH_LAST + 1), ord(_IDEOGRAPHIC_SPACE)]:
        if _fold_char(chr(code)) != chr(code):
            folded[code] = ord(_fold_char(chr(code)))
    narrowed: dict[int, int | None] = dict(folded)
    for char in _CHINESE_PUNCTUATION_KEPT:
        narrowed[ord(char)] = ord(char) - _FULLWIDTH_TO_ASCII_OFFSET
    return dropped, folded, narrowed


# Built once: translate() runs in C, some fifty times faster than a per-character loop.
_DROP_CONTROLS, _DROP_AND_FOLD, _DROP_AND_NARROW = _translation_tables()


def _unify_newlines(value: str) -> str:
    # A lone \r is an old Mac line break: turning it into \n keeps the lines apart
    # instead of gluing them when control characters are removed.
    return value.replace("\r\n", "\n").replace("\r", "\n")


def _clean_chars(value: str) -> str:
    kept = value.translate(_DROP_AND_FOLD)
    # Composing last, once nothing more is removed or folded, so that a second
    # pass finds nothing left to compose.
    return unicodedata.normalize("NFC", kept)


def _strip_line_ends(value: str) -> str:
    return "\n".join(line.rstrip() for line in value.split("\n"))


def normalize_text(value: str) -> str:
    """Fold full-width ASCII, drop control characters, tidy lines and blank lines.

    Newlines become \\n, trailing whitespace goes from every line, runs of three or
    more blank lines shrink to two, and the text is stripped at both ends.
    """
    cleaned = _strip_line_ends(_clean_chars(_unify_newlines(value)))
    return _TOO_MANY_BLANK_LINES.sub("\n\n\n", cleaned).strip()


def fold_width(value: str) -> str:
    """Every full-width form of ASCII folded, the Chinese punctuation too (（２０２４） → (2024)), the
    ideographic space to a space, control characters dropped.

    For what is compared character by character rather than read as Chinese text: codes, ID and
    phone numbers, dates, column headers."""
    return value.translate(_DROP_AND_NARROW)


def collapse_whitespace(value: str) -> str:
    """For one-line fields (title, name, address): one space per whitespace run."""
    return " ".join(value.split())


def remove_control_characters(value: str) -> str:
    """Drop control characters other than tab and newline, and lone surrogates; nothing else.

    For text kept as typed (codes, names, links) that must still be storable and sendable in XML.
    """
    return value.translate(_DROP_CONTROLS)


def has_cjk(value: str) -> bool:
    """Whether the text holds a CJK ideograph, as Chinese names and addresses do."""
    return any(low <= char <= high for char in value for low, high in _CJK_RANGES)
