"""Refusals of the domain that a client can act on.

Pure rules raise these; ``nkohub_shared.web.errors`` maps them to HTTP responses
(``{"error": {"code", "message", "field", ...}}``) without the rules knowing about HTTP.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refusal the client can act on; services raise its subclasses."""

    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, field: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details


class InvalidInput(DomainError):
    status_code = 422
    code = "invalid"


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"
