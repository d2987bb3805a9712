"""Fixtures of outreach's tests: a local SMTP sink and quick ways to queue and send."""

import pytest

from kizuna.outreach.testing import smtp_sink


@pytest.fixture
def sink(settings):
    """Email goes over real SMTP to a sink on 127.0.0.1."""
    sink, controller = smtp_sink()
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield sink
    controller.stop()
