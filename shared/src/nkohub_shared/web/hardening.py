"""What every service's HTTP door does before a route runs and after it answers.

``BodyLimitMiddleware``: a request body over its limit is refused with 413 while it
  arrives — by its declared ``Content-Length`` before anything is read, else as soon as the
  bytes read pass the limit — before the token is checked or anything parsed. Paths that
  take uploads get their own, larger limits (``BodyLimit``).

``SecurityHeadersMiddleware``: ``X-Content-Type-Options: nosniff`` on every answer; on
  HTML pages a Content-Security-Policy without inline script, no framing, and no referrer
  (pages whose URLs carry tokens must not leak them to other sites).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MIB = 1024 * 1024
# What a multipart form adds around an uploaded file (boundaries, headers, small fields).
MULTIPART_ENVELOPE_BYTES = 64 * 1024

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'; img-src 'self' data: https:; "
    "style-src 'self' 'unsafe-inline'"
)
# Swagger UI (when enabled by setting) loads its script from a CDN and runs inline code.
POLICY_EXEMPT_PATHS = ("/docs", "/docs/oauth2-redirect")


@dataclass(frozen=True)
class BodyLimit:
    path: str  # a regular expression the whole path must match
    limit: int  # bytes
    field: str = "body"  # what the refusal names: "file" where the body carries an upload


class BodyTooLarge(HTTPException):
    """Raised while the body arrives; the error handlers answer it (413 naming ``field``)."""

    def __init__(self, limit: int, field: str = "body") -> None:
        super().__init__(413, f"тело запроса больше {limit} байт")
        self.field = field


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, default: int, limits: Sequence[BodyLimit] = ()) -> None:
        self.app = app
        self.default = default
        self.limits = [(re.compile(limit.path), limit) for limit in limits]

    def limit_of(self, path: str) -> BodyLimit:
        matching = (limit for pattern, limit in self.limits if pattern.fullmatch(path))
        return next(matching, BodyLimit(".*", self.default))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rule = self.limit_of(scope["path"])
        limit = rule.limit
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            refused = BodyTooLarge(limit, rule.field)
            body = {"error": {"code": "too_large", "message": refused.detail, "field": rule.field}}
            await JSONResponse(body, 413)(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit, rule.field)
            return message

        await self.app(scope, counted, send)


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        exempt = scope["path"] in POLICY_EXEMPT_PATHS

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                if headers.get("content-type", "").startswith("text/html") and not exempt:
                    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                    headers.setdefault("X-Frame-Options", "DENY")
                    headers.setdefault("Referrer-Policy", "no-referrer")
            await send(message)

        await self.app(scope, receive, with_headers)


def file_upload_openapi(description: str = "", **fields: dict[str, Any]) -> dict[str, Any]:
    """``openapi_extra`` of a route that reads a multipart ``file`` (and ``fields``) itself,
    within its own limit, instead of letting the framework take the whole body first."""
    upload: dict[str, Any] = {"type": "string", "format": "binary"}
    if description:
        upload["description"] = description
    schema = {"type": "object", "required": ["file"], "properties": {"file": upload, **fields}}
    return {
        "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": schema}}}
    }
