"""Dependencies the routes share: the service context and optional staff identity."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request

from nkohub_shared.errors import DomainError
from nkohub_shared.privacy import verify
from nkohub_shared.web.auth import Principal, Role, verify_token

if TYPE_CHECKING:
    from nkohub_events.app import EventsContext


def _context(request: Request) -> EventsContext:
    return request.app.state.runtime.context


Context = Annotated["EventsContext", Depends(_context)]


def _maybe_staff(request: Request) -> Principal | None:
    """The staff member when a valid staff token is sent, else None (public caller)."""
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer "):
        return None
    secret = request.app.state.runtime.settings.jwt_secret.get_secret_value()
    try:
        principal = verify_token(secret, header[7:].strip())
    except ValueError:
        return None
    return principal if principal.role in (Role.STAFF, Role.ADMIN) else None


MaybeStaff = Annotated[Principal | None, Depends(_maybe_staff)]


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"


def check_token(ctx: EventsContext, purpose: str, value: str, token: str | None) -> None:
    secret = ctx.runtime.settings.jwt_secret.get_secret_value()
    if not token or not verify(secret, purpose, value, token):
        raise Forbidden("the link's token is not valid for this", field="token")
