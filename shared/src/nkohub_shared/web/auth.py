"""Staff authentication: ``Authorization: Bearer <JWT>``.

Tokens are signed with Ed25519 (``EdDSA``) by whoever holds the private key — the CLI and
the staff console — and verified by the services with the public key only, so a service
(or anyone who reads its settings) can check a token but never mint one. A token carries
``sub`` (the account), ``role``, ``iss``, ``aud``, ``iat`` and ``exp``; a token whose
lifetime exceeds ``NKOHUB_STAFF_TOKEN_MAX_MINUTES`` is refused even if it has not expired.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated

import jwt
from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
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


STAFF_SCHEME = "HTTPBearer"
OPTIONAL_SCHEME = "HTTPBearerOptional"  # documented as "no token, or a staff token"
_bearer = HTTPBearer(
    auto_error=False,
    scheme_name=STAFF_SCHEME,
    description="Staff token (`nkohub token`, or the console)",
)
_optional_bearer = HTTPBearer(
    auto_error=False,
    scheme_name=OPTIONAL_SCHEME,
    description="Staff token (`nkohub token`, or the console)",
)


def _unauthorized(reason: str) -> HTTPException:
    return HTTPException(401, reason, headers={"WWW-Authenticate": "Bearer"})


def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise _unauthorized("authentication required: send Authorization: Bearer <token>")
    settings = request.app.state.runtime.settings
    try:
        return verify_token(
            settings.staff_token_public_key,
            credentials.credentials,
            issuer=settings.staff_token_issuer,
            audience=settings.staff_token_audience,
            max_lifetime=timedelta(minutes=settings.staff_token_max_minutes),
        )
    except InvalidToken as exc:
        raise _unauthorized(str(exc)) from None


async def _principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    # async dependencies run on the event loop; a plain ``def`` costs a worker thread hop
    return current_principal(request, credentials)


def require_role(*roles: Role):
    async def dependency(principal: Annotated[Principal, Depends(_principal)]) -> Principal:
        if principal.role not in roles:
            allowed = " or ".join(r.value for r in roles)
            raise HTTPException(403, f"role {principal.role.value!r} may not do this ({allowed})")
        return principal

    return dependency


async def optional_staff(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_optional_bearer)],
) -> Principal | None:
    """The staff member when a staff token is sent; ``None`` for a public caller.
    A token that is sent but invalid is refused (401), never silently ignored."""
    if credentials is None:
        return None
    return current_principal(request, credentials)


StaffUser = Annotated[Principal, Depends(require_role(Role.STAFF, Role.ADMIN))]
AdminUser = Annotated[Principal, Depends(require_role(Role.ADMIN))]
MaybeStaff = Annotated[Principal | None, Depends(optional_staff)]
