import re
from pathlib import Path

import pytest

from kizuna.accounts.models import Membership, User
from kizuna.accounts.services import invitation_create
from kizuna.outreach.testing import sent_mail

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long new password 42"


def _path_in_mail(to, pattern):
    (body,) = [m.body for m in sent_mail() if m.to == [to]]
    found = re.search(r"https?://[^/\s]+(" + pattern + r")", body)
    assert found is not None
    return found.group(1)


def test_a_visitor_signs_up_follows_the_emailed_link_and_is_signed_in(page):
    page.goto("/")
    page.goto("/accounts/signup/")
    assert page.get_by_role("heading", level=1).inner_text() == "アカウント作成"
    page.locator("#id_email").fill("hanako@example.com")
    page.locator("#id_display_name").fill("山田花子")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill("a different one 77")
    page.locator("#id_agree").check()
    page.locator("main form button[type=submit]").click()
    assert "2つのパスワードが一致しません" in page.locator(".field-error").inner_text()
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/signup/sent/$"))
    assert not User.objects.get(email="hanako@example.com").is_active

    page.goto(_path_in_mail("hanako@example.com", r"/accounts/signup/verify/\S+/"))
    page.get_by_role("button", name="確認して有効にする").click()
    page.wait_for_url(re.compile(r"/home/$"))
    assert "メールアドレスを確認し、アカウントを有効にしました" in page.content()
    assert User.objects.get(email="hanako@example.com").is_active


def test_a_colleague_accepts_an_invitation_with_a_new_password(page, bob, bob_org):
    invitation_create(organization=bob_org, email="taro@example.com", role="member", invited_by=bob)
    page.goto(_path_in_mail("taro@example.com", r"/accounts/invitations/\S+/"))
    assert "Bob Web Works" in page.get_by_role("heading", level=1).inner_text()
    page.locator("#id_display_name").fill("田中太郎")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/home/$"))
    assert Membership.objects.filter(user__email="taro@example.com", organization=bob_org).exists()


def test_an_owner_invites_and_revokes_on_the_members_page_and_a_member_leaves(page, bob, bob_org):
    from conftest import PASSWORD as PERSONA_PASSWORD
    from kizuna.accounts.services import membership_add
    from kizuna.core.tests.browser import sign_in

    sign_in(page, bob.email, PERSONA_PASSWORD)
    page.wait_for_url(re.compile(r"/home/$"))
    page.goto("/accounts/settings/")
    page.get_by_role("link", name="Bob Web Works").click()
    page.locator("#id_email").fill("colleague@example.com")
    page.locator("#id_role").select_option("member")
    page.get_by_role("button", name="招待を送る").click()
    page.get_by_text("colleague@example.com に招待を送りました。").wait_for()
    page.get_by_role("button", name="失効させる").click()
    page.get_by_text("招待を取り消しました。").wait_for()
    assert "有効な招待はありません。" in page.locator("main").inner_text()
    page.get_by_role("button", name="この組織から退出する").click()
    assert "最後のオーナーです" in page.locator("main").inner_text()

    member = User.objects.create_user("member@example.com", PERSONA_PASSWORD)
    membership_add(actor=bob, organization=bob_org, user=member)
    page.context.clear_cookies()
    sign_in(page, member.email, PERSONA_PASSWORD)
    page.wait_for_url(re.compile(r"/home/$"))
    page.goto(f"/accounts/organizations/{bob_org.pk}/members/")
    assert page.get_by_role("button", name="招待を送る").count() == 0
    page.get_by_role("button", name="この組織から退出する").click()
    page.get_by_text("Bob Web Works から退出しました。").wait_for()
    assert not Membership.objects.filter(user=member).exists()


def test_a_person_downloads_their_data_asks_for_erasure_and_staff_confirm(page, alice, dave):
    from conftest import PASSWORD as PERSONA_PASSWORD
    from kizuna.core.tests.browser import open_menu, sign_in

    sign_in(page, dave.email, PERSONA_PASSWORD)
    page.wait_for_url(re.compile(r"/home/$"))
    page.goto("/accounts/settings/")
    page.get_by_role("link", name="あなたの個人データ").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="自分のデータをダウンロード").click()
    assert "dave@example.com" in Path(download.value.path()).read_text(encoding="utf-8")
    page.locator("#id_reason").fill("退会します")
    page.get_by_role("button", name="消去を依頼する").click()
    page.get_by_text("依頼をスタッフに送りました。").wait_for()
    assert "スタッフの確認待ち" in page.locator("main").inner_text()

    page.context.clear_cookies()
    sign_in(page, alice.email, PERSONA_PASSWORD)
    page.wait_for_url(re.compile(r"/home/$"))
    open_menu(page, "管理")
    page.get_by_role("link", name="消去の依頼").click()
    assert "退会します" in page.locator("main").inner_text()
    page.get_by_role("button", name="消去する").click()
    page.get_by_text("この人の個人データを消去しました。").wait_for()
    dave.refresh_from_db()
    assert not dave.is_active
