"""Click-through in Chromium: a company applies, staff ask a question, the applicant answers
through the signed link, staff approve, and the new owner accepts the owner invitation, sets
a password and opens the portal."""

import re
from urllib.parse import urlsplit

import pytest

from conftest import PASSWORD
from kizuna.billing.tests.conftest import rules  # noqa: F401 - the program rules, as a fixture
from kizuna.core.tests.browser import open_menu, sign_in
from kizuna.outreach.testing import sent_mail
from kizuna.partners.models import ApplicationStatus, PartnerApplication
from kizuna.partners.tests.test_applications import VALID_NUMBER

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_out(page):
    page.get_by_role("button", name=re.compile("サインアウト|Sign out")).click()


def link_in_last_mail(to, marker):
    mail = [m for m in sent_mail() if to in m.to][-1]
    url = next(word for word in mail.body.split() if marker in word)
    parts = urlsplit(url)
    return parts.path


def test_a_company_applies_answers_a_question_is_approved_and_its_owner_gets_in(
    page,
    alice,
    rules,  # noqa: F811
):
    page.goto("/")
    page.get_by_role("link", name="パートナープログラムに申し込む").click()
    page.get_by_label("会社名", exact=True).fill("株式会社ハナミズキ")
    page.get_by_label("会社名の読み(カナ)").fill("カブシキガイシャハナミズキ")
    page.get_by_label("適格請求書発行事業者登録番号").fill(VALID_NUMBER)
    page.get_by_label("本社所在地").select_option("27")
    page.get_by_label("Webサイト").fill("https://hanamizuki.example.jp/")
    page.get_by_label("担当者", exact=True).fill("水木 花")
    page.get_by_label("担当者のメールアドレス").fill("hana@hanamizuki.example.jp")
    page.get_by_label("SEO").check()
    page.get_by_label("定期販売").check()
    page.get_by_label(re.compile("月額")).fill("20000")
    # The live preview (billing's) follows the chosen fee: 20,000 half off, plus tax.
    page.get_by_test_id("preview-total").filter(has_text="11,000").wait_for()
    page.get_by_label("パートナープログラム規約に同意します").check()
    page.get_by_role("button", name="申請を送信").click()
    assert page.get_by_test_id("application-status").inner_text() == "確認待ち"
    status_path = urlsplit(page.url).path

    sign_in(page, alice.email, PASSWORD)
    open_menu(page, "パートナープログラム")
    page.get_by_role("link", name="パートナー申請").click()
    page.get_by_role("link", name="株式会社ハナミズキ").click()
    assert "SEO" in page.locator("main").inner_text()
    page.get_by_label("追加情報を依頼する").check()
    page.get_by_label("質問または理由(申請者に送信されます)").fill(
        "構築実績の件数を教えてください。"
    )
    page.get_by_role("button", name="判定を登録").click()
    assert page.get_by_test_id("application-status").inner_text() == "追加情報の依頼中"
    sign_out(page)

    assert link_in_last_mail("hana@hanamizuki.example.jp", "/partners/apply/status/") == status_path
    page.goto(status_path)
    assert "構築実績の件数を教えてください。" in page.locator("main").inner_text()
    page.get_by_label("回答").fill("これまでに40件です。")
    page.get_by_role("button", name="回答を送信").click()
    assert page.get_by_test_id("application-status").inner_text() == "確認待ち"

    sign_in(page, alice.email, PASSWORD)
    page.goto("/partners/staff/applications/")
    page.get_by_role("link", name="株式会社ハナミズキ").click()
    assert "これまでに40件です。" in page.locator("main").inner_text()
    page.get_by_label("承認", exact=True).check()
    page.get_by_role("button", name="判定を登録").click()
    assert page.get_by_test_id("application-status").inner_text() == "承認済み"
    sign_out(page)

    page.goto(status_path)
    assert page.get_by_test_id("application-status").inner_text() == "承認済み"
    page.goto(link_in_last_mail("hana@hanamizuki.example.jp", "/accounts/invitations/"))
    new_password = "hanamizuki spring 2027"
    page.get_by_label("お名前").fill("花水木 花子")
    page.get_by_label("パスワード", exact=True).fill(new_password)
    page.get_by_label("パスワード（確認）").fill(new_password)
    page.get_by_role("button", name="アカウントを作成して参加").click()
    page.goto("/partners/portal/")
    assert "株式会社ハナミズキ" in page.locator("main").inner_text()
    application = PartnerApplication.objects.get()
    assert application.status == ApplicationStatus.APPROVED
    assert application.partner is not None
    assert application.partner.focus_badges.exists()
