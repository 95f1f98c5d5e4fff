"""A multipart upload read as it arrives: the small fields before the file, then the
file's bytes chunk by chunk, then the fields after it — never the whole body in memory or
on disk. A route hands ``upload.chunks()`` to whatever stores the bytes, which can refuse
(a type, a size) as soon as it has seen enough; the body's own limit stays the
HTTP door's (``nkohub_shared.web.hardening.ServiceDoor``).

Starlette's ``request.form()`` spools a file to a temporary file before a route sees a
byte; this reader is for uploads that go straight to storage (GridFS), and, with
``read(max_bytes)``, for a file a route parses whole (a sheet, an export): only
the file is held, never the body, and it is refused the moment it passes its limit.

A route may also bound the whole body (``max_body``): a declared ``Content-Length`` past it
is refused before anything is read, and the bytes are counted as they arrive. Every
refusal is the route's own ``too_large()`` (413 naming the field) unless it gives none."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect, Request

from nkohub_shared.errors import DomainError, InvalidInput

FIELD_MAX_BYTES = 10_000  # a title, an alt text, a CSRF token
FIELDS_MAX = 20
DECLARED_DIGITS_MAX = 15  # a Content-Length longer than this is past any limit


class UploadTooLarge(DomainError):
    """413: the upload (or the file in it) is past its limit; ``field`` names which."""

    status_code = 413
    code = "too_large"


TooLarge = Callable[[], DomainError]


def _default_too_large(file_field: str, limit: int) -> TooLarge:
    return lambda: UploadTooLarge(f"файл больше {limit} байт", field=file_field, limit=limit)


@dataclass
class _Part:
    name: str
    filename: str | None
    value: bytearray = field(default_factory=bytearray)


class _Events:
    """python-multipart's callbacks turned into a list of events per chunk fed."""

    def __init__(self, boundary: bytes) -> None:
        self.events: list[tuple[str, object]] = []
        self._headers: dict[bytes, bytes] = {}
        self._field = b""
        self._value = b""
        self.parser = MultipartParser(
            boundary,
            {
                "on_part_begin": self._begin,
                "on_header_field": self._header_field,
                "on_header_value": self._header_value,
                "on_header_end": self._header_end,
                "on_headers_finished": self._headers_finished,
                "on_part_data": self._data,
                "on_part_end": self._end,
            },
        )

    def _begin(self) -> None:
        self._headers = {}

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _header_end(self) -> None:
        self._headers[self._field.lower()] = self._value
        self._field = self._value = b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        raw_filename = options.get(b"filename")
        filename = raw_filename.decode("utf-8", "replace") if raw_filename is not None else None
        self.events.append(("start", _Part(name, filename)))

    def _data(self, data: bytes, start: int, end: int) -> None:
        self.events.append(("data", bytes(data[start:end])))

    def _end(self) -> None:
        self.events.append(("end", None))

    def feed(self, chunk: bytes) -> list[tuple[str, object]]:
        try:
            self.parser.write(chunk) if chunk else self.parser.finalize()
        except MultipartParseError:
            raise InvalidInput(
                "тело запроса — не корректная форма multipart", field="file"
            ) from None
        events, self.events = self.events, []
        return events


