"""Pseudonymous keys and signed links, so events and URLs carry no more personal data
than their receiver needs.

- ``person_key(email)``: a stable key of a person across services (SHA-256 of the
  normalised e-mail). Erasure events carry keys, not addresses.
- ``sign(purpose, value)`` / ``verify``: unguessable tokens for links in e-mails
  (cancel a registration, unsubscribe), HMAC-SHA256 with ``NKOHUB_JWT_SECRET``; a token for
  one purpose or one person is worthless for another.
"""

from __future__ import annotations

import base64
import hashlib
import hmac


def normalise_email(email: str) -> str:
    return email.strip().lower()


def person_key(email: str) -> str:
    return hashlib.sha256(normalise_email(email).encode()).hexdigest()


def sign(secret: str, purpose: str, value: str) -> str:
    digest = hmac.new(secret.encode(), f"{purpose}\x00{value}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode().rstrip("=")


def verify(secret: str, purpose: str, value: str, token: str) -> bool:
    return hmac.compare_digest(sign(secret, purpose, value), token)
