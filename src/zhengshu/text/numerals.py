"""Chinese numerals as they appear in documents and guides: 第十二条, 第一百零五条, 二〇二四年三月十五日,
两份."""

from __future__ import annotations

__all__ = ["DIGITS", "NUMERAL_CHARS", "chinese_to_int"]

DIGITS = {"〇": 0, "零": 0, "○": 0, "O": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
          "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip
_UNITS = {"十": 10, "百": 100, "千": 1000}
NUMERAL_CHARS = "".join(DIGITS) + "".join(_UNITS)


def chinese_to_int(value: str) -> int:
    """十二 → 12, 一百零五 → 105, 二十 → 20, 十 → 10; Arabic digits pass through. A run of digits
    without units (二〇二四) reads digit by digit, as years are written. ValueError otherwise."""
    value = value.strip()
    if not value:
        raise ValueError("empty numeral")
    if value.isdigit():
        return int(value)
    if not any(char in _UNITS for char in value):
        number = 0
        for char in value:
            if char not in DIGITS:
                raise ValueError(value)
            number = number * 10 + DIGITS[char]
        return number
    total, digit = 0, None
    for char in value:
        if char in DIGITS:
            digit = DIGITS[char]
        elif char in _UNITS:
            # 十二: a unit without a digit before it counts once.
            total += (1 if digit is None else digit) * _UNITS[char]
            digit = None
        else:
            raise ValueError(value)
    return total + (digit or 0)
