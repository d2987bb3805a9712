import pytest
from hypothesis import given
from hypothesis import strategies as st

from kizuna.core.text import normalize_ja


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("サーバ", "サーバー"),
        ("ｻｰﾊﾞｰ", "サーバー"),
        ("ＡＷＳ", "AWS"),
        ("ＡＷＳ", "aws"),
        ("引越し", "引っ越し"),
        ("決済　連携", "決済 連携"),
    ],
)
def test_spelling_variants_meet_in_one_form(one, other):
    assert normalize_ja(one) == normalize_ja(other)
    assert normalize_ja(one) != ""


def test_punctuation_is_dropped_and_tokens_are_space_separated():
    assert normalize_ja("株式会社さくらウェブ、決済連携！") == "株式 会社 桜 ウェブ 決済 連携"


def test_different_words_stay_different():
    assert normalize_ja("サーバー") != normalize_ja("サーバント")


def test_empty_and_blank_text_normalize_to_empty():
    assert normalize_ja("") == ""
    assert normalize_ja("　 ") == ""


FULL_WIDTH = {
    c: chr(ord(c) + 0xFEE0)
    for c in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
}


@given(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ", max_size=30)
)
def test_full_width_latin_normalizes_like_half_width(text):
    wide = "".join(FULL_WIDTH.get(c, c) for c in text)
    assert normalize_ja(wide) == normalize_ja(text)


@given(st.text(max_size=40))
def test_output_is_lower_case_without_punctuation_or_double_spaces(text):
    result = normalize_ja(text)
    assert result == result.lower()
    assert "  " not in result
    assert result == result.strip()
