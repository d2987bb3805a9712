import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from kizuna.core.tests.browser import sign_in
from kizuna.outreach.services import Content, Recipient, delivery_enqueue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_download_the_delivery_list_as_shift_jis_csv_from_its_link(page, alice):
    delivery_enqueue(
        channel="email",
        recipient=Recipient(address="hanako@example.com"),
        purpose="service",
        topic="billing",
        idempotency_key="k1",
        content=Content("ご請求のお知らせ", "本文"),
    )
    sign_in(page, "alice@example.com", PASSWORD)
    page.goto("/outreach/deliveries/")
    links = page.get_by_test_id("export-links")
    expect(links).to_contain_text("ダウンロード")
    with page.expect_download() as download:
        links.get_by_role("link", name="CSV（Shift_JIS）").click()
    assert download.value.suggested_filename == "deliveries.csv"
    content = download.value.path().read_bytes().decode("cp932")
    assert "ご請求のお知らせ" in content
