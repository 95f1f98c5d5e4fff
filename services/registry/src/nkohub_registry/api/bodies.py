"""Request bodies read within a limit as they arrive: a declared or actual body over it is
refused (413) without reading on — the framework's own parsing would take it all in first."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from starlette.requests import ClientDisconnect

from nkohub_shared.errors import DomainError, InvalidInput


class BodyTooLarge(DomainError):
    """413: the body (or the file in it) is over the limit; ``field`` names which."""

    status_code = 413
    code = "too_large"

    def __init__(self, message: str, *, field: str, limit: int) -> None:
        super().__init__(message, field=field, limit=limit)


async def read_within(request: Request, limit: int, refusal: DomainError) -> bytes:
    """The body, or ``refusal`` as soon as it is known to exceed ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise refusal
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise refusal
            chunks.append(chunk)
    except ClientDisconnect:
        raise InvalidInput("запрос прерван", field="body") from None
    return b"".join(chunks)


async def json_within(request: Request, limit: int) -> Any:
    """A JSON body of at most ``limit`` bytes (413, field ``body``; 422 if not JSON)."""
    refusal = BodyTooLarge(f"запрос больше {limit // 1024} КБ", field="body", limit=limit)
    body = await read_within(request, limit, refusal)
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        raise InvalidInput("тело запроса — не JSON", field="body") from None
