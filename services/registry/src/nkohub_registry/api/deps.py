"""Dependencies shared by the registry's routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from nkohub_registry.service import RegistryService
from nkohub_shared.web.auth import InvalidToken, Principal, Role, verify_token

_bearer = HTTPBearer(auto_error=False)


def get_service(request: Request) -> RegistryService:
    return request.app.state.runtime.context.service


def optional_staff(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal | None:
    """The staff member when a valid staff token is sent; ``None`` for anyone else.
    A token that is sent but invalid is refused (401), never silently ignored."""
    if credentials is None:
        return None
    secret = request.app.state.runtime.settings.jwt_secret.get_secret_value()
    try:
        principal = verify_token(secret, credentials.credentials)
    except InvalidToken as exc:
        raise HTTPException(401, str(exc), headers={"WWW-Authenticate": "Bearer"}) from None
    return principal if principal.role in (Role.STAFF, Role.ADMIN) else None


Service = Annotated[RegistryService, Depends(get_service)]
MaybeStaff = Annotated[Principal | None, Depends(optional_staff)]
