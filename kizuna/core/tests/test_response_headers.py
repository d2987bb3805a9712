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


ANSWERS_429 = re.compile(r"status(_code)?\s*=\s*429\b|Error\(\s*429\b|TOO_MANY_REQUESTS")


def test_every_429_is_sent_through_the_helpers_that_add_retry_after():
    """A 429 written anywhere else could forget Retry-After: only the two helpers may.

    Code that reads a 429 from another platform (outreach channels, webhooks) compares a
    status; what is looked for here is a 429 being answered.
    """
    allowed = {KIZUNA / "core" / "ratelimit.py", KIZUNA / "core" / "api_errors.py"}
    offenders = [
        str(path.relative_to(KIZUNA))
        for path in KIZUNA.rglob("*.py")
        if "tests" not in path.parts
        and path not in allowed
        and ANSWERS_429.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
