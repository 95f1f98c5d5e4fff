"""Sign-in sheet uploads are bounded while they are read: a body over the size limit is
413 (with or without a Content-Length), a sheet over the row limit is 413, nothing is
recorded either way, and the parsing runs off the event loop's thread."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from nkohub_events.api import sheets
from nkohub_events.app import create_app
from tests.events.conftest import STAFF, events_settings, meetup_body
from tests.support.inprocess import running

MAX_BYTES = 4000
MAX_ROWS = 3


@pytest.fixture
async def small(sandbox):
    app = create_app(events_settings(sandbox, sheet_max_bytes=MAX_BYTES, sheet_max_rows=MAX_ROWS))
    async with running(app) as client:
        client.app = app
        yield client


async def past_meetup(client) -> str:
    start = datetime(2019, 3, 28, 11, 0, tzinfo=UTC)
    body = meetup_body(
        starts_at=start.isoformat(), ends_at=(start + timedelta(hours=2)).isoformat()
    )
    created = await client.post("/api/v1/meetups", json=body, headers=STAFF)
    assert created.status_code == 201, created.text
    return created.json()["meetup_id"]


def sheet(rows: int, filler: str = "") -> bytes:
    lines = ["Имя;Роль;Организация"] + [f"Участник {i}{filler};активист;" for i in range(rows)]
    return "\n".join(lines).encode()


def multipart(content: bytes) -> tuple[str, bytes]:
    boundary = uuid.uuid4().hex
    body = (
        (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="file"; filename="sheet.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return f"multipart/form-data; boundary={boundary}", body


async def test_oversized_uploads_and_sheets_are_refused_while_reading(small, monkeypatch):
    mid = await past_meetup(small)
    url = f"/api/v1/meetups/{mid}/attendance/import"
    db = small.app.state.runtime.db

    big = await small.post(url, files={"file": ("s.csv", sheet(2, "x" * MAX_BYTES))}, headers=STAFF)
    assert big.status_code == 413 and big.json()["error"]["field"] == "file", big.text

    content_type, body = multipart(sheet(2, "y" * MAX_BYTES))
    chunks_sent = []

    async def chunked():  # no Content-Length: the body is counted as it arrives
        for i in range(0, len(body), 1000):
            chunks_sent.append(i)
            yield body[i : i + 1000]

    streamed = await small.post(
        url, content=chunked(), headers={**STAFF, "Content-Type": content_type}
    )
    assert streamed.status_code == 413, streamed.text
    assert len(chunks_sent) < len(body) // 1000, "refused before the whole body was read"

    many = await small.post(url, files={"file": ("s.csv", sheet(MAX_ROWS + 1))}, headers=STAFF)
    assert many.status_code == 413 and "rows" in many.json()["error"]["message"]
    assert await db["attendances"].count_documents({}) == 0

    threads = []
    parse = sheets.read_sheet

    def watched(*args):
        threads.append(threading.current_thread())
        return parse(*args)

    monkeypatch.setattr(sheets, "read_sheet", watched)
    ok = await small.post(url, files={"file": ("s.csv", sheet(MAX_ROWS))}, headers=STAFF)
    assert ok.status_code == 200 and ok.json()["recorded"] == MAX_ROWS, ok.text
    assert threads and threads[0] is not threading.main_thread(), "parsed in a worker thread"

    anonymous = await small.post(url, files={"file": ("s.csv", sheet(1))})
    assert anonymous.status_code == 401


async def test_a_file_that_is_no_text_table_is_a_422_naming_the_file(small):
    # found by fuzzing: an image decoded neither as UTF-8 nor as Windows-1251 (a 500)
    mid = await past_meetup(small)
    image = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x98\x98" + bytes(range(256))
    refused = await small.post(
        f"/api/v1/meetups/{mid}/attendance/import",
        files={"file": ("photo.csv", image)},
        headers=STAFF,
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["field"] == "file"


async def test_an_upload_that_is_no_sheet_form_is_a_422_naming_the_file(small):
    """Not multipart, multipart without the file, or two files: 422 naming ``file``."""
    mid = await past_meetup(small)
    url = f"/api/v1/meetups/{mid}/attendance/import"
    db = small.app.state.runtime.db
    as_json = await small.post(url, json={"file": "Имя\nАнна"}, headers=STAFF)
    no_file = await small.post(url, data={"name": "Анна"}, files={}, headers=STAFF)
    two = await small.post(
        url,
        files=[("file", ("a.csv", sheet(1))), ("other", ("b.csv", sheet(1)))],
        headers=STAFF,
    )
    for refused in (as_json, no_file, two):
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"]["field"] == "file", refused.text
    assert await db["attendances"].count_documents({}) == 0
