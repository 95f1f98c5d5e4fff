"""Secrets and keys: fresh ones for ``.env``, and the refusal of weak or published ones.

Each purpose has its own key, so that rotating one breaks nothing else:

- ``NKOHUB_STAFF_TOKEN_PRIVATE_KEY`` signs staff tokens (Ed25519); only the CLI and the
  staff console hold it.
- ``NKOHUB_STAFF_TOKEN_PUBLIC_KEY`` verifies them; every service holds it and can verify a
  token, never mint one.
- ``NKOHUB_LINK_SECRET``: HMAC of participant links in e-mails.
- ``NKOHUB_PERSON_KEY_SECRET``: HMAC of pseudonymous person keys (the same everywhere).
- ``NKOHUB_WEBHOOK_SECRET``: signs webhook deliveries (notifications).

Keys are base64url text (Ed25519: the raw 32-byte private seed or public key), so a
``.env`` line holds them.
"""

from __future__ import annotations

import base64
import math
import secrets
from collections import Counter
from typing import Annotated

from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from pydantic import AfterValidator, SecretStr

SECRET_MIN_LENGTH = 32
SECRET_MIN_BITS = 128
SECRET_MIN_DISTINCT = 12
# Words that mark a value copied from an example rather than generated.
PLACEHOLDER_MARKERS = ("change", "example", "placeholder", "password", "secret", "test")
ED25519_KEY_BYTES = 32


def entropy_bits(value: str) -> float:
    """The value's length times the Shannon entropy of its own characters: a generous
    estimate of the bits in it (a generated secret of 48 url-safe bytes gives ~350)."""
    counts = Counter(value)
    per_char = -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())
    return per_char * len(value)


def secret_problem(value: str) -> str | None:
    """Why ``value`` may not be a secret, or ``None``."""
    lowered = value.lower()
    marker = next((m for m in PLACEHOLDER_MARKERS if m in lowered), None)
    if marker is not None:
        return f"looks like a placeholder (contains {marker!r}); generate one: nkohub secrets"
    if len(value) < SECRET_MIN_LENGTH:
        return f"is shorter than {SECRET_MIN_LENGTH} characters; generate one: nkohub secrets"
    if len(set(value)) < SECRET_MIN_DISTINCT or entropy_bits(value) < SECRET_MIN_BITS:
        return "has too little entropy (a repeated or guessable value); nkohub secrets"
    return None


def _strong(value: SecretStr) -> SecretStr:
    problem = secret_problem(value.get_secret_value())
    if problem:
        raise ValueError(problem)
    return value


StrongSecret = Annotated[SecretStr, AfterValidator(_strong)]


def new_secret() -> str:
    """48 random bytes, base64url; drawn again in the rare case it spells a marker."""
    while secret_problem(value := secrets.token_urlsafe(48)):
        pass
    return value


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    raw = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
    if len(raw) != ED25519_KEY_BYTES:
        raise ValueError(f"an Ed25519 key is {ED25519_KEY_BYTES} bytes in base64url")
    return raw


def new_signing_key() -> tuple[str, str]:
    """A fresh Ed25519 pair as (private, public) base64url texts."""
    private = Ed25519PrivateKey.generate()
    seed = private.private_bytes_raw()
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return _b64(seed), _b64(public)


def private_key(text: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(_unb64(text))


def public_key(text: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(_unb64(text))


def public_of(private_text: str) -> str:
    key = private_key(private_text).public_key()
    return _b64(key.public_bytes(Encoding.Raw, PublicFormat.Raw))


def _valid_public_key(value: str) -> str:
    public_key(value)  # raises ValueError naming the problem
    return value.strip()


PublicKeyText = Annotated[str, AfterValidator(_valid_public_key)]


# Passwords of the servers docker-compose.yml starts (URL-safe: they go into connection URLs).
SERVER_PASSWORDS = (
    "RABBITMQ",
    "MONGO_ROOT",
    "MONGO_REGISTRY",
    "MONGO_EVENTS",
    "MONGO_NOTIFICATIONS",
    "MONGO_PUBLISHING",
    "MONGO_CONSOLE",
)


def env_block() -> str:
    """Fresh values for every key of the platform, as ``.env`` lines."""
    private, public = new_signing_key()
    return "\n".join(
        [
            f"NKOHUB_STAFF_TOKEN_PRIVATE_KEY={private}",
            f"NKOHUB_STAFF_TOKEN_PUBLIC_KEY={public}",
            f"NKOHUB_LINK_SECRET={new_secret()}",
            f"NKOHUB_PERSON_KEY_SECRET={new_secret()}",
            f"NKOHUB_WEBHOOK_SECRET={new_secret()}",
            *(f"NKOHUB_{server}_PASSWORD={new_secret()}" for server in SERVER_PASSWORDS),
        ]
    )
