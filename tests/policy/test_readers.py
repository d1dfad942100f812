"""Reading uploads: every format into normalised text, and a clear Chinese refusal for bad input."""

from __future__ import annotations

import json

import pytest
from tests.policy.documents import blank_pdf, docx_bytes, docx_with_extra_entry, encrypted_pdf, text_pdf

from zhengshu.errors import InvalidInput
from zhengshu.policy.readers import (
    MAX_BYTES,
    MAX_CHARS,
    MAX_PDF_PAGES,
    MAX_UNZIPPED_BYTES,
    JsonlRecord,
    read_file,
    read_jsonl,
)

TEXT = "深龙府办规〔2024〕3号\n第一条 为了规范管理，制定本办法。\n第二条 本办法自2024年5月1日起施行。"


def test_txt_in_utf8_and_gb18030_reads_the_same() -> None:
    assert read_file("a.txt", TEXT.encode("utf-8")).text == TEXT
    assert read_file("a.txt", TEXT.encode("gb18030")).text == TEXT
    assert read_file("a.TXT", b"\xef\xbb\xbf" + TEXT.encode("utf-8")).text == TEXT  # BOM dropped


def test_txt_is_normalised_full_width_ascii_folded_chinese_punctuation_kept() -> None:
    raw = read_file("a.txt", "第一条　补贴ＡＢＣ１２３元，（一）项\r\n\r\n\r\n\r\n\r\n下一段  ".encode())
    assert raw.text == "第一条 补贴ABC123元，（一）项\n\n\n下一段"


def test_html_keeps_paragraphs_and_drops_scripts_styles_and_head() -> None:
    page = """<html><head><title>页面标题</title><style>p {color: red}</style></head>
    <body><script>var x = "不应出现";</script>
    <h1>关于印发《示例办法》的通知</h1>
    <p>第一条 为了
       规范管理&nbsp;制定本办法&lt;试行&gt;。</p><div>第二条 自发布之日起施行。</div>
    <table><tr><td>项目</td><td>金额</td></tr></table></body></html>"""
    raw = read_file("page.html", page.encode("utf-8"))
    assert raw.format == "html"
    assert raw.text.split("\n") == [
        "关于印发《示例办法》的通知",
        "第一条 为了 规范管理 制定本办法<试行>。",
        "第二条 自发布之日起施行。",
        "项目\t金额",
    ]


def test_html_whose_head_end_tag_is_left_out_still_gives_its_body() -> None:
    # </head> is optional: the first tag a head cannot hold ends it.
    page = "<html><head><title>页面标题</title><meta charset='utf-8'><body><p>第一条 正文内容。</p></html>"
    assert read_file("page.html", page.encode("utf-8")).text == "第一条 正文内容。"
    no_body_tag = "<head><title>页面标题</title><h1>通知</h1><p>正文</p>"
    assert read_file("page.html", no_body_tag.encode("utf-8")).text == "通知\n正文"


def test_html_declared_charset_is_honoured() -> None:
    page = '<html><head><meta charset="gbk"></head><body><p>人才住房</p></body></html>'
    assert read_file("a.htm", page.encode("gbk")).text == "人才住房"


def test_docx_paragraphs_and_tables_in_document_order() -> None:
    data = docx_bytes(["示例办法", "第一条 贴息标准如下表。"], [["项目", "标准"], ["贴息", "50%"]])
    raw = read_file("办法.docx", data)
    assert raw.format == "docx"
    assert raw.text == "示例办法\n第一条 贴息标准如下表。\n项目\t标准\n贴息\t50%"


