"""Every email gets its greeting, signature and HTML part in the delivery layer, in the
person's language, whatever template wrote its body."""

import re
from email import message_from_bytes
from email.message import Message

import pytest

from kizuna.outreach import worker
from kizuna.outreach.services import Content, Recipient, consent_record, delivery_enqueue
from kizuna.outreach.tests.test_consent_and_opt_out import TOKYO_NOON

pytestmark = pytest.mark.django_db


def _parts(sink) -> tuple[str, str]:
    (envelope,) = sink.messages
    message = message_from_bytes(envelope.content)
    assert message.get_content_type() == "multipart/alternative"
    found: dict[str, str] = {}
    for part in message.walk():
        if isinstance(part, Message) and part.get_content_maintype() == "text":
            payload = bytes(part.get_payload(decode=True)).decode()
            found[part.get_content_type()] = payload.replace("\r\n", "\n")
    return found["text/plain"], found["text/html"]


def _notice(
    user, *, language, text="Your invoice is ready.\n\nhttps://kizuna.example/i/1", name=""
):
    return delivery_enqueue(
        channel="email",
        recipient=Recipient(address=user.email, user=user, name=name),
        purpose="service",
        topic="billing",
        idempotency_key=f"notice:{language}:{name}",
        content=Content("Invoice", text),
        language=language,
    )


def test_a_japanese_email_greets_the_person_with_sama_and_signs_with_the_ecosystem_name(
    dave, settings, sink
):
    settings.KIZUNA_ECOSYSTEM_NAME = "絆パートナープログラム"
    _notice(dave, language="ja")
    worker.deliveries_send_due(now=TOKYO_NOON)
    text, html = _parts(sink)
    assert text.startswith("Dave 様\n\nYour invoice is ready.")
    assert "\n-- \n絆パートナープログラム\n" in text
    assert '<html lang="ja">' in html
    assert "Dave 様" in html
    assert "絆パートナープログラム" in html
    assert '<a href="https://kizuna.example/i/1"' in html


def test_an_english_email_says_dear_and_uses_the_name_the_sender_knows_better(dave, settings, sink):
    settings.KIZUNA_ECOSYSTEM_NAME = "Kizuna Partners"
    _notice(dave, language="en", name="Dave Tanaka (Tanaka Shoten)")
    worker.deliveries_send_due(now=TOKYO_NOON)
    text, html = _parts(sink)
    assert text.startswith("Dear Dave Tanaka (Tanaka Shoten),\n\n")
    assert text.rstrip().endswith(
        "Kizuna Partners\nhttp://127.0.0.1:8000/".replace(
            "http://127.0.0.1:8000", settings.SITE_URL
        )
    )
    assert "Dear Dave Tanaka (Tanaka Shoten)," in html
    assert "Kizuna Partners" in html


def test_a_person_without_a_name_is_greeted_without_one(make_user, sink):
    nameless = make_user("nameless@example.com", display_name="")
    _notice(nameless, language="en")
    worker.deliveries_send_due(now=TOKYO_NOON)
    text, _html = _parts(sink)
    assert text.startswith("Hello,\n\n")


def test_the_html_part_escapes_what_the_text_says(dave, sink):
    _notice(dave, language="en", text="Use <script>alert(1)</script> & see")
    worker.deliveries_send_due(now=TOKYO_NOON)
    _text, html = _parts(sink)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; see" in html


def test_advertising_html_carries_the_legal_footer_and_the_unsubscribe_link(dave, settings, sink):
    settings.KIZUNA_OUTREACH_SENDER_NAME = "株式会社絆ソフト"
    settings.KIZUNA_OUTREACH_POSTAL_ADDRESS = "東京都千代田区1-1-1"
    consent_record(
        recipient_key=f"user:{dave.pk}",
        channel="email",
        topics=["news"],
        granted=True,
        method="form",
    )
    delivery_enqueue(
        channel="email",
        recipient=Recipient(address=dave.email, user=dave),
        purpose="advertising",
        topic="news",
        idempotency_key="news-1",
        content=Content("ニュース", "今月のニュースです。"),
        language="ja",
    )
    worker.deliveries_send_due(now=TOKYO_NOON)
    text, html = _parts(sink)
    assert "株式会社絆ソフト" in text
    assert "東京都千代田区1-1-1" in text
    assert "/outreach/unsubscribe/" in text
    assert "株式会社絆ソフト" in html
    assert "東京都千代田区1-1-1" in html
    assert re.search(r'<a href="http[^"]*/outreach/unsubscribe/', html)


def test_a_service_notice_has_no_unsubscribe_link_in_either_part(dave, sink):
    _notice(dave, language="en")
    worker.deliveries_send_due(now=TOKYO_NOON)
    text, html = _parts(sink)
    assert "/outreach/unsubscribe/" not in text
    assert "/outreach/unsubscribe/" not in html
