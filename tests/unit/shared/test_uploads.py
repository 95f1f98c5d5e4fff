"""The shared streaming upload reader on its own (no server): what it hands over, what it
refuses and when — counted in the chunks it asked the client for."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.requests import Request

from nkohub_shared.errors import DomainError, InvalidInput
from nkohub_shared.web.uploads import UploadTooLarge, open_upload

BOUNDARY = "nkohub-unit"


class Refused(DomainError):
    status_code = 413
    code = "too_large"


def form(*parts: tuple[str, str | None, bytes]) -> bytes:
    """A multipart body of ``(name, filename, value)`` parts, in that order."""
    body = b""
    for name, filename, value in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        body += f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n".encode()
        body += value + b"\r\n"
    return body + f"--{BOUNDARY}--\r\n".encode()


class Client:
    """The ASGI side of a request: its body in chunks of ``size``, counting those asked for."""

    def __init__(self, body: bytes, size: int = 100, disconnect_after: int | None = None) -> None:
        self.chunks = [body[i : i + size] for i in range(0, len(body), size)] or [b""]
        self.asked = 0
        self.disconnect_after = disconnect_after

    async def receive(self) -> dict[str, Any]:
        if self.disconnect_after is not None and self.asked >= self.disconnect_after:
            return {"type": "http.disconnect"}
        chunk = self.chunks[self.asked]
        self.asked += 1
        return {"type": "http.request", "body": chunk, "more_body": self.asked < len(self.chunks)}


def request(client: Client, content_type: str | None = None, length: str | None = None) -> Request:
    headers = [
        (b"content-type", (content_type or f"multipart/form-data; boundary={BOUNDARY}").encode())
    ]
    if length is not None:
        headers.append((b"content-length", length.encode()))
    scope = {"type": "http", "method": "POST", "path": "/", "headers": headers}
    return Request(scope, client.receive)


async def test_the_file_and_the_fields_on_both_sides_of_it():
    body = form(
        ("title", None, "до".encode()),
        ("file", "s.csv", b"a;b\n" * 300),
        ("city", None, "Глазов".encode()),
    )
    upload = await open_upload(request(Client(body)), max_body=len(body))
    assert upload.filename == "s.csv" and upload.fields == {"title": "до"}
    assert await upload.read(1200) == b"a;b\n" * 300
    assert upload.fields == {"title": "до", "city": "Глазов"}


async def test_a_file_past_its_limit_is_refused_before_the_rest_is_asked_for():
    body = form(("file", "big.csv", b"x" * 10_000))
    client = Client(body)
    upload = await open_upload(request(client))
    with pytest.raises(UploadTooLarge) as refused:
        await upload.read(1000)
    assert refused.value.field == "file" and refused.value.status_code == 413
    assert client.asked <= 12, "refused once 1000 bytes of the file had come, in chunks of 100"


async def test_a_body_past_max_body_is_refused_with_the_routes_refusal():
    body = form(("file", "s.csv", b"x" * 5000))
    declared = request(Client(body), length=str(len(body)))
    with pytest.raises(Refused) as by_length:
        await open_upload(declared, max_body=1000, too_large=lambda: Refused("big", field="file"))
    assert by_length.value.field == "file"

    client = Client(body)
    upload = await open_upload(
        request(client), max_body=1000, too_large=lambda: Refused("big", field="file")
    )
    with pytest.raises(Refused):
        await upload.read(10_000)
    assert client.asked <= 11, "refused once 1000 bytes had come, in chunks of 100"

    absurd = request(Client(body), length="9" * 40)
    with pytest.raises(Refused):
        await open_upload(absurd, max_body=1000, too_large=lambda: Refused("big", field="file"))


@pytest.mark.parametrize(
    ("content_type", "body", "field"),
    [
        ("application/json", b'{"file": "x"}', "file"),
        (None, form(("city", None, b"Glazov")), "file"),  # no file
        (None, form(("file", None, b"not a file")), "file"),
        (None, form(("file", "a.csv", b"1"), ("other", "b.csv", b"2")), "file"),
        (None, b"this is no multipart body at all\r\n", "file"),
    ],
)
async def test_forms_that_carry_no_single_file_are_a_422_naming_the_field(
    content_type, body, field
):
    with pytest.raises(InvalidInput) as refused:
        upload = await open_upload(request(Client(body), content_type))
        await upload.read(10_000)
    assert refused.value.field == field and refused.value.status_code == 422


async def test_a_client_gone_midway_is_a_422_naming_the_body():
    body = form(("file", "s.csv", b"x" * 5000))
    upload = await open_upload(request(Client(body, disconnect_after=3)))
    with pytest.raises(InvalidInput) as refused:
        await upload.read(10_000)
    assert refused.value.field == "body"
