"""Staff authentication: ``Authorization: Bearer <JWT>`` (HS256, claims sub, role, exp)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated

import jwt
from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

ALGORITHM = "HS256"


class Role(StrEnum):
    ADMIN = "admin"
    STAFF = "staff"


class Principal(BaseModel):
    sub: str
    role: Role


def issue_token(secret: str, *, sub: str, role: Role | str, ttl: timedelta) -> str:
    now = datetime.now(UTC)
    claims = {"sub": sub, "role": Role(role).value, "iat": now, "exp": now + ttl}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


class InvalidToken(ValueError):
    pass


def verify_token(secret: str, token: str) -> Principal:
    try:
        claims = jwt.decode(
            token, secret, algorithms=[ALGORITHM], options={"require": ["sub", "role", "exp"]}
        )
        return Principal(sub=claims["sub"], role=claims["role"])
    except jwt.ExpiredSignatureError:
        raise InvalidToken("token expired") from None
    except (jwt.InvalidTokenError, ValueError) as exc:
        raise InvalidToken(f"invalid token: {exc}") from None


_bearer = HTTPBearer(auto_error=False, description="Staff token from `nkohub token`")


def _unauthorized(reason: str) -> HTTPException:
    return HTTPException(401, reason, headers={"WWW-Authenticate": "Bearer"})


def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise _unauthorized("authentication required: send Authorization: Bearer <token>")
    secret = request.app.state.runtime.settings.jwt_secret.get_secret_value()
    try:
        return verify_token(secret, credentials.credentials)
    except InvalidToken as exc:
        raise _unauthorized(str(exc)) from None


def require_role(*roles: Role):
    def dependency(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if principal.role not in roles:
            allowed = " or ".join(r.value for r in roles)
            raise HTTPException(403, f"role {principal.role.value!r} may not do this ({allowed})")
        return principal

    return dependency


def optional_staff(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal | None:
    """The staff member when a staff token is sent; ``None`` for a public caller.
    A token that is sent but invalid is refused (401), never silently ignored."""
    if credentials is None:
        return None
    return current_principal(request, credentials)


StaffUser = Annotated[Principal, Depends(require_role(Role.STAFF, Role.ADMIN))]
MaybeStaff = Annotated[Principal | None, Depends(optional_staff)]
