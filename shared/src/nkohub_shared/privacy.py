"""Pseudonymous keys and signed values, so events and URLs carry no more personal data
than their receiver needs.

- ``person_key(email)``: a stable key of a person across services, an HMAC of the
  normalised e-mail with ``NKOHUB_PERSON_KEY_SECRET`` (the same secret in every service),
  so nobody can recompute it from a guessed address. Erasure events carry keys, not
  addresses. The secret is a constant of the process, set once at start-up by the
  service's runtime (``use_person_key_secret``), so that pure rules can compute keys.
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


_person_key_secret: bytes | None = None


def use_person_key_secret(secret: str) -> None:
    """Set the process's person-key secret (the runtime does, from its settings)."""
    global _person_key_secret
    _person_key_secret = secret.encode()


def person_key(email: str) -> str:
    if _person_key_secret is None:
        raise RuntimeError("no person-key secret: NKOHUB_PERSON_KEY_SECRET was not loaded")
    message = b"person\x00" + normalise_email(email).encode()
    return hmac.new(_person_key_secret, message, hashlib.sha256).hexdigest()


def sign(secret: str, purpose: str, value: str) -> str:
    digest = hmac.new(secret.encode(), f"{purpose}\x00{value}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode().rstrip("=")


def verify(secret: str, purpose: str, value: str, token: str) -> bool:
    """Constant-time check; any text (non-ASCII too) is simply not valid."""
    expected = sign(secret, purpose, value).encode()
    return hmac.compare_digest(expected, token.encode("utf-8", "surrogatepass"))


def pseudonym(value: str) -> str:
    """An HMAC of any value (a client address, a counter key) with the person-key secret:
    stable within the platform, not reversible by guessing."""
    if _person_key_secret is None:
        raise RuntimeError("no person-key secret: NKOHUB_PERSON_KEY_SECRET was not loaded")
    return hmac.new(
        _person_key_secret, b"pseudonym\x00" + value.encode(), hashlib.sha256
    ).hexdigest()
