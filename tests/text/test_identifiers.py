"""Resident ID numbers, unified social credit codes and phone numbers."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhengshu import clock
from zhengshu.text.identifiers import (
    CREDIT_CODE_CHARSET,
    CreditCodeProblem,
    ResidentIdProblem,
    check_char_credit_code,
    check_digit_resident_id,
    credit_code_problem,
    is_valid_credit_code,
    is_valid_resident_id,
    normalize_phone,
    phone_last_four,
    resident_id_problem,
)

RESIDENT_ID_CHECK_CHARS = "0123456789X"

# --- resident ID numbers -----------------------------------------------------


def test_check_digit_of_the_standards_own_example() -> None:
    # GB 11643-1999's example 11010519491231002X, worked by hand:
    # digits  1 1  0 1 0 5 1 9 4 9 1 2  3 1 0 0 2
    # weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
    # sum = 7+9+0+5+0+20+2+9+24+27+7+18+30+5+0+0+4 = 167; 167 mod 11 = 2 -> "X"
    assert check_digit_resident_id("11010519491231002") == "X"
    assert is_valid_resident_id("11010519491231002X")


def test_check_digit_of_a_shenzhen_number() -> None:
    # 4*7+4*9+0+3*5+0+7*4+1*2+9*1+9*6+0+0+1*9+0+1*5+1*8+2*4+3*2 = 208;
    # 208 mod 11 = 10 -> "2"
    assert check_digit_resident_id("44030719900101123") == "2"
    assert is_valid_resident_id("440307199001011232")


def test_lowercase_x_is_accepted() -> None:
    assert is_valid_resident_id("11010519491231002x")


@pytest.mark.parametrize(
    "value",
    [
        "440307199001011234",  # check digit should be 2
        "11010519491231002Y",  # not a check character at all
        "44030719900230123X",  # 1990-02-30 does not exist
        "440307199013011232",  # month 13
        "440524188001010014",  # valid check digit, but born 1880 (the standard's 2nd example)
        "040307199001011232",  # region code cannot start with 0
        "44030719900101123",  # 17 characters
        "4403071990010112321",  # 19 characters
        "44030719900101123 ",
        "４４０３０７１９９００１０１１２３２",  # full-width digits are not official
        "",
    ],
)
def test_invalid_resident_ids(value: str) -> None:
    assert not is_valid_resident_id(value)


def test_birth_date_cannot_be_in_the_future() -> None:
    tomorrow = clock.now().date() + timedelta(days=1)
    first17 = f"440307{tomorrow:%Y%m%d}123"
    assert not is_valid_resident_id(first17 + check_digit_resident_id(first17))


def test_wrong_date_is_invalid_even_with_a_matching_check_digit() -> None:
    first17 = "44030719900230123"
    assert not is_valid_resident_id(first17 + check_digit_resident_id(first17))


@pytest.mark.parametrize(
    "first17", ["", "4403071990010112", "4403071990010112A", "４４０３０７１９９００１０１１２３"]
)
def test_check_digit_rejects_malformed_input(first17: str) -> None:
    with pytest.raises(ValueError):
        check_digit_resident_id(first17)


birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=clock.now().date() - timedelta(days=1))


@st.composite
def resident_ids(draw: st.DrawFn) -> str:
    region = draw(st.integers(min_value=100000, max_value=999999))
    born = draw(birth_dates)
    sequence = draw(st.integers(min_value=0, max_value=999))
    first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
    return first17 + check_digit_resident_id(first17)


@given(resident_ids())
def test_any_id_with_computed_check_digit_is_valid(resident_id: str) -> None:
    assert is_valid_resident_id(resident_id)
    assert is_valid_resident_id(resident_id.lower())


@given(resident_ids(), st.sampled_from(RESIDENT_ID_CHECK_CHARS))
def test_any_other_check_char_is_invalid(resident_id: str, other: str) -> None:
    if other != resident_id[-1]:
        assert not is_valid_resident_id(resident_id[:-1] + other)


@given(resident_ids(), st.integers(min_value=0, max_value=16), st.integers(min_value=1, max_value=9))
def test_a_single_changed_digit_is_caught(resident_id: str, position: int, shift: int) -> None:
    changed = str((int(resident_id[position]) + shift) % 10)
    assert not is_valid_resident_id(resident_id[:position] + changed + resident_id[position + 1 :])


# --- unified social credit codes ---------------------------------------------


def test_known_public_credit_code() -> None:
    # 91350100M000100Y43, worked by hand with weights 3^i mod 31 and the
    # letter values M=21, Y=30:
    # 9*1+1*3+3*9+5*27+0*19+1*26+0*16+0*17+21*20+0*29+0*25+0*13+1*8+0*24+0*10
    # +30*30+4*28 = 1640; 1640 mod 31 = 28; 31 - 28 = 3
    assert check_char_credit_code("91350100M000100Y4") == "3"
    assert is_valid_credit_code("91350100M000100Y43")
    assert is_valid_credit_code("91350100m000100y43")


def test_shenzhen_style_credit_code() -> None:
    # 9*1+1*3+4*9+4*27+0+3*26+0+0+M 21*20+A 10*29+5*25+F 15*13+A 10*8+B 11*24
    # +1*10+2*30+C 12*28 = 2014; 2014 mod 31 = 30; 31 - 30 = 1
    assert check_char_credit_code("91440300MA5FAB12C") == "1"
    assert is_valid_credit_code("91440300MA5FAB12C1")
    assert not is_valid_credit_code("91440300MA5FAB12C2")


@pytest.mark.parametrize(
    "value",
    [
        "91350100M000100Y44",  # wrong check character
        "91350100M000100Y4",  # 17 characters
        "91350100M000100Y430",  # 19 characters
        "91350100M000100I43",  # I is not in the charset
        "91350100O000100Y43",  # nor is O
        "",
    ],
)
def test_invalid_credit_codes(value: str) -> None:
    assert not is_valid_credit_code(value)


def test_check_char_can_be_zero() -> None:
    # Search for a prefix whose weighted sum is a multiple of 31: the standard's
    # "31 - 0 = 31 means 0" edge case.
    for number in range(10_000):
        first17 = f"9144030000000{number:04d}"
        if check_char_credit_code(first17) == "0":
            assert is_valid_credit_code(first17 + "0")
            return
    pytest.fail("no prefix with check character 0 found")


credit_code_prefixes = st.text(alphabet=CREDIT_CODE_CHARSET, min_size=17, max_size=17)


@given(credit_code_prefixes)
def test_any_code_with_computed_check_char_is_valid(first17: str) -> None:
    code = first17 + check_char_credit_code(first17)
    assert is_valid_credit_code(code)
    assert is_valid_credit_code(code.lower())


@given(credit_code_prefixes, st.sampled_from(CREDIT_CODE_CHARSET))
def test_any_other_credit_check_char_is_invalid(first17: str, other: str) -> None:
    if other != check_char_credit_code(first17):
        assert not is_valid_credit_code(first17 + other)


@given(credit_code_prefixes, st.integers(min_value=0, max_value=16), st.integers(min_value=1, max_value=30))
def test_a_single_changed_credit_char_is_caught(first17: str, position: int, shift: int) -> None:
    code = first17 + check_char_credit_code(first17)
    value = CREDIT_CODE_CHARSET.index(code[position])
    changed = CREDIT_CODE_CHARSET[(value + shift) % 31]
    assert not is_valid_credit_code(code[:position] + changed + code[position + 1 :])


def test_check_char_rejects_letters_outside_the_charset() -> None:
    with pytest.raises(ValueError):
        check_char_credit_code("91350100M000100S4")


# --- phone numbers -----------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("+8613812345678", "13812345678"),
        ("8613812345678", "13812345678"),
        ("0086-13812345678", "13812345678"),
        ("  19912345678 ", "19912345678"),
        ("１３８１２３４５６７８", "13812345678"),
        ("0755-28901234", "0755-28901234"),
        ("(0755)28901234", "0755-28901234"),
        ("（0755）28901234", "0755-28901234"),
        ("075528901234", "0755-28901234"),
        ("0755 2890 1234", "0755-28901234"),
        ("010-62345678", "010-62345678"),
        ("02161234567", "021-61234567"),
        ("0871-6123456", "0871-6123456"),
        ("28901234", "28901234"),
        ("2890-1234", "28901234"),
    ],
)
def test_normalize_phone(raw: str, canonical: str) -> None:
    assert normalize_phone(raw) == canonical


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "电话",
        "12812345678",  # no mobile prefix starts 12
        "1381234567",  # 10 digits
        "138123456789",  # 12 digits
        "+1 138 1234 5678",
        "0755-0890123",  # subscriber cannot start with the trunk 0
        "0755-289012345",  # 9-digit subscriber
        "12345678",  # bare local numbers start with 2-9
        "2890123",  # bare local numbers have 8 digits
        "((0755)28901234",
        ")0755(28901234",
        "0755-28901234 转 801",
        "138_1234_5678",
    ],
)
def test_not_phones(raw: str) -> None:
    assert normalize_phone(raw) is None


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_every_mobile_is_its_own_canonical_form(mobile: str) -> None:
    assert normalize_phone(mobile) == mobile
    assert normalize_phone(f"+86 {mobile[:3]} {mobile[3:7]} {mobile[7:]}") == mobile


@pytest.mark.parametrize("canonical", ["13812345678", "0755-28901234", "28901234"])
def test_canonical_forms_are_fixed_points(canonical: str) -> None:
    assert normalize_phone(canonical) == canonical


@pytest.mark.parametrize(
    ("canonical", "last_four"),
    [("13812345678", "5678"), ("0755-28901234", "1234"), ("28901234", "1234")],
)
def test_phone_last_four(canonical: str, last_four: str) -> None:
    assert phone_last_four(canonical) == last_four


# --- which rule a number breaks (one definition for validation and the pre-review) -----------


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("440307199001011232", None),
        ("11010519491231002x", None),
        ("44030719900101123", ResidentIdProblem.LENGTH),
        ("4403071990O101123X", ResidentIdProblem.CHARACTERS),
        ("11010519491231002Y", ResidentIdProblem.CHARACTERS),
        ("040307198506203214", ResidentIdProblem.REGION),  # its check digit is right
        ("44030719900230123X", ResidentIdProblem.BIRTH_DATE),
        ("440524188001010014", ResidentIdProblem.BIRTH_DATE_RANGE),
        ("440307199001011234", ResidentIdProblem.CHECK_DIGIT),
    ],
)
def test_the_rule_a_resident_id_breaks(value: str, problem: ResidentIdProblem | None) -> None:
    assert resident_id_problem(value) is problem
    assert is_valid_resident_id(value) is (problem is None)


def test_a_resident_id_s_birth_date_is_checked_against_the_given_day() -> None:
    assert check_digit_resident_id("04030719850620321") == "4"
    first17 = "44030720300101123"
    number = first17 + check_digit_resident_id(first17)
    assert resident_id_problem(number, date(2029, 12, 31)) is ResidentIdProblem.BIRTH_DATE_RANGE
    assert resident_id_problem(number, date(2030, 1, 1)) is None


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("91440300MA5DA1UQ4J", None),
        ("91440300MA5DA1UQ4", CreditCodeProblem.LENGTH),
        ("91440300MA5DA1UO4J", CreditCodeProblem.CHARACTERS),
        ("91440300MA5DA1UQ4K", CreditCodeProblem.CHECK_CHAR),
    ],
)
def test_the_rule_a_credit_code_breaks(value: str, problem: CreditCodeProblem | None) -> None:
    if problem is None:
        value = value[:17] + check_char_credit_code(value[:17])
    assert credit_code_problem(value) is problem
    assert is_valid_credit_code(value) is (problem is None)
