"""The structure of a normative document: 章, 节, 条, 款, 项 and attachments, as units with anchors
and character offsets into the version's text, so that an answer can cite 第十二条 and a link can
open and highlight it. Documents without 条 (most notices) fall back to their numbered sections
(一、二、…), and else to paragraphs.

A heading counts only where a heading can stand (start of a line, or after a space in text pasted
from a web page) and only when its number follows the previous one: "依照第十二条规定" inside a
sentence, or a stray 第五条 quoted from another document, does not start a unit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from zhengshu.policy.metadata import find_signature
from zhengshu.text.numerals import NUMERAL_CHARS, chinese_to_int

__all__ = ["ParsedDocument", "Part", "Unit", "parse_structure", "units_for_passages"]

_N = rf"[{NUMERAL_CHARS}\d]{{1,6}}"
_BOUNDARY = r"(?:^|(?<=\s))"
_HEADING = re.compile(rf"{_BOUNDARY}第\s*(?P<n>{_N})\s*(?P<level>[章节条])", re.MULTILINE)
_ATTACHMENT = re.compile(rf"^附\s*件\s*(?P<n>{_N})?\s*[:：]?\s*(?P<rest>[^\n]{{0,40}})$", re.MULTILINE)
_SECTION = re.compile(rf"{_BOUNDARY}(?P<n>[{NUMERAL_CHARS}]{{1,3}})\s*、", re.MULTILINE)
_ITEM = re.compile(rf"{_BOUNDARY}[（(]\s*(?P<n>[{NUMERAL_CHARS}]{{1,3}})\s*[）)]", re.MULTILINE)
_HEADING_END = re.compile(r"[。；：:，,\n]")
_ARTICLE_GAP = 2  # a heading may skip this many numbers (a mistyped or missing article)
_CN = "零一二三四五六七八九"


@dataclass(frozen=True)
class Part:
    """A 款 (paragraph of an article) or 项 (（一）（二）… item) inside a unit."""

    anchor: str  # 第二款, 第（三）项
    start: int
    end: int


@dataclass(frozen=True)
class Unit:
    kind: str  # preamble, article, section, attachment, paragraph
    anchor: str  # 第十二条, 附件1, 附件1第三条, 三、, 第2段, 序言
    path: str  # 第二章 第一节 第十二条
    heading: str
    start: int
    end: int
    parts: tuple[Part, ...] = ()


@dataclass(frozen=True)
class ParsedDocument:
    text: str
    units: list[Unit] = field(default_factory=list)
    # Whether articles or numbered sections were found (paragraphs only: False).
    structured: bool = False

    def unit_text(self, unit: Unit) -> str:
        return self.text[unit.start : unit.end]


def cn_number(value: int) -> str:
    """12 → 十二, 105 → 一百零五: how article numbers are written."""
    if value < 10:
        return _CN[value]
    if value < 20:
        return "十" + (_CN[value - 10] if value > 10 else "")
    if value < 100:
        tens, ones = divmod(value, 10)
        return _CN[tens] + "十" + (_CN[ones] if ones else "")
    if value >= 1000:
        return str(value)
    hundreds, rest = divmod(value, 100)
    head = _CN[hundreds] + "百"
    if rest == 0:
        return head
    if rest < 10:
        return head + "零" + _CN[rest]
    # 一百一十二: after 百 the tens digit is spoken even when it is one.
    return head + ("一" if rest < 20 else "") + cn_number(rest)


@dataclass
class _Marker:
    kind: str  # chapter, section, article, attachment, numbered
    number: int
    start: int
    body_start: int  # just after the marker (第十二条 / 附件1 / 三、)
    label: str


def _number(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return chinese_to_int(value.replace(" ", ""))
    except ValueError:
        return None


def _attachment_markers(text: str) -> list[_Marker]:
    markers = []
    expected = 1
    for found in _ATTACHMENT.finditer(text):
        number = _number(found.group("n"))
        rest = found.group("rest").strip()
        # "附件：1.××表" lists the attachments at the end of the body; an attachment itself starts
        # with "附件1" (or a lone "附件") on its own line.
        if number is None and rest:
            continue
        number = number if number is not None else expected
        if number != expected:
            continue
        markers.append(_Marker("attachment", number, found.start(), found.end(), f"附件{number}"))
        expected += 1
    return markers


def _heading_markers(text: str, attachments: list[_Marker]) -> list[_Marker]:
    """章, 节 and 条 in numbering order, numbering restarting inside each attachment."""
    boundaries = [marker.start for marker in attachments]
    markers: list[_Marker] = []
    last = {"章": 0, "节": 0, "条": 0}
    region = 0
    for found in _HEADING.finditer(text):
        while region < len(boundaries) and found.start() >= boundaries[region]:
            region += 1
            last = {"章": 0, "节": 0, "条": 0}
        number, level = _number(found.group("n")), found.group("level")
        if number is None:
            continue
        if level == "条" and not last[level] < number <= last[level] + _ARTICLE_GAP:
            continue
        if level == "章" and number != last["章"] + 1:
            continue
        if level == "节" and number not in (last["节"] + 1, 1):
            continue
        if level == "章":
            last["节"] = 0
        last[level] = number
        kind = {"章": "chapter", "节": "section", "条": "article"}[level]
        markers.append(_Marker(kind, number, found.start(), found.end(), f"第{cn_number(number)}{level}"))
    return markers


def _numbered_markers(text: str) -> list[_Marker]:
    markers: list[_Marker] = []
    for found in _SECTION.finditer(text):
        number = _number(found.group("n"))
        if number == len(markers) + 1:
            markers.append(_Marker("numbered", number, found.start(), found.end(), f"{cn_number(number)}、"))
    return markers if len(markers) >= 2 else []


def _heading(text: str, start: int, end: int, limit: int = 40) -> str:
    piece = text[start:end].lstrip()
    cut = _HEADING_END.search(piece)
    heading = piece[: cut.start()] if cut else piece
    return heading.strip()[:limit]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _parts(text: str, start: int, body_start: int, end: int) -> tuple[Part, ...]:
    """款 are the lines of an article; 项 the （一）（二）… items inside it."""
    parts: list[Part] = []
    items = [found for found in _ITEM.finditer(text, body_start, end)]
    expected = 1
    for found in items:
        number = _number(found.group("n"))
        if number != expected:
            continue
        expected += 1
        next_item = next((other.start() for other in items if other.start() > found.start()), end)
        line_end = text.find("\n", found.end(), end)
        item_end = min(next_item, line_end if line_end != -1 else end)
        s, e = _trim(text, found.start(), item_end)
        parts.append(Part(f"第（{cn_number(number)}）项", s, e))
    clauses = []
    position = start
    for line in text[start:end].split("\n"):
        s, e = _trim(text, position, position + len(line))
        position += len(line) + 1
        if e > s and not _ITEM.match(text, s):
            clauses.append((s, e))
    if len(clauses) > 1:
        parts.extend(Part(f"第{cn_number(n)}款", s, e) for n, (s, e) in enumerate(clauses, start=1))
    return tuple(sorted(parts, key=lambda part: (part.start, part.anchor)))


def parse_structure(text: str) -> ParsedDocument:
    attachments = _attachment_markers(text)
    signature = find_signature(text)
    # The signature block ends the last unit of the body; it belongs to no unit.
    ends = [_Marker("signature", 0, signature.start, signature.start, "")] if signature else []
    headings = _heading_markers(text, attachments)
    if not any(marker.kind == "article" for marker in headings):
        headings = _numbered_markers(text[: attachments[0].start] if attachments else text)
    if not headings and not attachments:
        return ParsedDocument(text, _paragraphs(text), False)
    markers = sorted(headings + attachments + ends, key=lambda marker: marker.start)
    return ParsedDocument(text, _units(text, markers), True)


def _units(text: str, markers: list[_Marker]) -> list[Unit]:
    units: list[Unit] = []
    first = markers[0].start if markers else len(text)
    s, e = _trim(text, 0, first)
    if e > s:
        units.append(Unit("preamble", "序言", "序言", _heading(text, s, e), s, e))
    chapter = section = attachment = ""
    for index, marker in enumerate(markers):
        end = markers[index + 1].start if index + 1 < len(markers) else len(text)
        if marker.kind == "attachment":
            attachment, chapter, section = marker.label, "", ""
        elif marker.kind == "chapter":
            chapter, section = f"{marker.label} {_heading(text, marker.body_start, end, 20)}".strip(), ""
            continue
        elif marker.kind == "section":
            section = f"{marker.label} {_heading(text, marker.body_start, end, 20)}".strip()
            continue
        elif marker.kind == "signature":
            continue
        s, e = _trim(text, marker.start, end)
        if e <= s:
            continue
        prefix = attachment if marker.kind != "attachment" else ""
        anchor = f"{prefix}{marker.label}"
        path = " ".join(
            piece for piece in (attachment if prefix else "", chapter, section, marker.label) if piece
        )
        if marker.kind == "attachment":
            path = marker.label
        kind = {"article": "article", "numbered": "section", "attachment": "attachment"}[marker.kind]
        units.append(
            Unit(kind, anchor, path, _heading(text, marker.body_start, e), s, e,
                 _parts(text, s, marker.body_start, e))
        )  # fmt: skip
    return _unique_anchors(units)


def _unique_anchors(units: list[Unit]) -> list[Unit]:
    seen: dict[str, int] = {}
    result = []
    for unit in units:
        count = seen.get(unit.anchor, 0) + 1
        seen[unit.anchor] = count
        if count > 1:
            unit = replace(unit, anchor=f"{unit.anchor}（{count}）")
        result.append(unit)
    return result


def _paragraphs(text: str) -> list[Unit]:
    units: list[Unit] = []
    position = 0
    for line in text.split("\n"):
        s, e = _trim(text, position, position + len(line))
        position += len(line) + 1
        if e > s:
            number = len(units) + 1
            units.append(Unit("paragraph", f"第{number}段", f"第{number}段", _heading(text, s, e), s, e))
    return units


def units_for_passages(parsed: ParsedDocument) -> list[tuple[str | None, str, int]]:
    """(anchor, text, offset) of each citable unit, for zhengshu.policy.passages.passages_of. Empty
    for unstructured text, which passages are better cut from as overlapping windows; the preamble
    has no anchor."""
    if not parsed.structured:
        return []
    return [
        (None if unit.kind == "preamble" else unit.anchor, parsed.unit_text(unit), unit.start)
        for unit in parsed.units
    ]
