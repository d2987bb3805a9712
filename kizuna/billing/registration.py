"""Qualified-invoice issuer registration numbers (適格請求書発行事業者登録番号).

A registration number is "T" followed by a 13-digit number whose first digit is a check
digit, computed like the corporate number (法人番号): over the other 12 digits, counted
from the right starting at 1, odd positions weigh 1 and even positions weigh 2;
check digit = 9 - (weighted sum mod 9).
"""

import re

_FORMAT = re.compile(r"T([0-9])([0-9]{12})")


def check_digit(twelve_digits: str) -> int:
    total = sum(
        int(digit) * (1 if position % 2 == 1 else 2)
        for position, digit in enumerate(reversed(twelve_digits), start=1)
    )
    return 9 - total % 9


def is_valid_registration_number(value: str) -> bool:
    match = _FORMAT.fullmatch(value or "")
    return match is not None and int(match.group(1)) == check_digit(match.group(2))
