"""Every new page at a desktop and a phone width: no horizontal overflow on a phone."""

import pytest

from conftest import PASSWORD
from kizuna.accounts.services import erasure_request_create, invitation_create
from kizuna.core.tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PUBLIC = ["/accounts/signup/", "/accounts/signup/sent/", "/accounts/legal/terms/"]


def _overflows(page):
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")


@pytest.mark.parametrize("width", [1366, 390])
def test_the_new_pages_fit_the_screen(page, width, alice, bob, bob_org, dave, tmp_path):
    invitation_create(organization=bob_org, email="x@example.com", role="member", invited_by=bob)
    erasure_request_create(user=dave, reason="退会します")
    page.set_viewport_size({"width": width, "height": 900})
    pages: dict[str | None, list[str]] = {None: [*PUBLIC, "/directory/request/"]}
    pages["bob@example.com"] = [
        f"/accounts/organizations/{bob_org.pk}/members/",
        "/accounts/settings/data/",
        "/accounts/settings/",
    ]
    pages["dave@example.com"] = ["/community/me/"]
    pages["alice@example.com"] = ["/accounts/staff/erasure-requests/", "/community/staff/claims/"]
    for who, paths in pages.items():
        page.context.clear_cookies()
        if who:
            sign_in(page, who, PASSWORD)
            page.wait_for_load_state()
        for path in paths:
            page.goto(path)
            name = path.strip("/").replace("/", "-") or "root"
            page.screenshot(path=tmp_path / f"signup-{width}-{name}.png", full_page=True)
            assert not _overflows(page), f"{path} overflows at {width} px"
