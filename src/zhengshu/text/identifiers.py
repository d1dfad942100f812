"""Validators for Chinese identifiers: resident ID numbers, credit codes, phone numbers.

Only ASCII digits count as digits here: `str.isdigit` would also accept full-width
and other scripts' digits, which no official number is written in. Callers that get
user input with full-width digits fold it first (`normalize_phone` does so itself).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from enum import StrEnum

from zhengshu import clock

__all__ = [
    "CreditCodeProblem",
    "ResidentIdProblem",
    "check_char_credit_code",
    "check_digit_resident_id",
    "credit_code_problem",
    "is_plausible_birth_date",
    "is_valid_credit_code",
    "is_valid_resident_id",
    "normalize_phone",
    "phone_last_four",
    "resident_id_birth_date",
    "resident_id_problem",
    "resident_id_sex",
]

ASCII_DIGITS = frozenset("0123456789")

# GB 11643-1999 / ISO 7064 MOD 11-2: weight of position i (0-based, left to right)
# is 2^(17-i) mod 11, and the check character is looked up by the weighted sum mod 11.
_RESIDENT_ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_RESIDENT_ID_CHECK_BY_REMAINDER = "10X98765432"
_RESIDENT_ID_CHECK_CHARS = frozenset(_RESIDENT_ID_CHECK_BY_REMAINDER)
_EARLIEST_BIRTH_DATE = date(1900, 1, 1)

# GB 32100-2015: 31 characters, the letters I, O, Z, S, V left out because they
# are easily confused with digits; a character's value is its index here.
CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_CODE_VALUES = {char: value for value, char in enumerate(CREDIT_CODE_CHARSET)}
_CREDIT_CODE_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))

# Trunk prefix 0, then the area code: 010 and 02x are the only short codes
# (Beijing and the large cities); every other area code has three digits after
# the 0. Knowing this makes run-together numbers like 075528901234 unambiguous.
AREA_CODE_PATTERN = r"0(?:10|2[0-9]|[3-9][0-9]{2})"
MOBILE_NUMBER_PATTERN = r"1[3-9][0-9]{9}"
_MOBILE = re.compile(rf"(?:\+86|0086|86)?(?P<number>{MOBILE_NUMBER_PATTERN})")
# Subscriber numbers never start with 0 (the trunk prefix) after an area code.
_LANDLINE = re.compile(rf"(?P<area>{AREA_CODE_PATTERN})(?P<subscriber>[1-9][0-9]{{6,7}})")
# A bare local number carries no area code, so be stricter: real subscriber
# numbers start with 2-9 (1 is reserved for service numbers such as 12345).
_LOCAL_NUMBER = re.compile(r"[2-9][0-9]{7}")
_PHONE_SEPARATORS = re.compile(r"[\s\-()]")


def _is_ascii_digits(value: str, length: int) -> bool:
    return len(value) == length and all(char in ASCII_DIGITS for char in value)


def check_digit_resident_id(first17: str) -> str:
    """The GB 11643-1999 check character ("0"-"9" or "X") for the first 17 digits."""
    if not _is_ascii_digits(first17, 17):
        raise ValueError("身份证号码前17位必须是17个数字")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _RESIDENT_ID_WEIGHTS, strict=True))
    return _RESIDENT_ID_CHECK_BY_REMAINDER[total % 11]


def is_plausible_birth_date(yyyymmdd: str) -> bool:
    """A real calendar date from 1900-01-01 up to today (Asia/Shanghai)."""
    if not _is_ascii_digits(yyyymmdd, 8):
        return False
    try:
        born = datetime.strptime(yyyymmdd, "%Y%m%d").date()
    except ValueError:
        return False
    return _EARLIEST_BIRTH_DATE <= born <= clock.now().date()


class ResidentIdProblem(StrEnum):
    """The first rule of GB 11643 a resident identity number breaks, in the order they are checked."""

    LENGTH = "length"  # not 18 characters
    CHARACTERS = "characters"  # not 17 digits and a digit or X
    REGION = "region"  # the region code starts with 0
    BIRTH_DATE = "birth_date"  # positions 7-14 are no real date
    BIRTH_DATE_RANGE = "birth_date_range"  # before 1900-01-01 or after today
    CHECK_DIGIT = "check_digit"


def resident_id_problem(value: str, today: date | None = None) -> ResidentIdProblem | None:
    """What is wrong with an 18-character resident identity number, or None when it is valid.
    ``today`` (Asia/Shanghai's by default) is the latest birth date allowed.

    The region code is only checked for shape (first digit 1-9): the official list
    of codes changes every year and old numbers keep their old codes.
    """
    candidate = value.upper()
    if len(candidate) != 18:
        return ResidentIdProblem.LENGTH
    if not _is_ascii_digits(candidate[:17], 17) or candidate[17] not in _RESIDENT_ID_CHECK_CHARS:
        return ResidentIdProblem.CHARACTERS
    if candidate[0] == "0":
        return ResidentIdProblem.REGION
    born = resident_id_birth_date(candidate)
    if born is None:
        return ResidentIdProblem.BIRTH_DATE
    if not _EARLIEST_BIRTH_DATE <= born <= (today or clock.now().date()):
        return ResidentIdProblem.BIRTH_DATE_RANGE
    if check_digit_resident_id(candidate[:17]) != candidate[17]:
        return ResidentIdProblem.CHECK_DIGIT
    return None


def is_valid_resident_id(value: str) -> bool:
    """An 18-character resident identity number with a plausible birth date and a correct check
    character (resident_id_problem says which rule a number breaks)."""
    return resident_id_problem(value) is None


def resident_id_birth_date(value: str) -> date | None:
    """The birth date written in positions 7-14 of an 18-character ID number, when it is a real
    date; the check character is not looked at."""
    digits = value[6:14]
    if len(value) != 18 or not _is_ascii_digits(digits, 8):
        return None
    try:
        return datetime.strptime(digits, "%Y%m%d").date()
    except ValueError:
        return None


def resident_id_sex(value: str) -> str | None:
    """ "男" or "女" from the 17th digit (odd for men), or None when it is not a digit."""
    if len(value) != 18 or value[16] not in ASCII_DIGITS:
        return None
    return "男" if int(value[16]) % 2 else "女"


def check_char_credit_code(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters of a credit code."""
    candidate = first17.upper()
    if len(candidate) != 17 or any(char not in _CREDIT_CODE_VALUES for char in candidate):
        raise ValueError("统一社会信用代码前17位只能由数字和规定的大写字母组成")
    total = sum(
        _CREDIT_CODE_VALUES[char] * weight
        for char, weight in zip(candidate, _CREDIT_CODE_WEIGHTS, strict=True)
    )
    # The standard writes this as 31 - (total mod 31), where a result of 31 means 0.
    return CREDIT_CODE_CHARSET[-total % 31]


class CreditCodeProblem(StrEnum):
    """The first rule of GB 32100 a unified social credit code breaks."""

    LENGTH = "length"  # not 18 characters
    CHARACTERS = "characters"  # a character outside CREDIT_CODE_CHARSET
    CHECK_CHAR = "check_char"


def credit_code_problem(value: str) -> CreditCodeProblem | None:
    """What is wrong with a unified social credit code, or None when it is valid."""
    candidate = value.upper()
    if len(candidate) != 18:
        return CreditCodeProblem.LENGTH
    if any(char not in _CREDIT_CODE_VALUES for char in candidate):
        return CreditCodeProblem.CHARACTERS
    if check_char_credit_code(candidate[:17]) != candidate[17]:
        return CreditCodeProblem.CHECK_CHAR
    return None


def is_valid_credit_code(value: str) -> bool:
    """An 18-character unified social credit code with a correct check character."""
    return credit_code_problem(value) is None


def _has_well_placed_parentheses(value: str) -> bool:
    opening, closing = value.count("("), value.count(")")
    if opening == closing == 0:
        return True
    return opening == closing == 1 and value.index("(") < value.index(")")


def normalize_phone(value: str) -> str | None:
    """The canonical form of a phone number, or None when it is not one.

    Mobiles become their 11 digits, numbers with an area code become
    "0755-28901234", and a bare 8-digit local number stays as it is.
    """
    folded = unicodedata.normalize("NFKC", value).strip()
    if not _has_well_placed_parentheses(folded):
        return None
    compact = _PHONE_SEPARATORS.sub("", folded)
    if mobile := _MOBILE.fullmatch(compact):
        return mobile["number"]
    if landline := _LANDLINE.fullmatch(compact):
        return f"{landline['area']}-{landline['subscriber']}"
    if _LOCAL_NUMBER.fullmatch(compact):
        return compact
    return None


def phone_last_four(canonical: str) -> str:
    """The last four digits, the part people use to tell their numbers apart."""
    digits = "".join(char for char in canonical if char in ASCII_DIGITS)
    return digits[-4:]
