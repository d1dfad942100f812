"""Passages: the short pieces of a policy document that retrieval returns and answers cite.

A passage must be short enough for an officer to read at a glance and for a citation to point at
the words that support an answer, and long enough to hold an answer with its context. When the
structure parser found articles (第十二条) and attachments, each unit is a passage and a long one is
split; otherwise the text is cut into sentence-aware windows that overlap, so that an answer of a
sentence or two that straddles one window's end is whole in the next one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["MAX_CHARS", "Passage", "passages_of", "sentence_spans"]

# Windows grow sentence by sentence to at least TARGET_CHARS and never beyond MAX_CHARS; the
# next window starts about STRIDE_CHARS later, so consecutive windows share their tail/head.
TARGET_CHARS = 300
MAX_CHARS = 480
STRIDE_CHARS = 150
# A unit (article, attachment) up to this length stays one passage.
UNIT_MAX_CHARS = 480

# A sentence ends after 。！？； (or their ASCII forms) or at a line break; runs of spaces between
# paragraphs (common in text pasted from web pages) end one too.
_SENTENCE_END = re.compile(r"[。！？!?；;]+[”’」』）)]*|\n+|\s{1,}(?=\S)")


@dataclass(frozen=True)
class Passage:
    id: str
    doc_id: str
    title: str
    anchor: str | None  # the unit it belongs to: "第十二条", "附件1"; None for plain windows
    text: str
    start: int  # offset of text[0] in the document's text


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """(start, end) of each sentence of text[start:end], with its closing punctuation, without
    surrounding whitespace. Sentences longer than MAX_CHARS are cut into MAX_CHARS pieces."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    position = start
    for match in _SENTENCE_END.finditer(text, start, end):
        spans.extend(_trimmed_pieces(text, position, match.end()))
        position = match.end()
    spans.extend(_trimmed_pieces(text, position, end))
    return spans


def _trimmed_pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return [(at, min(at + MAX_CHARS, end)) for at in range(start, end, MAX_CHARS)]


def _windows(spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Consecutive sentences grouped into overlapping windows of TARGET_CHARS to MAX_CHARS."""
    windows: list[tuple[int, int]] = []
    first = 0
    while first < len(spans):
        last = first
        while (
            last + 1 < len(spans)
            and spans[last + 1][1] - spans[first][0] <= MAX_CHARS
            and (spans[last][1] - spans[first][0] < TARGET_CHARS)
        ):
            last += 1
        windows.append((spans[first][0], spans[last][1]))
        if last + 1 >= len(spans):
            break
        # The next window starts at the first sentence at least STRIDE_CHARS in, but always
        # moves on by one sentence and always overlaps by one when it can.
        following = first + 1
        while following < last and spans[following][0] - spans[first][0] < STRIDE_CHARS:
            following += 1
        first = following
    return windows


def passages_of(
    doc_id: str,
    title: str,
    text: str,
    units: Sequence[tuple[str | None, str, int]] | None = None,
) -> list[Passage]:
    """The passages of one document. `units` are (anchor, unit text, offset in `text`) from the
    structure parser; without them the whole text is windowed. Passage ids are doc_id#n."""
    pieces: list[tuple[str | None, int, int]] = []
    if units:
        for anchor, unit_text, unit_start in units:
            unit_end = unit_start + len(unit_text)
            if len(unit_text.strip()) <= UNIT_MAX_CHARS:
                trimmed = _trimmed_pieces(text, unit_start, unit_end)
                if trimmed:
                    pieces.append((anchor, trimmed[0][0], trimmed[-1][1]))
                continue
            windows = _windows(sentence_spans(text, unit_start, unit_end))
            pieces.extend((anchor, s, e) for s, e in windows)
    else:
        pieces.extend((None, s, e) for s, e in _windows(sentence_spans(text)))
    return [
        Passage(f"{doc_id}#{number}", doc_id, title, anchor, text[s:e], s)
        for number, (anchor, s, e) in enumerate(pieces)
        if e > s
    ]
