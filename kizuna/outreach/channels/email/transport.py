"""Email through Django's email backend (SMTP, or an ESP through django-anymail).

Settings (KIZUNA_OUTREACH_EMAIL_<KEY>):
- PER_HOUR: messages per hour the ESP or SMTP relay allows (default 3600; set it below
  your provider's documented hourly limit);
- PER_SECOND: messages per second (default 10).
"""

import hashlib
import smtplib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from kizuna.core.ratelimit import Limit
from kizuna.outreach import limits, links
from kizuna.outreach.channels.base import Channel, PermanentError, Sent, TemporaryError
from kizuna.outreach.models import OPTIONAL_TOPICS, Delivery, Purpose
from kizuna.outreach.services import Content
from kizuna.outreach.settings import outreach_setting


class EmailChannel(Channel):
    name = "email"
    label = pgettext_lazy("channel", "Email")
    idempotent = False
    DEFAULTS = {"PER_HOUR": 3600, "PER_SECOND": 10}

    def __init__(self) -> None:
        self._connection: Any = None

    def finish(
        self, content: Content, *, recipient_key: str, purpose: str, topic: str, name: str = ""
    ) -> Content:
        """Every email, whatever template wrote its body: a greeting to the person, the
        ecosystem's signature, the legal footer when it is advertising, and an HTML part
        rendered from the same words (in the active language)."""
        unsubscribe = (
            links.unsubscribe_url(recipient_key, self.name, topic)
            if purpose == Purpose.ADVERTISING
            else ""
        )
        return compose(content, name=name, unsubscribe_url=unsubscribe)

    def limits(self, delivery: Delivery) -> list[tuple[str, Limit]]:
        return [
            ("outreach:email:second", limits.per_window(self.setting("PER_SECOND"), 1)),
            ("outreach:email:hour", limits.per_window(self.setting("PER_HOUR"), 3600)),
        ]

    @contextmanager
    def session(self) -> Iterator[None]:
        # One connection for a batch: opening an SMTP session per message costs a round trip
        # and a TLS handshake each.
        self._connection = get_connection()
        # Opened here: a connection that send_messages() opens itself is closed after every
        # message (measured: one TCP connect and EHLO per email, half the rate of one
        # session). When the relay is down, each send fails on its own and is retried.
        with suppress(smtplib.SMTPException, OSError):
            self._connection.open()
        try:
            yield
        finally:
            with suppress(Exception):  # a broken connection needs no goodbye
                self._connection.close()
            self._connection = None

    def send(self, delivery: Delivery) -> Sent:
        message = build_message(delivery, connection=self._connection)
        try:
            message.send()
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _text in error.recipients.values()]
            if all(500 <= code < 600 for code in codes):
                raise PermanentError(str(error), bounced=True) from error
            raise TemporaryError(str(error)) from error
        except smtplib.SMTPResponseException as error:
            if 500 <= error.smtp_code < 600:
                raise PermanentError(str(error)) from error
            raise TemporaryError(str(error)) from error
        except (smtplib.SMTPException, OSError) as error:
            raise TemporaryError(str(error)) from error
        return Sent(provider_id=message.extra_headers["Message-ID"])


def build_message(delivery: Delivery, *, connection: Any = None) -> EmailMultiAlternatives:
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
    digest = hashlib.sha256(delivery.idempotency_key.encode()).hexdigest()[:32]
    headers = {"Message-ID": f"<{digest}@{domain}>"}
    if delivery.purpose == Purpose.ADVERTISING or delivery.topic in OPTIONAL_TOPICS:
        # RFC 8058: the mailbox provider POSTs to this URL when the person clicks unsubscribe.
        url = links.unsubscribe_url(delivery.recipient_key, delivery.channel, delivery.topic)
        headers["List-Unsubscribe"] = f"<{url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(
        subject=delivery.subject,
        body=delivery.text,
        to=[delivery.address],
        headers=headers,
        connection=connection,
    )
    if delivery.html:
        message.attach_alternative(delivery.html, "text/html")
    from kizuna.outreach.campaigns import delivery_attachments

    for filename, content, mimetype in delivery_attachments(delivery):
        message.attach(filename, content, mimetype)
    return message


def greeting(name: str) -> str:
    name = " ".join(name.split())
    if name:
        return pgettext("email greeting", "Dear %(name)s,") % {"name": name}
    return pgettext("email greeting", "Hello,")


def signature() -> str:
    return f"{settings.KIZUNA_ECOSYSTEM_NAME}\n{settings.SITE_URL}/"


def compose(content: Content, *, name: str, unsubscribe_url: str = "") -> Content:
    """The plain-text and HTML parts of one email from one body."""
    body = content.text.strip("\n")
    footer = legal_footer(unsubscribe_url) if unsubscribe_url else ""
    text = f"{greeting(name)}\n\n{body}\n\n-- \n{signature()}\n"
    if footer:
        text += f"\n{footer}\n"
    html = render_to_string(
        "outreach/email/message.html",
        {
            "subject": content.subject,
            "greeting": greeting(name),
            # A template's own HTML wins over the one made from its text.
            "body_html": content.html,
            "paragraphs": [part.strip("\n") for part in body.split("\n\n") if part.strip()],
            "ecosystem": settings.KIZUNA_ECOSYSTEM_NAME,
            "site_url": f"{settings.SITE_URL}/",
            "footer": legal_footer_lines(unsubscribe_url) if unsubscribe_url else None,
            "unsubscribe_url": unsubscribe_url,
        },
    )
    return Content(content.subject, text, html)


def legal_footer_lines(unsubscribe_url: str) -> dict[str, str]:
    return {
        "sender": _("Sent by %(sender)s")
        % {"sender": outreach_setting("SENDER_NAME") or settings.KIZUNA_ECOSYSTEM_NAME},
        "address": outreach_setting("POSTAL_ADDRESS"),
        "stop": _("To stop receiving these messages, open this link: %(url)s")
        % {"url": unsubscribe_url},
        "contact": _("Contact: %(address)s")
        % {"address": outreach_setting("CONTACT_ADDRESS") or settings.DEFAULT_FROM_EMAIL},
    }


def legal_footer(unsubscribe_url: str) -> str:
    """What 特定電子メール法 asks of advertising email: sender, address, opt-out, contact."""
    return "\n".join(line for line in legal_footer_lines(unsubscribe_url).values() if line)


CHANNEL = EmailChannel()
