"""What every service client shares: the token per request, JSON in and out, refusals."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from nkohub_console.domain.forms import FormErrors, from_refusal

SERVICE_LABELS = {
    "registry": "реестр НКО",
    "events": "встречи",
    "notifications": "рассылки",
    "publishing": "блог",
}


class ServiceRefused(Exception):
    """A service said no (4xx): its status, code, message and the field it names."""

    def __init__(
        self,
        service: str,
        status: int,
        code: str,
        message: str,
        field: str | None = None,
        fields: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(f"{service}: {status} {code}: {message}")
        self.service = service
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.fields = fields or []

    def errors(self, aliases: Mapping[str, str] | None = None) -> FormErrors:
        return from_refusal(self.field, self.message, self.fields, aliases)


class ServiceUnavailable(Exception):
    """A service did not answer, or answered 5xx."""

    def __init__(self, service: str, detail: str) -> None:
        super().__init__(f"{service}: {detail}")
        self.service = service
        self.label = SERVICE_LABELS.get(service, service)
        self.detail = detail


@dataclass(frozen=True)
class Download:
    content: bytes
    media_type: str
    filename: str


Params = Mapping[str, Any] | list[tuple[str, Any]] | None


class ServiceClient:
    service = "service"

    def __init__(self, http: httpx.AsyncClient, base_url: str, token: Callable[[], str]) -> None:
        self._http = http
        self._base = base_url.rstrip("/") + "/api/v1"
        self._token = token

    async def _send(
        self,
        method: str,
        path: str,
        *,
        params: Params = None,
        json: Any = None,
        files: Mapping[str, Any] | None = None,
    ) -> httpx.Response:
        if isinstance(params, Mapping):
            params = {k: v for k, v in params.items() if v is not None and v != ""}
        elif params is not None:
            params = [(k, v) for k, v in params if v is not None and v != ""]
        headers = {"Authorization": f"Bearer {self._token()}"}
        try:
            response = await self._http.request(
                method,
                self._base + path,
                params=params,
                json=json,
                files=files,
                headers=headers,
            )
        except httpx.HTTPError as exc:
            raise ServiceUnavailable(self.service, exc.__class__.__name__) from None
        if response.status_code >= 500:
            raise ServiceUnavailable(self.service, f"HTTP {response.status_code}")
        if response.status_code >= 400:
            raise self._refusal(response)
        return response

    def _refusal(self, response: httpx.Response) -> ServiceRefused:
        try:
            error = response.json().get("error") or {}
        except ValueError:
            error = {}
        return ServiceRefused(
            self.service,
            response.status_code,
            str(error.get("code") or "refused"),
            str(error.get("message") or response.reason_phrase),
            error.get("field"),
            error.get("fields"),
        )

    async def get(self, path: str, params: Params = None) -> Any:
        return (await self._send("GET", path, params=params)).json()

    async def post(self, path: str, json: Any = None, params: Params = None) -> Any:
        response = await self._send("POST", path, json=json, params=params)
        return response.json() if response.content else None

    async def patch(self, path: str, json: Any) -> Any:
        return (await self._send("PATCH", path, json=json)).json()

    async def put(self, path: str, json: Any) -> Any:
        return (await self._send("PUT", path, json=json)).json()

    async def delete(self, path: str) -> None:
        await self._send("DELETE", path)

    async def upload(self, path: str, filename: str, content: bytes, media_type: str) -> Any:
        files = {"file": (filename, content, media_type)}
        return (await self._send("POST", path, files=files)).json()

    async def download(self, path: str, params: Params = None, fallback: str = "file") -> Download:
        response = await self._send("GET", path, params=params)
        disposition = response.headers.get("content-disposition", "")
        filename = fallback
        if "filename=" in disposition:
            filename = disposition.split("filename=", 1)[1].strip('"; ')
        return Download(
            response.content,
            response.headers.get("content-type", "application/octet-stream"),
            filename,
        )
