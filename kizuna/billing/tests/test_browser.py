import re
from datetime import date

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from kizuna.billing import services
from kizuna.billing.models import FeeChoice
from kizuna.billing.tests.conftest import choose
from kizuna.core.tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_partner_chooses_a_fee_with_a_live_preview(page, bob, bob_account):
    sign_in(page, "bob@example.com", PASSWORD)
    page.goto("/billing/")
    page.get_by_role("link", name=re.compile("会費を選ぶ")).click()
    page.get_by_label(re.compile("月額")).fill("40000")
    # First month at half price: ¥20,000 + ¥2,000 tax, shown before saving.
    expect(page.get_by_test_id("preview-total")).to_have_text("¥22,000")
    page.get_by_label("年払い").check()
    # Annual: 12 x 40,000 less 3 months at half price (420,000), less 10% (378,000), plus tax.
    expect(page.get_by_test_id("preview-total")).to_have_text("¥415,800")
    page.get_by_role("button", name="会費を保存").click()
    expect(page.locator(".message-success")).to_be_visible()
    assert FeeChoice.objects.get().monthly_fee == 40_000


def test_staff_reconciles_a_bank_statement(page, alice, bob_account, tmp_path):
    choose(bob_account)
    services.invoices_issue_due(today=date(2026, 4, 1))
    statement = tmp_path / "statement.csv"
    statement.write_bytes(
        "日付,内容,出金金額(円),入金金額(円),残高(円)\n"
        "2026/04/20,ｶ)ﾎﾞﾌﾞｳｴﾌﾞﾜ-ｸｽ,,16500,1000000\n"
        "2026/04/21,ﾔﾏﾀﾞ ﾀﾛｳ,,5000,1005000\n".encode("cp932")
    )
    sign_in(page, "alice@example.com", PASSWORD)
    page.goto("/billing/staff/reconciliation/")
    page.get_by_label(re.compile("銀行明細")).set_input_files(str(statement))
    page.get_by_role("button", name="取り込む").click()
    expect(page.locator("[data-count=new]")).to_have_text("2")
    page.get_by_role("button", name="インポートを適用").click()
    expect(page.get_by_test_id("job-status")).to_have_text("適用済み")
    page.goto("/billing/staff/reconciliation/")
    page.get_by_role("button", name="確定").click()
    expect(page.locator(".message-success")).to_contain_text("INV-000001")
    expect(page.get_by_text("ﾔﾏﾀﾞ ﾀﾛｳ")).to_be_visible()  # unmatched stays listed
    page.goto("/billing/staff/")
