import pytest

from kizuna.billing.registration import check_digit, is_valid_registration_number


@pytest.mark.parametrize(
    "number",
    [
        "T7000012050002",  # 国税庁
        "T1180301018771",  # トヨタ自動車株式会社
        "T5010401067252",  # ソニーグループ株式会社
        "T9234567890123",  # constructed with the algorithm
    ],
)
def test_published_registration_numbers_are_valid(number):
    assert is_valid_registration_number(number)


@pytest.mark.parametrize(
    "number",
    [
        "T8000012050002",  # check digit off by one
        "7000012050002",  # missing T
        "T700001205000",  # 12 digits
        "T70000120500021",  # 14 digits
        "t7000012050002",  # lower-case t
        "T70000120５0002",  # a full-width digit
        "",
    ],
)
def test_malformed_or_wrong_check_digit_numbers_are_rejected(number):
    assert not is_valid_registration_number(number)


def test_check_digit_weighs_digits_one_and_two_alternately_from_the_right():
    # 12 zeros and a 1 in the second position from the right: weight 2 -> 9 - 2 = 7
    assert check_digit("000000000010") == 7
    assert check_digit("000000000001") == 8
