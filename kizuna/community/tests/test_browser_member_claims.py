"""Click-through in Chromium: a member claims a connpass handle, staff confirm it."""

import re

import pytest

from conftest import PASSWORD
from kizuna.community.models import Identity, Member
from kizuna.core.tests.browser import open_menu, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_claims_a_handle_and_staff_confirm_it(page, alice, dave):
    member = Member.objects.create(display_name="でいぶ")
    Identity.objects.create(member=member, platform="connpass", handle="dave_c")

    sign_in(page, dave.email, PASSWORD)
    page.wait_for_url(re.compile(r"/home/$"))
    open_menu(page, "コミュニティ")
    page.get_by_role("link", name="コミュニティのプロフィール").click()
    assert "まだ紐づいた記録はありません" in page.locator("main").inner_text()
    page.locator("#id_platform").select_option("connpass")
    page.locator("#id_handle").fill("@dave_c")
    page.get_by_role("button", name="申請する").click()
    page.get_by_text("申請をスタッフに送りました。").wait_for()

    page.context.clear_cookies()
    sign_in(page, alice.email, PASSWORD)
    page.wait_for_url(re.compile(r"/home/$"))
    page.goto("/community/staff/claims/")
    assert "dave@example.com" in page.locator("main").inner_text()
    page.get_by_role("button", name="承認").click()
    page.get_by_text("メンバーをアカウントに紐づけました。").wait_for()
    member.refresh_from_db()
    assert member.user == dave
