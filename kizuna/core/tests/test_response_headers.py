"""Headers every response carries, and the shape of every refusal for going too fast."""

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

KIZUNA = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "path", ["/", "/directory/", "/accounts/login/", "/api/v1/directory/search", "/nowhere/"]
)
def test_every_response_denies_the_browser_features_kizuna_does_not_use(client, path):
    policy = client.get(path)["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy


def test_every_429_is_sent_through_the_helpers_that_add_retry_after():
    """A 429 written anywhere else could forget Retry-After: only the two helpers may."""
    allowed = {KIZUNA / "core" / "ratelimit.py", KIZUNA / "core" / "api_errors.py"}
    offenders = [
        str(path.relative_to(KIZUNA))
        for path in KIZUNA.rglob("*.py")
        if "tests" not in path.parts
        and path not in allowed
        and re.search(r"\b429\b|TOO_MANY_REQUESTS", path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
