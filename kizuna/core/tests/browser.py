"""Browser test harness: Playwright driving Debian's Chromium against a live server.

Browser tests take the `page` fixture. Without Chromium they are skipped with one line
saying how to enable them; with KIZUNA_REQUIRE_BROWSER=1 (CI) a missing browser fails.
"""

import os
import re
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = os.environ.get("KIZUNA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
HOW_TO_ENABLE = (
    f"browser tests skipped: no Chromium at {CHROMIUM}. "
    "Enable them with `apt-get install -y chromium` (or set KIZUNA_CHROMIUM to a Chromium binary)."
)
_skipped = False


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    global _skipped
    if not os.path.exists(CHROMIUM):
        if os.environ.get("KIZUNA_REQUIRE_BROWSER") == "1":
            pytest.fail(HOW_TO_ENABLE.replace("skipped", "required"))
        _skipped = True
        pytest.skip(HOW_TO_ENABLE)
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by test
    # code around it are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(
        base_url=live_server.url, locale="ja-JP", timezone_id="Asia/Tokyo"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def sign_in(page: Any, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label(re.compile("メールアドレス|Email address")).fill(email)
    page.get_by_label(re.compile("パスワード|Password")).fill(password)
    page.locator("main form button[type=submit]").click()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _skipped:
        terminalreporter.write_line(HOW_TO_ENABLE, yellow=True)


def open_menu(page: Any, menu: str) -> None:
    """Open a navigation menu (a <details> in the header) so its links can be clicked."""
    page.locator("summary", has_text=menu).click()
