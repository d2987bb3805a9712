import re

import pytest

from kizuna.accounts.models import Membership, User
from kizuna.accounts.services import invitation_create
from kizuna.outreach.testing import sent_mail

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long new password 42"


def _path_in_mail(to, pattern):
    (body,) = [m.body for m in sent_mail() if m.to == [to]]
    return re.search(r"https?://[^/\s]+(" + pattern + r")", body).group(1)


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
