"""Connector credentials (API keys, tokens) encrypted at rest with Fernet.

The key is derived from KIZUNA_CREDENTIALS_KEY, or SECRET_KEY when that is unset.
"""

import base64
import hashlib
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


class UnreadableCredentials(Exception):
    """Stored credentials no longer decrypt: the key changed. Enter them again."""


def _fernet() -> Fernet:
    secret = settings.KIZUNA_CREDENTIALS_KEY or settings.SECRET_KEY
    digest = hashlib.sha256(f"kizuna-connector-credentials:{secret}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt(values: dict[str, Any]) -> str:
    if not values:
        return ""
    return _fernet().encrypt(json.dumps(values).encode()).decode()


def decrypt(token: str) -> dict[str, Any]:
    if not token:
        return {}
    try:
        return json.loads(_fernet().decrypt(token.encode()))
    except InvalidToken:
        raise UnreadableCredentials(
            "Stored credentials cannot be decrypted with the current key; enter them again."
        ) from None
