"""What every service's HTTP door does before a route runs and after it answers.

``ServiceDoor`` (one ASGI layer, installed by ``nkohub_shared.web.app``):

- the request's trace (``nkohub_shared.tracing``) and its metrics by route template and
  status (``nkohub_shared.metrics``);
- a request body over its limit is refused with 413 while it arrives — by its declared
  ``Content-Length`` before anything is read, else as soon as the bytes read pass the
  limit — before the token is checked or anything parsed. Paths that take uploads get
  their own, larger limits (``BodyLimit``);
- ``X-Content-Type-Options: nosniff`` on every answer; on HTML pages a
  Content-Security-Policy without inline script, no framing, and no referrer (pages whose
  URLs carry tokens must not leak them to other sites).
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from nkohub_shared import tracing
from nkohub_shared.metrics import UNMATCHED_ROUTE, ServiceMetrics, route_template

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


class ServiceDoor:
    """The HTTP door of a service as ONE ASGI layer (it was four middlewares, each with its
    own ``send`` wrapper and call frames; together they cost about as much as a
    registration's endpoint). In order, for every HTTP request:

    1. the trace (``tracing.serving``): the caller's ``traceparent`` continued or a trace
       started; log lines and the events the request writes carry it;
    2. the body limit: over its declared ``Content-Length`` refused (413) before anything
       is read, else counted while the route reads it (``BodyTooLarge`` past the limit);
    3. on the answer: ``X-Content-Type-Options: nosniff``, and on HTML pages the
       Content-Security-Policy without inline script, no framing, no referrer;
    4. when answered: the request counted and timed by route template and status
       (``ServiceMetrics.request_answered``; 500 when no answer started: an exception
       escaped) and the server span, if there is one, named by the route."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        metrics: ServiceMetrics,
        default_body_limit: int,
        body_limits: Sequence[BodyLimit] = (),
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.default = BodyLimit(".*", default_body_limit)
        self.limits = [(re.compile(limit.path), limit) for limit in body_limits]

    def limit_of(self, path: str) -> BodyLimit:
        for pattern, limit in self.limits:
            if pattern.fullmatch(path):
                return limit
        return self.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        method = scope.get("method", "GET")
        status = 500  # unless an answer starts: an exception escaped
        with tracing.serving(scope) as span:
            try:
                path = scope["path"]
                rule = self.limit_of(path)
                limit = rule.limit
                html_headers = path not in POLICY_EXEMPT_PATHS

                async def answer(message: Message) -> None:
                    nonlocal status
                    if message["type"] == "http.response.start":
                        status = message["status"]
                        _secure(message, html_headers)
                    await send(message)

                declared = _content_length(scope["headers"])
                if declared is not None and declared > limit:
                    await _too_large(BodyTooLarge(limit, rule.field))(scope, receive, answer)
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

                await self.app(scope, counted, answer)
            finally:
                route = route_template(scope)
                self.metrics.request_answered(method, route, status, time.perf_counter() - started)
                tracing.named(span, method, route if route != UNMATCHED_ROUTE else None, status)


def _too_large(refused: BodyTooLarge) -> JSONResponse:
    error = {"code": "too_large", "message": refused.detail, "field": refused.field}
    return JSONResponse({"error": error}, 413)


def _content_length(headers: Sequence[tuple[bytes, bytes]]) -> int | None:
    for key, value in headers:
        if key == b"content-length":
            return int(value) if value.isdigit() else None
    return None


_NOSNIFF = (b"x-content-type-options", b"nosniff")
_PAGE_HEADERS = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
)


def _secure(start: Message, pages: bool) -> None:
    """The security headers added to an answer's start, unless the route set them."""
    headers = start.get("headers")
    headers = list(headers) if headers is not None else []
    present = {key.lower() for key, _ in headers}
    if _NOSNIFF[0] not in present:
        headers.append(_NOSNIFF)
    if pages and _is_html(headers):
        headers.extend(header for header in _PAGE_HEADERS if header[0] not in present)
    start["headers"] = headers


def _is_html(headers: Sequence[tuple[bytes, bytes]]) -> bool:
    for key, value in headers:
        if key.lower() == b"content-type":
            return value.startswith(b"text/html")
    return False


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
