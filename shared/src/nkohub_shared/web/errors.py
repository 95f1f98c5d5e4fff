"""Errors as JSON, always naming the offending field when there is one.

The errors themselves live in ``nkohub_shared.errors`` (the domain raises them); this
module only maps them, and FastAPI's own, to responses.

Shape: ``{"error": {"code": ..., "message": ..., "field": ..., "fields": [...]}}``.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from nkohub_shared.errors import DomainError


class FieldError(BaseModel):
    field: str
    message: str


class ErrorDetail(BaseModel):
    code: str = Field(examples=["validation_error", "not_found", "rate_limited"])
    message: str
    field: str | None = Field(default=None, description="the field at fault, when there is one")
    fields: list[FieldError] | None = None


class ErrorBody(BaseModel):
    """What every refusal looks like."""

    error: ErrorDetail


_ANSWERS = {
    400: "the request cannot be carried out as it is",
    401: "no staff token, or not a valid one",
    403: "the token's role or the link's token does not allow this",
    404: "no such thing",
    409: "conflicts with what is stored",
    413: "the body (or a file in it) is over its limit",
    422: "a field is missing or malformed: `field` names it",
    429: "too many attempts: `Retry-After` says when to try again",
    503: "the database is unavailable: `Retry-After` says when to try again",
}
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": description}
    for status, description in _ANSWERS.items()
}


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}}


def _location(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header"} and len(parts) > 1:
        parts = parts[1:]
    return ".".join(parts)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(_: Request, exc: DomainError) -> JSONResponse:
        extra: dict[str, Any] = {"field": exc.field} if exc.field else {}
        extra.update(exc.details)
        retry_after = exc.details.get("retry_after")
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
        return JSONResponse(
            error_body(exc.code, exc.message, **extra), exc.status_code, headers=headers
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        fields = [
            {"field": _location(e.get("loc", ())), "message": e.get("msg", "invalid")}
            for e in exc.errors()
        ]
        summary = "; ".join(f"{f['field']}: {f['message']}" for f in fields)
        first = fields[0]["field"] if fields else None
        return JSONResponse(
            error_body("validation_error", f"invalid input: {summary}", field=first, fields=fields),
            422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {
            401: "unauthorized",
            403: "forbidden",
            404: "not_found",
            405: "method_not_allowed",
            413: "too_large",
        }
        headers = dict(getattr(exc, "headers", None) or {})
        extra: dict[str, Any] = {}
        if exc.status_code == 405:
            from nkohub_shared.web.openapi import allowed_methods

            headers["Allow"] = ", ".join(allowed_methods(request.app, request.url.path))
        if exc.status_code == 413:
            extra["field"] = getattr(exc, "field", "body")
        return JSONResponse(
            error_body(code.get(exc.status_code, "http_error"), str(exc.detail), **extra),
            exc.status_code,
            headers=headers or None,
        )
