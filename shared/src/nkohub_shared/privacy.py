"""Pseudonymous keys and signed values, so events and URLs carry no more personal data
than their receiver needs.

- ``person_key(secret, email)``: a stable key of a person across services, an HMAC of the
  normalised e-mail with ``NKOHUB_PERSON_KEY_SECRET`` (the same secret in every service),
  so nobody can recompute it from a guessed address. Erasure events carry keys, not
  addresses.
- ``sign(secret, purpose, value)`` / ``verify``: HMAC-SHA256 tokens for links in e-mails
  (``nkohub_shared.links`` names the purposes); a token for one purpose or one person is
  worthless for another.
"""

from __future__ import annotations

import base64
import hashlib
import hmac


def normalise_email(email: str) -> str:
    return email.strip().lower()


def person_key(secret: str, email: str) -> str:
    return hmac.new(
        secret.encode(), b"person\x00" + normalise_email(email).encode(), hashlib.sha256
    ).hexdigest()


def sign(secret: str, purpose: str, value: str) -> str:
    digest = hmac.new(secret.encode(), f"{purpose}\x00{value}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode().rstrip("=")


def verify(secret: str, purpose: str, value: str, token: str) -> bool:
    """Constant-time check; any text (non-ASCII too) is simply not valid."""
    expected = sign(secret, purpose, value).encode()
    return hmac.compare_digest(expected, token.encode("utf-8", "surrogatepass"))
