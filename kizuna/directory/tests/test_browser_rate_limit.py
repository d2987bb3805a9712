"""In Chromium: the Permissions-Policy is understood, and a searcher going too fast is told
how long to wait."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_search_page_says_how_long_to_wait_and_the_policy_raises_no_console_error(
    page, make_partner, settings
):
    settings.KIZUNA_DIRECTORY_SEARCHES_PER_MINUTE = 1
    make_partner("Bob Web Works", summary="決済連携")
    console = []
    page.on("console", lambda message: console.append((message.type, message.text)))
    page.goto("/directory/")
    page.get_by_text("Bob Web Works").wait_for()
    response = page.goto("/directory/?q=決済")
    assert response.status == 429
    assert page.get_by_role("heading", name="検索回数が多すぎます").is_visible()
    assert "60 秒後にもう一度お試しください" in page.get_by_role("alert").inner_text()
    assert [text for kind, text in console if "Permissions-Policy" in text] == []
