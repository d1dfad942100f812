"""Reading an uploaded document into plain text: .txt, .html, .docx, .pdf, and JSONL lines.

The text returned is normalised (zhengshu.text.normalize) once, here: every later offset (articles,
passages, citations) points into this text, which is the text the library stores.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import PurePath
from typing import Any

from zhengshu.errors import InvalidInput
from zhengshu.policy.models import EDITABLE_FIELDS
from zhengshu.text.normalize import normalize_text

__all__ = [
    "FORMATS",
    "MAX_BYTES",
    "MAX_CHARS",
    "MAX_PDF_PAGES",
    "MAX_UNZIPPED_BYTES",
    "JsonlRecord",
    "RawText",
    "file_format",
    "read_file",
    "read_jsonl",
]

MAX_BYTES = 20 * 1024 * 1024
# Limits on what a small upload may expand into (a zip bomb, a PDF of empty pages): a normative
# document, attachments included, is far below each of them.
MAX_CHARS = 2_000_000
MAX_PDF_PAGES = 2_000
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024
# A .docx compresses its XML about 10:1; beyond this ratio and size it is built to explode.
_MAX_ZIP_RATIO = 100
_RATIO_CHECKED_ABOVE = 10 * 1024 * 1024
_TOO_LONG = f"文字超过 {MAX_CHARS // 10_000} 万字，请拆分后再上传"
FORMATS = {".txt": "txt", ".html": "html", ".htm": "html", ".docx": "docx", ".pdf": "pdf"}
# Metadata a JSONL line may carry besides docid and text (the fields an officer may edit); ingest
# treats them as the officer's word.
JSONL_FIELDS = EDITABLE_FIELDS
# A text layer this thin is a scan with a stray page number or stamp, not a document.
_MIN_TEXT_CHARS = 10


@dataclass(frozen=True)
class RawText:
    text: str
    format: str  # txt, html, docx, pdf, jsonl


@dataclass(frozen=True)
class JsonlRecord:
    docid: str
    raw: RawText
    hints: dict[str, Any] = field(default_factory=dict)


def file_format(name: str) -> str:
    suffix = PurePath(name).suffix.lower()
    if suffix == ".jsonl":
        return "jsonl"
    if suffix not in FORMATS:
        shown = suffix or "（无扩展名）"
        raise InvalidInput(f"不支持的文件类型 {shown}：请上传 .txt、.html、.docx、.pdf 或 .jsonl 文件")
    return FORMATS[suffix]


def _check_size(name: str, data: bytes) -> None:
    if not data:
        raise InvalidInput(f"文件“{name}”为空")
    if len(data) > MAX_BYTES:
        raise InvalidInput(f"文件“{name}”超过 {MAX_BYTES // (1024 * 1024)} MB，请拆分后再上传")


def read_file(name: str, data: bytes) -> RawText:
    """The normalised text of one document file. Refuses (InvalidInput, in Chinese) an empty,
    oversize, unsupported, unreadable, encrypted or scanned-only file."""
    kind = file_format(name)
    if kind == "jsonl":
        raise InvalidInput("JSONL 文件每行是一份文件，请按批量导入处理")
    _check_size(name, data)
    readers = {"txt": _read_txt, "html": _read_html, "docx": _read_docx, "pdf": _read_pdf}
    text = normalize_text(readers[kind](data))
    if len(text) > MAX_CHARS:
        raise InvalidInput(f"文件“{name}”的{_TOO_LONG}")
    if kind == "pdf" and len(re.sub(r"\s", "", text)) < _MIN_TEXT_CHARS:
        raise InvalidInput(f"“{name}”是扫描件，无法提取文字：请上传带文字层的 PDF 或 Word 文件")
    if not text:
        raise InvalidInput(f"文件“{name}”中没有文字")
    return RawText(text, kind)


def _decode(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise InvalidInput("文件不是文本文件（含二进制内容）")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInput("无法识别文件编码：请保存为 UTF-8 或 GB18030 编码后再上传")


def _read_txt(data: bytes) -> str:
    return _decode(data)


_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_-]+)""", re.IGNORECASE)


