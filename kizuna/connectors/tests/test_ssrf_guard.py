"""Every connector fetch goes through the SSRF guard (kizuna.core.ssrf)."""

import httpx
import pytest

from kizuna.connectors import services
from kizuna.connectors.models import SourceKind


@pytest.mark.django_db
def test_an_rss_feed_on_a_loopback_address_is_refused_and_never_requested():
    requested = []

    def answer(request):
        requested.append(request)
        return httpx.Response(200, text="<rss/>")

    source = services.source_create(
        actor=None,
        kind=SourceKind.RSS,
        name="feeds",
        settings={"feeds": [{"url": "http://127.0.0.1:8080/feed", "handle": "dave"}]},
    )
    run = services.source_sync(
        source=source, transport=httpx.MockTransport(answer), sleep=lambda s: None
    )

    assert run is not None
    assert run.error.startswith("UnsafeUrl")
    assert requested == []
