"""Chinese numerals, read by the policy library (第十二条) and the service guide (两份, 近三个月)."""

from __future__ import annotations

import pytest

from zhengshu.text.numerals import NUMERAL_CHARS, chinese_to_int


@pytest.mark.parametrize(
    ("written", "number"),
    [("十二", 12), ("一百零五", 105), ("二十", 20), ("十", 10), ("两", 2), ("二〇二四", 2024), ("42", 42)],
)
def test_chinese_numerals(written: str, number: int) -> None:
    assert chinese_to_int(written) == number


@pytest.mark.parametrize("written", ["", "若干", "十二条"])
def test_what_is_no_numeral(written: str) -> None:
    with pytest.raises(ValueError):
        chinese_to_int(written)


def test_the_numeral_characters() -> None:
    assert set("〇零一二两三四五六七八九十百千") <= set(NUMERAL_CHARS)
