"""Finding and masking phones, ID numbers and names in free Chinese text."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhengshu.text.identifiers import check_digit_resident_id
from zhengshu.text.pii import (
    PiiSpan,
    find_pii,
    mask_id_number,
    mask_name,
    mask_phone,
    mask_pii_in_text,
)

MOBILE_RUN = re.compile(r"1[3-9][0-9]{9}")
mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
# Chinese filler without digits, so an embedded number never touches another digit.
chinese_filler = st.text(alphabet="我的电话是身份证号码请联系，。：；（）！？ 地址街道社区", max_size=12)

# --- masking -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("canonical", "masked"),
    [
        ("13812345678", "138****5678"),
        ("0755-28901234", "0755-****1234"),
        ("010-6234567", "010-***4567"),
        ("28901234", "******34"),
        ("12", "**"),
        ("", ""),
    ],
)
def test_mask_phone(canonical: str, masked: str) -> None:
    assert mask_phone(canonical) == masked


def test_mask_phone_accepts_a_number_not_yet_normalised() -> None:
    assert mask_phone("138 1234 5678") == "138****5678"


@given(mobiles)
def test_masked_mobile_hides_the_middle(mobile: str) -> None:
    masked = mask_phone(mobile)
    assert masked == mobile[:3] + "****" + mobile[7:]


@given(st.from_regex(r"0755-[2-9][0-9]{7}", fullmatch=True))
def test_masked_landline_hides_the_subscriber_head(landline: str) -> None:
    masked = mask_phone(landline)
    assert masked == "0755-****" + landline[-4:]


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("440307199001011234", "440307********1234"),
        ("11010519491231002X", "110105********002X"),
        ("440307900101123", "440307*****1123"),  # old 15-digit number
        ("1234567890", "**********"),
        ("", ""),
    ],
)
def test_mask_id_number(value: str, masked: str) -> None:
    assert mask_id_number(value) == masked


@given(st.from_regex(r"[1-9][0-9]{16}[0-9X]", fullmatch=True))
def test_masked_id_hides_birth_date_and_sequence(value: str) -> None:
    masked = mask_id_number(value)
    assert len(masked) == 18
    assert masked[:6] == value[:6]
    assert masked[6:14] == "*" * 8
    assert masked[14:] == value[14:]


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("欧阳娜娜", "欧***"),
        ("李小明", "李**"),
        (" 王五 ", "王*"),
        ("张", "*"),
        ("", ""),
    ],
)
def test_mask_name(name: str, masked: str) -> None:
    assert mask_name(name) == masked


@given(st.text(min_size=2).filter(lambda name: len(name.strip()) >= 2))
def test_masked_name_keeps_only_the_first_char(name: str) -> None:
    masked = mask_name(name)
    assert masked[0] == name.strip()[0]
    assert set(masked[1:]) == {"*"}


# --- finding -----------------------------------------------------------------


def test_finds_mobile_and_id_in_a_sentence() -> None:
    text = "我的电话是13812345678，身份证440307199001011234"
    assert find_pii(text) == [
        PiiSpan(kind="mobile", start=5, end=16, text="13812345678"),
        PiiSpan(kind="id_number", start=20, end=38, text="440307199001011234"),
    ]


@pytest.mark.parametrize(
    ("text", "kind", "found"),
    [
        ("请拨打0755-28901234联系", "landline", "0755-28901234"),
        ("电话(0755)28901234", "landline", "(0755)28901234"),
        ("电话（0755）28901234", "landline", "（0755）28901234"),
        ("电话 075528901234 转人工", "landline", "075528901234"),
        ("北京010-62345678", "landline", "010-62345678"),
        ("手机138 1234 5678谢谢", "mobile", "138 1234 5678"),
        ("手机138-1234-5678谢谢", "mobile", "138-1234-5678"),
        ("手机+86 138 1234 5678", "mobile", "+86 138 1234 5678"),
        ("手机+8613812345678", "mobile", "+8613812345678"),
        ("身份证号11010519491231002x。", "id_number", "11010519491231002x"),
    ],
)
def test_finds_each_kind(text: str, kind: str, found: str) -> None:
    spans = find_pii(text)
    assert [(span.kind, span.text) for span in spans] == [(kind, found)]
    assert text[spans[0].start : spans[0].end] == found


def test_full_width_digits_are_found_at_original_offsets() -> None:
    text = "电话：１３８１２３４５６７８，身份证：４４０３０７１９９００１０１１２３Ｘ"
    spans = find_pii(text)
    assert [span.kind for span in spans] == ["mobile", "id_number"]
    for span in spans:
        assert text[span.start : span.end] == span.text
    assert spans[0].start == 3
    assert spans[0].text == "１３８１２３４５６７８"


def test_offsets_stay_right_after_characters_nfkc_would_expand() -> None:
    # "㎡" and "①" expand to several characters under NFKC; the spans must still
    # point into the original text.
    text = "面积100㎡①联系13812345678"
    (span,) = find_pii(text)
    assert text[span.start : span.end] == "13812345678"


def test_id_with_wrong_check_digit_is_still_found() -> None:
    first17 = "44030719900101123"
    wrong = "0" if check_digit_resident_id(first17) != "0" else "1"
    (span,) = find_pii(f"证件号{first17}{wrong}")
    assert span.kind == "id_number"


@pytest.mark.parametrize(
    "text",
    [
        "订单号12345678901234567890已发货",  # 20 digits
        "编号813812345678",  # a mobile inside a 12-digit run
        "138123456789",  # 12 digits
        "2024年10月1日",
        "合计12345678元",
        "本地电话28901234",  # no area code: too easily an amount
        "身份证44030719900230123X",  # 1990-02-30
        "身份证440307180001011232",  # born 1800
        "旧身份证440307900101123",  # 15-digit numbers are out of scope
        "流水号4403071990010112345",  # 19 digits
        "",
    ],
)
def test_no_false_positives(text: str) -> None:
    assert find_pii(text) == []


def test_spans_come_in_text_order_without_overlap() -> None:
    text = "身份证440307199001011232，电话0755-28901234，手机13912345678"
    spans = find_pii(text)
    assert [span.kind for span in spans] == ["id_number", "landline", "mobile"]
    assert all(left.end <= right.start for left, right in zip(spans, spans[1:], strict=False))


@given(st.text(alphabet=st.sampled_from("0123456789０１２３４５６７８９ -+()（）Xx电话，"), max_size=60))
def test_spans_always_match_the_original_text(text: str) -> None:
    spans = find_pii(text)
    for span in spans:
        assert text[span.start : span.end] == span.text
    assert all(left.end <= right.start for left, right in zip(spans, spans[1:], strict=False))


# --- masking in text ---------------------------------------------------------


def test_mask_pii_in_text() -> None:
    text = "我的电话是13812345678，身份证440307199001011234，座机(0755)28901234。"
    assert mask_pii_in_text(text) == "我的电话是138****5678，身份证440307********1234，座机0755-****1234。"


def test_mask_pii_in_text_with_separators_and_full_width() -> None:
    assert mask_pii_in_text("手机+86 138-1234-5678") == "手机138****5678"
    assert mask_pii_in_text("手机１３８１２３４５６７８。") == "手机138****5678。"


def test_mask_pii_in_text_leaves_other_text_alone() -> None:
    text = "2024年10月1日，合计12345678元，订单12345678901234567890。"
    assert mask_pii_in_text(text) == text


@given(st.lists(st.tuples(chinese_filler, mobiles), min_size=1, max_size=4), chinese_filler)
def test_no_mobile_survives_masking(parts: list[tuple[str, str]], tail: str) -> None:
    text = "".join(filler + "，" + mobile for filler, mobile in parts) + "。" + tail
    masked = mask_pii_in_text(text)
    assert MOBILE_RUN.search(masked) is None
    for _, mobile in parts:
        assert mobile[3:7] + mobile[7:] not in masked


# Days 01-28 exist in every month, so every drawn birth date is a real one.
id_numbers_with_real_dates = st.from_regex(
    r"[1-9][0-9]{5}(19[0-9]{2}|200[0-9])(0[1-9]|1[0-2])(0[1-9]|1[0-9]|2[0-8])[0-9]{3}[0-9X]",
    fullmatch=True,
)


@given(chinese_filler, id_numbers_with_real_dates)
def test_no_birth_date_survives_masking(filler: str, id_number: str) -> None:
    masked = mask_pii_in_text(filler + "，" + id_number + "。")
    assert id_number[6:14] not in masked
    assert id_number[:6] + "*" * 8 + id_number[-4:] in masked


def test_without_person_removes_the_name_and_masks_numbers_for_analysis():
    from zhengshu.text.pii import without_person

    text = "我是王小明，电话13912345678，王小明小区门口垃圾成堆"
    cleaned = without_person(text, " 王小明 ")
    assert "王小明" not in cleaned and "13912345678" not in cleaned
    assert "小区门口垃圾成堆" in cleaned
    # A one-character name is not removed: it would take that character out of every word.
    assert without_person("王府井路灯坏了", "王") == "王府井路灯坏了"