class StreamedUpload:
    """One file part (``file_field``) and up to ``FIELDS_MAX`` small text fields around it.

    ``await open_upload(request)`` reads up to the file's first byte; ``fields`` then holds
    the fields sent before it, ``filename`` the name the client gave. ``chunks()`` yields
    the file's bytes as they arrive and then reads the rest of the body, adding the fields
    sent after the file to ``fields``; ``read()`` takes the file whole, within a limit."""

    def __init__(
        self,
        request: Request,
        file_field: str,
        *,
        max_body: int | None = None,
        too_large: TooLarge | None = None,
    ) -> None:
        self._max_body = max_body
        self._too_large = too_large
        if max_body is not None:
            declared = request.headers.get("content-length", "")
            if declared.isdigit() and (
                len(declared) > DECLARED_DIGITS_MAX or int(declared) > max_body
            ):
                raise self._refusal(file_field, max_body)
        content_type, options = parse_options_header(request.headers.get("content-type", ""))
        boundary = options.get(b"boundary")
        if content_type != b"multipart/form-data" or not boundary:
            raise InvalidInput(f"отправьте файл формой multipart/form-data, поле {file_field}",
                               field=file_field)  # fmt: skip
        self.file_field = file_field
        self.fields: dict[str, str] = {}
        self.filename: str | None = None
        self._events = _Events(boundary)
        self._stream = request.stream()
        self._pending: list[tuple[str, object]] = []
        self._part: _Part | None = None
        self._seen_file = False
        self._done = False
        self._received = 0

    def _refusal(self, file_field: str, limit: int) -> DomainError:
        too_large = self._too_large or _default_too_large(file_field, limit)
        return too_large()

    async def _next(self) -> tuple[str, object] | None:
        while not self._pending:
            if self._done:
                return None
            try:
                chunk = await self._stream.__anext__()
            except StopAsyncIteration:
                self._done = True
                chunk = b""
            except ClientDisconnect:
                raise InvalidInput("запрос прерван", field="body") from None
            self._received += len(chunk)
            if self._max_body is not None and self._received > self._max_body:
                raise self._refusal(self.file_field, self._max_body)
            self._pending = self._events.feed(chunk)
        return self._pending.pop(0)

    def _field_event(self, kind: str, value: object) -> None:
        """A small field's events (anything but the file's data)."""
        if kind == "start":
            assert isinstance(value, _Part)
            if value.filename is not None:
                raise InvalidInput("в форме может быть только один файл", field=self.file_field)
            if len(self.fields) >= FIELDS_MAX:
                raise InvalidInput("слишком много полей в форме", field=value.name or "body")
            self._part = value
        elif kind == "data" and self._part is not None:
            assert isinstance(value, bytes)
            self._part.value += value
            if len(self._part.value) > FIELD_MAX_BYTES:
                raise InvalidInput("слишком длинное значение", field=self._part.name or "body")
        elif kind == "end" and self._part is not None:
            self.fields[self._part.name] = self._part.value.decode("utf-8", "replace")
            self._part = None

    async def open(self) -> StreamedUpload:
        while (event := await self._next()) is not None:
            kind, value = event
            if kind == "start" and isinstance(value, _Part) and value.name == self.file_field:
                if value.filename is None:
                    raise InvalidInput("поле file должно быть файлом", field=self.file_field)
                self.filename = value.filename
                self._seen_file = True
                return self
            self._field_event(kind, value)
        raise InvalidInput(f"нет файла: отправьте его в поле {self.file_field}",
                           field=self.file_field)  # fmt: skip

    async def chunks(self) -> AsyncIterator[bytes]:
        """The file's bytes as they arrive; afterwards the rest of the form is read."""
        if not self._seen_file:
            await self.open()
        while (event := await self._next()) is not None:
            kind, value = event
            if kind == "end":
                break
            if kind == "data" and isinstance(value, bytes) and value:
                yield value
        while (event := await self._next()) is not None:
            self._field_event(*event)

    async def read(self, max_bytes: int) -> bytes:
        """The whole file (and then the rest of the form), refused as soon as it passes
        ``max_bytes`` — nothing more of the body is read after that."""
        buffer = io.BytesIO()  # getvalue() hands over its buffer: one copy of the file
        async for chunk in self.chunks():
            if buffer.tell() + len(chunk) > max_bytes:
                raise self._refusal(self.file_field, max_bytes)
            buffer.write(chunk)
        return buffer.getvalue()


async def open_upload(
    request: Request,
    file_field: str = "file",
    *,
    max_body: int | None = None,
    too_large: TooLarge | None = None,
) -> StreamedUpload:
    """The upload of ``request``, read up to its file's first byte; with ``max_body``, a
    body declared or found longer is refused with ``too_large()`` (413 naming the file)."""
    upload = StreamedUpload(request, file_field, max_body=max_body, too_large=too_large)
    return await upload.open()
