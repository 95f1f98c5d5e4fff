"""Staff authentication over HTTP: ``Authorization: Bearer <JWT>`` checked by FastAPI
dependencies (``StaffUser``, ``AdminUser``, ``MaybeStaff``); the tokens themselves are
``nkohub_shared.tokens``'s.

Tokens are signed with Ed25519 (``EdDSA``) by whoever holds the private key — the CLI and
the staff console — and verified by the services with the public key only, so a service
(or anyone who reads its settings) can check a token but never mint one. A token carries
``sub`` (the account), ``role``, ``iss``, ``aud``, ``iat`` and ``exp``; a token whose
lifetime exceeds ``NKOHUB_STAFF_TOKEN_MAX_MINUTES`` is refused even if it has not expired.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from nkohub_shared.tokens import InvalidToken, Principal, Role, verify_token

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
