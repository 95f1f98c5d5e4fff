"""What FastAPI's generated OpenAPI document cannot say by itself, and what it tells."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from fastapi import FastAPI

from nkohub_shared.web.auth import OPTIONAL_SCHEME, STAFF_SCHEME

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
ICS_MEDIA_TYPE = "text/calendar; charset=utf-8"
HTML_MEDIA_TYPE = "text/html; charset=utf-8"
TEXT_MEDIA_TYPE = "text/plain; charset=utf-8"
BINARY = ("application/vnd.", "application/pdf", "image/png")


def content_of(*media_types: str, description: str = "Successful Response") -> dict[int, Any]:
    """``responses=`` of a route that answers 200 in other media types than JSON (CSV, XLSX,
    iCalendar, HTML, text), so that the schema names each: with ``response_class=Response``
    they are the only ones; with the default class, JSON is documented beside them."""
    content = {
        media_type: {
            "schema": {"type": "string", "format": "binary"}
            if media_type.startswith(BINARY)
            else {"type": "string"}
        }
        for media_type in media_types
    }
    return {200: {"description": description, "content": content}}


def document_optional_staff(app: FastAPI) -> None:
    """Routes that take ``MaybeStaff`` answer the public too: their security requirement
    becomes ``[{}, {"HTTPBearer": []}]`` (no token, or a staff token), so clients and
    fuzzers know that a request without a token is valid there."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()
        for path in schema.get("paths", {}).values():
            for method in METHODS:
                operation = path.get(method)
                if operation and {OPTIONAL_SCHEME: []} in operation.get("security", []):
                    operation["security"] = [{}, {STAFF_SCHEME: []}]
        schemes = schema.get("components", {}).get("securitySchemes", {})
        if OPTIONAL_SCHEME in schemes:
            schemes.setdefault(STAFF_SCHEME, schemes[OPTIONAL_SCHEME])
            del schemes[OPTIONAL_SCHEME]
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


Listed = tuple[tuple[str, tuple[str, ...]], ...]  # (path template, its methods)


@lru_cache(maxsize=16)
def _templates(paths: Listed) -> list[tuple[re.Pattern[str], tuple[str, ...], int]]:
    """Each template as a pattern (``{name}`` stands for one path segment), its methods and
    how many of its segments are literal."""
    return [
        (
            re.compile(re.sub(r"\{[^}/]+\}", "[^/]+", path)),
            methods,
            sum(1 for part in path.split("/") if part and not part.startswith("{")),
        )
        for path, methods in paths
    ]


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """Every method the document lists for ``path`` (HEAD with GET), for a 405's ``Allow``:
    Starlette names only the first route's methods when several routes share a path."""
    schema = app.openapi()
    paths = tuple(
        (template, tuple(m.upper() for m in METHODS if m in operations))
        for template, operations in schema.get("paths", {}).items()
    )
    # The routes that would answer are those of the most specific matching templates (the
    # most literal segments): /organizations/export, not /organizations/{id}.
    matching = [(listed, literal) for p, listed, literal in _templates(paths) if p.fullmatch(path)]
    best = max((literal for _, literal in matching), default=0)
    methods: set[str] = set()
    for listed, literal in matching:
        if literal == best:
            methods.update(listed)
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)
