"""Staff tokens: Ed25519-signed JWTs (``EdDSA``), minted by whoever holds the private key
(the CLI, the staff console) and verified with the public key only. A token carries
``sub`` (the account), ``role``, ``iss``, ``aud``, ``iat`` and ``exp``; one whose lifetime
exceeds the allowed maximum is refused even if it has not expired. No HTTP here: the
services check tokens in ``nkohub_shared.web.auth``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum

import jwt
from pydantic import BaseModel

from nkohub_shared.keys import private_key, public_key

ALGORITHM = "EdDSA"
ISSUER = "nkohub"
AUDIENCE = "nkohub"


class Role(StrEnum):
    ADMIN = "admin"
    STAFF = "staff"


class Principal(BaseModel):
    sub: str
    role: Role


def issue_token(
    private_key_text: str,
    *,
    sub: str,
    role: Role | str,
    ttl: timedelta,
    issuer: str = ISSUER,
    audience: str = AUDIENCE,
    now: datetime | None = None,
) -> str:
    issued = now or datetime.now(UTC)
    claims = {
        "sub": sub,
        "role": Role(role).value,
        "iss": issuer,
        "aud": audience,
        "iat": issued,
        "exp": issued + ttl,
    }
    return jwt.encode(claims, private_key(private_key_text), algorithm=ALGORITHM)


class InvalidToken(ValueError):
    pass


def verify_token(
    public_key_text: str,
    token: str,
    *,
    issuer: str = ISSUER,
    audience: str = AUDIENCE,
    max_lifetime: timedelta = timedelta(hours=12),
) -> Principal:
    try:
        claims = jwt.decode(
            token,
            public_key(public_key_text),
            algorithms=[ALGORITHM],
            issuer=issuer,
            audience=audience,
            options={"require": ["sub", "role", "iss", "aud", "iat", "exp"]},
        )
        if claims["exp"] - claims["iat"] > max_lifetime.total_seconds():
            raise InvalidToken("token lives longer than this platform allows")
        return Principal(sub=claims["sub"], role=claims["role"])
    except jwt.ExpiredSignatureError:
        raise InvalidToken("token expired") from None
    except (jwt.InvalidTokenError, ValueError, TypeError) as exc:
        if isinstance(exc, InvalidToken):
            raise
        raise InvalidToken(f"invalid token: {exc}") from None
