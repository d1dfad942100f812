"""Normalising user-entered Chinese text and one-line fields."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhengshu.text.normalize import (
    collapse_whitespace,
    fold_width,
    has_cjk,
    normalize_text,
    remove_control_characters,
)


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("ＡＢＣａｂｃ１２３", "ABCabc123"),
        ("Ｅｍａｉｌ＠ｅｘａｍｐｌｅ．ｃｏｍ", "Email@example.com"),
        ("＃１０１室＋２０％", "#101室+20%"),
        ("张三\u3000李四", "张三 李四"),
        # Chinese punctuation stays Chinese, whether inside the full-width block or not.
        ("你好，世界！真的？（是的）：对；", "你好，世界！真的？（是的）：对；"),
        ("“引号”、《书名》。", "“引号”、《书名》。"),
    ],
)
def test_character_folding(raw: str, normalized: str) -> None:
    assert normalize_text(raw) == normalized


def test_control_characters_are_removed_but_tab_and_newline_kept() -> None:
    assert normalize_text("a\x00b\x07c\x1bd\x7fe\x85f") == "abcdef"
    assert normalize_text("列1\t列2\n第二行") == "列1\t列2\n第二行"


def test_newlines_are_unified() -> None:
    assert normalize_text("第一行\r\n第二行\r第三行") == "第一行\n第二行\n第三行"


def test_trailing_whitespace_on_lines_is_removed() -> None:
    assert normalize_text("第一行  \t\n第二行\u3000\n第三行") == "第一行\n第二行\n第三行"


def test_leading_indentation_inside_is_kept() -> None:
    assert normalize_text("标题\n  缩进的一行") == "标题\n  缩进的一行"


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("一\n\n二", "一\n\n二"),  # one blank line
        ("一\n\n\n二", "一\n\n\n二"),  # two blank lines
        ("一\n\n\n\n二", "一\n\n\n二"),  # three shrink to two
        ("一\n\n\n\n\n\n\n二", "一\n\n\n二"),
        ("一\n  \n\t\n\u3000\n  \n二", "一\n\n\n二"),  # whitespace-only lines are blank
        ("一\r\n\r\n\r\n\r\n二", "一\n\n\n二"),
    ],
)
def test_blank_lines_are_collapsed(raw: str, normalized: str) -> None:
    assert normalize_text(raw) == normalized


def test_text_is_stripped() -> None:
    assert normalize_text("\n\n  \u3000正文\u3000 \n\n") == "正文"
    assert normalize_text("") == ""
    assert normalize_text(" \u3000\n\t ") == ""


def test_combining_marks_are_composed() -> None:
    assert normalize_text("Cafe\u0301") == "Café"


@given(st.text())
def test_normalize_text_is_idempotent(value: str) -> None:
    once = normalize_text(value)
    assert normalize_text(once) == once


@given(st.text())
def test_normalized_text_has_no_stray_characters(value: str) -> None:
    normalized = normalize_text(value)
    assert "\r" not in normalized
    assert "\u3000" not in normalized
    assert "\n\n\n\n" not in normalized
    assert not any(0xFF01 <= ord(char) <= 0xFF5E and char not in "（）：；，！？" for char in normalized)
    assert all(line == line.rstrip() for line in normalized.split("\n"))


@pytest.mark.parametrize(
    ("raw", "collapsed"),
    [
        ("  深圳市  龙华区\t民治街道 ", "深圳市 龙华区 民治街道"),
        ("张\u3000三", "张 三"),
        ("标题\n第二行\r\n", "标题 第二行"),
        ("", ""),
        (" \t\n ", ""),
    ],
)
def test_collapse_whitespace(raw: str, collapsed: str) -> None:
    assert collapse_whitespace(raw) == collapsed


@given(st.text())
def test_collapsed_has_no_whitespace_runs(value: str) -> None:
    collapsed = collapse_whitespace(value)
    assert collapsed == collapsed.strip()
    assert "  " not in collapsed
    assert all(char == " " or not char.isspace() for char in collapsed)


def test_remove_control_characters_keeps_everything_else_as_typed() -> None:
    assert remove_control_characters("噪音\x00扰民\ud800严重\x7f\r，\t请处理\n") == "噪音扰民严重，\t请处理\n"
    # Nothing is folded, composed or trimmed: that is normalize_text's work.
    assert remove_control_characters(" ＡＢ\u3000Cafe\u0301 ") == " ＡＢ\u3000Cafe\u0301 "


def test_normalize_text_drops_lone_surrogates() -> None:
    assert normalize_text("噪音\ud800扰民\udfff") == "噪音扰民"


@given(st.text(st.characters() | st.characters(categories=["Cc", "Cs"])))
def test_removed_control_characters_leave_storable_text(value: str) -> None:
    cleaned = remove_control_characters(value)
    cleaned.encode("utf-8")  # no lone surrogate left
    assert remove_control_characters(cleaned) == cleaned
    assert all(char in "\t\n" or char.isprintable() or not char.isascii() for char in cleaned)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("王小明", True),
        ("Ada 王", True),
        ("㐀", True),  # Extension A
        ("\U00020000", True),  # Extension B
        ("豈", True),  # a compatibility ideograph
        ("Ada Lovelace", False),
        ("１２３，！", False),  # full-width forms and Chinese punctuation are not ideographs
        ("", False),
    ],
)
def test_has_cjk(text: str, expected: bool) -> None:
    assert has_cjk(text) is expected


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("４４０３０７ｘ", "440307x"),
        ("法定时限（工作日）", "法定时限(工作日)"),  # Chinese punctuation too, unlike normalize_text
        ("２０２４－０５－０１", "2024-05-01"),
        ("＊事项编码", "*事项编码"),
        ("张三\u3000李四\x00", "张三 李四"),
        ("①", "①"),  # only full-width forms of ASCII: no NFKC compatibility mappings
    ],
)
def test_fold_width_for_codes_numbers_and_headers(raw: str, folded: str) -> None:
    assert fold_width(raw) == folded
