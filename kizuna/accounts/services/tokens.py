"""Single-use secrets sent by email: only their SHA-256 is stored."""

import hashlib
import secrets


def new_token() -> tuple[str, str]:
    """A fresh token and the hash that is stored for it."""
    plaintext = secrets.token_urlsafe(32)
    return plaintext, token_hash(plaintext)


def token_hash(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()