def _read_html(data: bytes) -> str:
    declared = _CHARSET.search(data[:4096])
    text: str | None = None
    if declared:
        try:
            text = data.decode(declared.group(1).decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            text = None
    parser = _HtmlText()
    parser.feed(text if text is not None else _decode(data))
    parser.close()
    return parser.text()


class _HtmlText(HTMLParser):
    """Visible text of a page, one line per block element; scripts, styles and the head dropped."""

    _SKIPPED = frozenset({"script", "style", "noscript", "template", "svg"})
    # What a head may hold; any other tag ends a head whose end tag was left out (it is optional).
    _HEAD_CONTENT = frozenset({"title", "meta", "link", "base", "style", "script", "noscript", "template"})
    _BLOCKS = frozenset(
        {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section",
         "article", "blockquote", "pre", "hr", "ul", "ol", "dd", "dt", "header", "footer"}
    )  # fmt: skip

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._pieces: list[str] = []
        self._skipping = 0
        self._in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "head":
            self._in_head = True
        elif self._in_head and tag not in self._HEAD_CONTENT:
            self._in_head = False
        if tag in self._SKIPPED:
            self._skipping += 1
        elif tag in self._BLOCKS:
            self._pieces.append("\n")
        elif tag in ("td", "th"):
            self._pieces.append("\t")

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self._in_head = False
        elif tag in self._SKIPPED:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self._BLOCKS:
            self._pieces.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping and not self._in_head:
            # Source line breaks inside a paragraph are layout, not text.
            self._pieces.append(re.sub(r"\s+", " ", data))

    def text(self) -> str:
        lines = (line.strip() for line in "".join(self._pieces).split("\n"))
        return "\n".join(line for line in lines if line)


def _read_docx(data: bytes) -> str:
    from docx import Document
    from docx.table import Table

    _check_unzipped_size(data)
    try:
        document = Document(io.BytesIO(data))
    except Exception as error:  # python-docx raises zip, XML and key errors alike
        raise InvalidInput("无法读取该 .docx 文件：文件已损坏或不是 Word 2007 及以上格式") from error
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            lines.extend(_table_lines(block))
        else:
            lines.append(block.text)
    text = "\n".join(lines)
    if not text.strip():
        raise InvalidInput("该 .docx 文件中没有文字（可能只有图片），无法导入")
    return text


def _check_unzipped_size(data: bytes) -> None:
    """Refuse a .docx that would expand past the limits before python-docx parses it: its XML
    parser holds the whole document in memory (a 189 KB bomb took 630 MB and 20 s)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            # zipfile stops reading an entry at its declared size, so declared sizes bound the work.
            total = sum(entry.file_size for entry in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as error:
        raise InvalidInput("无法读取该 .docx 文件：文件已损坏或不是 Word 2007 及以上格式") from error
    if total > MAX_UNZIPPED_BYTES or (total > _RATIO_CHECKED_ABOVE and total > _MAX_ZIP_RATIO * len(data)):
        raise InvalidInput("文件解压后过大，可能已损坏")


def _table_lines(table: Any) -> list[str]:
    lines = []
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            value = " ".join(cell.text.split())
            # A merged cell is returned once per grid column it spans.
            if not cells or cells[-1] != value:
                cells.append(value)
        lines.append("\t".join(cells))
    return lines


def _read_pdf(data: bytes) -> str:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not _opens_without_password(reader):
            raise InvalidInput("该 PDF 已加密，无法提取文字：请上传未加密的文件")
        if len(reader.pages) > MAX_PDF_PAGES:
            raise InvalidInput(f"该 PDF 超过 {MAX_PDF_PAGES} 页，请拆分后再上传")
        pages: list[str] = []
        length = 0
        for page in reader.pages:
            pages.append(page.extract_text() or "")
            length += len(pages[-1])
            if length > MAX_CHARS:  # stop reading: the rest would be refused anyway
                raise InvalidInput(f"该 PDF 的{_TOO_LONG}")
    except InvalidInput:
        raise
    except Exception as error:  # a PDF library meets every kind of broken file; refuse them all
        raise InvalidInput("无法读取该 PDF 文件：文件已损坏或格式不正确") from error
    return "\n".join(pages)


def _opens_without_password(reader: Any) -> bool:
    try:
        return bool(reader.decrypt(""))
    except Exception:  # AES without the cryptography package, or a broken encryption dictionary
        return False


def read_jsonl(data: bytes) -> Iterator[tuple[int, JsonlRecord | InvalidInput]]:
    """(line number, record or the reason the line is refused) for every non-blank line:
    a bad line does not stop the others."""
    if not data:
        raise InvalidInput("JSONL 文件为空")
    text = _decode(data)
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            yield number, _jsonl_record(line, seen)


def _jsonl_record(line: str, seen: set[str]) -> JsonlRecord | InvalidInput:
    try:
        value = json.loads(line)
    except json.JSONDecodeError:
        return InvalidInput("不是合法的 JSON")
    if not isinstance(value, dict):
        return InvalidInput("每行应是一个 JSON 对象")
    docid, body = value.get("docid"), value.get("text")
    if not isinstance(docid, str | int) or not str(docid).strip():
        return InvalidInput("缺少 docid")
    if not isinstance(body, str) or not normalize_text(body):
        return InvalidInput("缺少正文 text")
    docid = str(docid).strip()
    if len(docid) > 200:
        return InvalidInput("docid 过长（最多 200 字）")
    if docid in seen:
        return InvalidInput(f"docid {docid} 在文件中重复")
    seen.add(docid)
    if len(body.encode("utf-8")) > MAX_BYTES:
        return InvalidInput(f"正文超过 {MAX_BYTES // (1024 * 1024)} MB")
    text = normalize_text(body)
    if len(text) > MAX_CHARS:
        return InvalidInput(f"正文{_TOO_LONG}")
    hints = {key: value[key] for key in JSONL_FIELDS if value.get(key) not in (None, "", [])}
    return JsonlRecord(docid, RawText(text, "jsonl"), hints)