def test_pdf_text_layer_with_chinese_characters() -> None:
    raw = read_file("办法.pdf", text_pdf(TEXT.split("\n")))
    assert raw.format == "pdf"
    assert raw.text == TEXT


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("scan.pdf", blank_pdf(2), "扫描件，无法提取文字"),
        ("locked.pdf", encrypted_pdf(), "已加密"),
        ("broken.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog", "无法读取该 PDF"),
        ("broken.pdf", b"not a pdf at all", "无法读取该 PDF"),
        ("empty.docx", docx_bytes(["", "   "]), ".docx 文件中没有文字"),
        ("broken.docx", b"PK\x03\x04 not really a zip", "无法读取该 .docx"),
        ("empty.txt", b"", "为空"),
        ("blank.txt", b" \n\n \t", "没有文字"),
        ("binary.txt", b"\x00\x01\x02abc", "不是文本文件"),
        ("sheet.xlsx", b"PK\x03\x04", "不支持的文件类型 .xlsx"),
        ("noextension", b"abc", "不支持的文件类型"),
        ("lines.jsonl", b'{"docid": "1", "text": "x"}', "JSONL"),
    ],
)
def test_bad_input_is_refused_in_chinese(name: str, data: bytes, message: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        read_file(name, data)
    assert message in refused.value.message


def test_oversize_file_is_refused_before_reading() -> None:
    with pytest.raises(InvalidInput, match="超过 20 MB"):
        read_file("big.txt", b"a" * (MAX_BYTES + 1))


@pytest.mark.parametrize(
    "data",
    [
        # 12 MB of spaces that zip to about 12 KB: a ratio no Word document has.
        docx_with_extra_entry(b" " * (12 * 1024 * 1024)),
        # A small part whose directory entry declares more than the limit.
        docx_with_extra_entry(b"x", declared_size=MAX_UNZIPPED_BYTES + 1),
    ],
)
def test_docx_that_would_expand_too_far_is_refused_before_parsing(data: bytes) -> None:
    with pytest.raises(InvalidInput, match="文件解压后过大，可能已损坏"):
        read_file("bomb.docx", data)


def test_docx_with_an_ordinary_compressible_part_is_read() -> None:
    data = docx_with_extra_entry(b" " * (1024 * 1024))
    assert read_file("ok.docx", data).text == "第一条 正文。"


def test_pdf_with_too_many_pages_is_refused() -> None:
    with pytest.raises(InvalidInput, match=f"超过 {MAX_PDF_PAGES} 页"):
        read_file("long.pdf", blank_pdf(MAX_PDF_PAGES + 1))


def test_text_longer_than_the_limit_is_refused_in_every_format() -> None:
    long_text = "字" * (MAX_CHARS + 1)
    with pytest.raises(InvalidInput, match="文字超过 200 万字"):
        read_file("long.txt", long_text.encode("utf-8"))
    with pytest.raises(InvalidInput, match="文字超过 200 万字"):
        read_file("long.html", f"<p>{long_text}</p>".encode())
    assert read_file("limit.txt", long_text[:-1].encode("utf-8")).text == long_text[:-1]
    line = json.dumps({"docid": "1", "text": long_text}, ensure_ascii=False).encode("utf-8")
    ((_number, refused),) = read_jsonl(line)
    assert isinstance(refused, InvalidInput) and "200 万字" in refused.message


def test_jsonl_lines_each_read_or_refused_on_their_own() -> None:
    lines = [
        {"docid": "d1", "text": "关于做好防控工作的通知 正文", "title": "防控通知", "issuing_body": "某局"},
        "not json",
        {"text": "没有编号"},
        {"docid": "d2", "text": "   "},
        {"docid": "d1", "text": "重复编号"},
        [1, 2],
        {"docid": 7, "text": "编号是数字"},
    ]
    data = "\n".join(
        line if isinstance(line, str) else json.dumps(line, ensure_ascii=False) for line in lines
    )
    results = dict(read_jsonl((data + "\n\n").encode("utf-8")))
    assert sorted(results) == [1, 2, 3, 4, 5, 6, 7]
    first = results[1]
    assert isinstance(first, JsonlRecord)
    assert first.docid == "d1" and first.raw.text == "关于做好防控工作的通知 正文"
    assert first.hints == {"title": "防控通知", "issuing_body": "某局"}
    messages = {number: getattr(results[number], "message", "") for number in results}
    assert messages[2] == "不是合法的 JSON"
    assert messages[3] == "缺少 docid"
    assert messages[4] == "缺少正文 text"
    assert "重复" in messages[5]
    assert messages[6] == "每行应是一个 JSON 对象"
    seventh = results[7]
    assert isinstance(seventh, JsonlRecord) and seventh.docid == "7"


def test_empty_jsonl_is_refused() -> None:
    with pytest.raises(InvalidInput, match="为空"):
        list(read_jsonl(b""))
