"""Click-through in Chromium: a visitor without an account asks a partner for a quote,
confirms the address from the email, and only then does the partner see the request."""

import re

import pytest

from conftest import PASSWORD
from kizuna.accounts.models import User
from kizuna.core import consumers
from kizuna.core.tests.browser import sign_in
from kizuna.outreach.testing import sent_mail

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VISITOR = "hanako.shop@example.jp"


def test_a_visitor_sends_a_lead_confirms_the_email_and_the_partner_then_sees_it(
    page, browser, live_server, make_partner, bob
):
    make_partner("Bob Web Works", owner=bob, summary="決済連携", badges={"plugin_development": 1})
    page.goto("/directory/p/bob-web-works/")
    page.get_by_role("link", name="見積もりを依頼").click()
    assert "アカウントは不要です" in page.locator("main").inner_text()
    page.get_by_label("販売する商品").fill("和菓子の詰め合わせ")
    page.get_by_label("予算(円)").fill("800000")
    page.get_by_label("時期").select_option("quarter")
    page.get_by_label("都道府県").select_option("26")
    page.get_by_label("プロジェクトの内容").fill("贈答用の和菓子を売るショップを作りたいです。")
    page.get_by_label("お名前").fill("山田 花子")
    page.get_by_label("メールアドレス").fill(VISITOR)
    page.get_by_role("button", name="依頼を送信").click()
    page.wait_for_url(re.compile(r"/directory/request/sent/$"))
    assert "メールをご確認ください" in page.get_by_role("heading", level=1).inner_text()

    # Before the link is followed, the partner has nothing.
    consumers.dispatch_all()
    partner_context = browser.new_context(base_url=live_server.url, locale="ja-JP")
    partner_page = partner_context.new_page()
    sign_in(partner_page, bob.email, PASSWORD)
    partner_page.goto("/directory/inbox/")
    assert "和菓子の詰め合わせ" not in partner_page.locator("main").inner_text()

    (body,) = [m.body for m in sent_mail() if m.to == [VISITOR]]
    found = re.search(r"https?://[^/\s]+(/directory/request/verify/\S+/)", body)
    assert found is not None
    page.goto(found.group(1))
    page.get_by_role("button", name="確認して送信").click()
    page.get_by_text("ご依頼をパートナーに送りました").wait_for()
    assert User.objects.get(email=VISITOR).kind == "merchant"
    consumers.dispatch_all()

    partner_page.goto("/directory/inbox/")
    assert "和菓子の詰め合わせ" in partner_page.locator("main").inner_text()
    partner_context.close()
