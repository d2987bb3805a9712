import re

import pytest

from conftest import PASSWORD
from kizuna.core.tests.browser import open_menu, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_alice_signs_in_and_sees_the_staff_home(page, alice):
    sign_in(page, "alice@example.com", PASSWORD)
    page.wait_for_url(re.compile(r"/home/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "スタッフホーム"
    open_menu(page, "管理")
    assert page.get_by_role("link", name="管理サイト").is_visible()


def test_switching_to_english_translates_the_page(page, alice):
    sign_in(page, "alice@example.com", PASSWORD)
    page.wait_for_url(re.compile(r"/home/$"))
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Staff home"
    assert page.locator("html").get_attribute("lang") == "en"


def test_a_wrong_password_shows_an_error_and_repeated_ones_are_rate_limited(page, bob, settings):
    settings.KIZUNA_LOGIN_ATTEMPTS_PER_EMAIL = 3
    sign_in(page, "bob@example.com", "not my password")
    assert (
        page.get_by_role("alert")
        .inner_text()
        .startswith("メールアドレスまたはパスワードが正しくありません")
    )
    sign_in(page, "bob@example.com", "still wrong")
    sign_in(page, "bob@example.com", "wrong again")
    sign_in(page, "bob@example.com", PASSWORD)
    assert "試行回数が多すぎます" in page.get_by_role("alert").inner_text()
    assert page.url.endswith("/accounts/login/")
