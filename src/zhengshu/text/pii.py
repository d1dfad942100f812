"""Finding and masking personal data (phones, ID numbers, names) in Chinese text.

Matching runs on a copy of the text where each character is NFKC-folded on its
own, so full-width digits and separators match like ASCII ones; a character whose
folded form is longer than one character is kept as it is. The copy therefore has
the same length as the original and every offset found in it is valid in the
original too.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from zhengshu.text.identifiers import (
    AREA_CODE_PATTERN,
    is_plausible_birth_date,
    normalize_phone,
)

__all__ = [
    "PiiKind",
    "PiiSpan",
    "find_pii",
    "mask_id_number",
    "mask_name",
    "mask_phone",
    "mask_pii_in_text",
    "without_person",
]

PiiKind = Literal["mobile", "landline", "id_number"]

_MASK = "*"
_NOT_AFTER_DIGIT = r"(?<![0-9])"
_NOT_BEFORE_DIGIT = r"(?![0-9])"

# People write mobiles as 13812345678, 138 1234 5678 or 138-1234-5678, sometimes
# with the country code in front. A bare "86" is only taken when glued to the
# number, so a figure that happens to end in 86 before a space is left alone.
_MOBILE_IN_TEXT = re.compile(
    rf"{_NOT_AFTER_DIGIT}(?:(?:\+|00)86[ -]?|86)?1[3-9][0-9](?:[ -]?[0-9]{{4}}){{2}}{_NOT_BEFORE_DIGIT}"
)
# Only numbers with an area code: a bare 8-digit figure in free text is far more
# often an amount or a reference number than a phone.
_LANDLINE_IN_TEXT = re.compile(
    rf"{_NOT_AFTER_DIGIT}(?:\({AREA_CODE_PATTERN}\) ?|{AREA_CODE_PATTERN}[ -]?)"
    rf"[1-9][0-9]{{6,7}}{_NOT_BEFORE_DIGIT}"
)
# The check character is deliberately not verified: a mistyped ID number is
# still somebody's ID number.
_ID_NUMBER_IN_TEXT = re.compile(
    rf"{_NOT_AFTER_DIGIT}[1-9][0-9]{{5}}(?P<birth>(?:19|20)[0-9]{{6}})[0-9]{{3}}[0-9Xx]{_NOT_BEFORE_DIGIT}"
)


@dataclass(frozen=True)
class PiiSpan:
    """One piece of personal data; `text` is `original[start:end]`."""

    kind: PiiKind
    start: int
    end: int
    text: str


def _masked_run(length: int) -> str:
    return _MASK * max(length, 0)


def _keep_last(value: str, kept: int) -> str:
    # A value no longer than what would be kept is hidden entirely, so masking
    # never hands back the whole secret.
    if len(value) <= kept:
        return _masked_run(len(value))
    return _masked_run(len(value) - kept) + value[-kept:]


def mask_phone(canonical: str) -> str:
    """138****1234 for mobiles, 0755-****1234 for landlines, last two digits otherwise."""
    phone = normalize_phone(canonical) or canonical
    if len(phone) == 11 and phone.isascii() and phone.isdigit():
        return f"{phone[:3]}{_masked_run(4)}{phone[-4:]}"
    area, separator, subscriber = phone.partition("-")
    if separator and len(subscriber) > 4:
        return f"{area}-{_keep_last(subscriber, 4)}"
    return _keep_last(phone, 2)


def mask_id_number(value: str) -> str:
    """Keep the region code (first 6) and the last 4: 440307********1234."""
    kept_head, kept_tail = 6, 4
    if len(value) <= kept_head + kept_tail:
        return _masked_run(len(value))
    hidden = len(value) - kept_head - kept_tail
    return f"{value[:kept_head]}{_masked_run(hidden)}{value[-kept_tail:]}"


def mask_name(name: str) -> str:
    """Keep the surname's first character: 张三 -> 张*, 欧阳娜娜 -> 欧***.

    A one-character name is hidden entirely, since keeping its first character
    would keep all of it.
    """
    stripped = name.strip()
    if len(stripped) <= 1:
        return _masked_run(len(stripped))
    return stripped[0] + _masked_run(len(stripped) - 1)


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    folded = unicodedata.normalize("NFKC", char)
    return folded if len(folded) == 1 else char


def _fold_for_matching(text: str) -> str:
    return "".join(_fold_char(char) for char in text)


def _spans_of(kind: PiiKind, pattern: re.Pattern[str], folded: str, original: str) -> list[PiiSpan]:
    spans: list[PiiSpan] = []
    for match in pattern.finditer(folded):
        if kind == "id_number" and not is_plausible_birth_date(match["birth"]):
            continue
        start, end = match.span()
        spans.append(PiiSpan(kind=kind, start=start, end=end, text=original[start:end]))
    return spans


def _without_overlaps(spans: list[PiiSpan]) -> list[PiiSpan]:
    # Earlier spans win, and at the same start the longer one: it holds more data.
    kept: list[PiiSpan] = []
    for span in sorted(spans, key=lambda s: (s.start, -(s.end - s.start))):
        if not kept or span.start >= kept[-1].end:
            kept.append(span)
    return kept


def find_pii(text: str) -> list[PiiSpan]:
    """Mobiles, landlines with an area code and 18-character ID numbers, in text order."""
    folded = _fold_for_matching(text)
    found = [
        *_spans_of("mobile", _MOBILE_IN_TEXT, folded, text),
        *_spans_of("landline", _LANDLINE_IN_TEXT, folded, text),
        *_spans_of("id_number", _ID_NUMBER_IN_TEXT, folded, text),
    ]
    return _without_overlaps(found)


def _masked_span(span: PiiSpan) -> str:
    folded = unicodedata.normalize("NFKC", span.text)
    if span.kind == "id_number":
        return mask_id_number(folded.upper())
    canonical = normalize_phone(folded)
    if canonical is None:
        return _masked_run(len(span.text))
    return mask_phone(canonical)


def mask_pii_in_text(text: str) -> str:
    """The text with every span from `find_pii` replaced by its masked form."""
    pieces: list[str] = []
    position = 0
    for span in find_pii(text):
        pieces.append(text[position : span.start])
        pieces.append(_masked_span(span))
        position = span.end
    pieces.append(text[position:])
    return "".join(pieces)


def without_person(text: str, name: str) -> str:
    """For analysis, not display: the text with its numbers masked and the person's name removed.
    Who wrote says nothing about what is asked, and would tie together one person's unrelated
    appeals. A one-character name would remove that character everywhere, so it stays."""
    text = mask_pii_in_text(text)
    name = name.strip()
    return text.replace(name, "") if len(name) >= 2 else text
