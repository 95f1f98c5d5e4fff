"""Files on the real servers: upload → served with its headers, 304, ranges; refusals
leave nothing in GridFS; deletion while used is refused; staff only; events."""

from __future__ import annotations

import hashlib

import httpx
import pytest
from pymongo import AsyncMongoClient

from tests.publishing.conftest import BASE_URL, events_written, make_post
from tests.publishing.files_data import HTML_AS_PNG, SVG, image, pdf
from tests.support.inprocess import staff_headers


async def upload(
    client: httpx.AsyncClient, content: bytes, name: str, **fields: str
) -> httpx.Response:
    return await client.post(
        "/api/v1/files", files={"file": (name, content, "application/octet-stream")}, data=fields
    )


async def gridfs_counts(sandbox) -> tuple[int, int, int]:
    mongo: AsyncMongoClient = AsyncMongoClient(sandbox.servers.mongodb_url)
    try:
        db = mongo[sandbox.database("publishing")]
        return (
            await db["fs.files"].count_documents({}),
            await db["fs.chunks"].count_documents({}),
            await db["files"].count_documents({}),
        )
    finally:
        await mongo.close()


async def test_an_uploaded_pdf_is_served_with_its_headers(client):
    content = pdf()
    # the client's Content-Type and extension lie: the content decides
    response = await client.post(
        "/api/v1/files",
        files={"file": ("Жизнеспособность проекта.txt", content, "text/html")},
        data={"title": "Жизнеспособность проекта"},
    )
    assert response.status_code == 201, response.text
    file = response.json()
    sha = hashlib.sha256(content).hexdigest()
    assert (file["content_type"], file["kind"], file["size"], file["sha256"]) == (
        "application/pdf",
        "pdf",
        len(content),
        sha,
    )
    assert file["name"] == "Жизнеспособность проекта.txt.pdf"
    assert file["title"] == "Жизнеспособность проекта"
    assert file["uploaded_by"] == "librarian"
    assert file["url"] == BASE_URL + file["path"]
    assert file["path"].startswith(f"/files/{file['id']}/")

    served = await client.get(file["path"], headers={"Authorization": ""})
    assert served.status_code == 200
    assert served.content == content
    assert served.headers["content-type"] == "application/pdf"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert served.headers["etag"] == f'"{sha}"'
    assert served.headers["content-disposition"] == (
        "inline; filename=\"file.txt.pdf\"; filename*=UTF-8''"
        "%D0%96%D0%B8%D0%B7%D0%BD%D0%B5%D1%81%D0%BF%D0%BE%D1%81%D0%BE%D0%B1%D0%BD%D0%BE%D1%81%D1%82%D1%8C"
        "%20%D0%BF%D1%80%D0%BE%D0%B5%D0%BA%D1%82%D0%B0.txt.pdf"
    )
    assert "set-cookie" not in served.headers

    again = await client.get(file["path"], headers={"If-None-Match": f'"{sha}"'})
    assert (again.status_code, again.content) == (304, b"")

    part = await client.get(file["path"], headers={"Range": "bytes=4-9"})
    assert part.status_code == 206
    assert part.content == content[4:10]
    assert part.headers["content-range"] == f"bytes 4-9/{len(content)}"
    tail = await client.get(file["path"], headers={"Range": "bytes=-5"})
    assert (tail.status_code, tail.content) == (206, content[-5:])
    beyond = await client.get(file["path"], headers={"Range": f"bytes={len(content)}-"})
    assert beyond.status_code == 416
    assert beyond.headers["content-range"] == f"bytes */{len(content)}"

    internal = await client.get(f"/api/v1/files/{file['id']}/content")
    assert internal.status_code == 200 and internal.content == content
    assert internal.headers["content-disposition"].startswith("attachment; ")
    bare = await client.get(f"/files/{file['id']}", follow_redirects=False)
    assert (bare.status_code, bare.headers["location"]) == (301, file["path"])


async def test_an_image_has_its_dimensions_and_a_markdown_snippet(client):
    response = await upload(client, image("JPEG", (320, 200)), "обложка.jpeg", alt="Зал библиотеки")
    assert response.status_code == 201, response.text
    file = response.json()
    assert (file["kind"], file["content_type"], file["width"], file["height"]) == (
        "image",
        "image/jpeg",
        320,
        200,
    )
    assert file["name"] == "обложка.jpg"
    assert file["markdown"] == f"![Зал библиотеки]({file['path']})"
    served = await client.get(file["path"])
    assert served.headers["content-type"] == "image/jpeg"
    assert served.headers["content-disposition"].startswith("inline; ")
    assert served.headers["content-security-policy"] == "default-src 'none'; sandbox"

    listed = (await client.get("/api/v1/files", params={"kind": "image"})).json()
    assert (listed["total"], [f["id"] for f in listed["items"]]) == (1, [file["id"]])
    assert (await client.get("/api/v1/files", params={"kind": "pdf"})).json()["total"] == 0
    changed = await client.patch(
        f"/api/v1/files/{file['id']}", json={"alt": "Читальный зал", "title": "Зал"}
    )
    assert changed.status_code == 200
    assert (changed.json()["alt"], changed.json()["title"]) == ("Читальный зал", "Зал")


@pytest.mark.parametrize(
    ("content", "status", "words"),
    [
        (SVG, 415, "SVG"),
        (HTML_AS_PNG, 415, "HTML"),
        (image("PNG") + b"PK\x05\x06" + b"\x00" * 18, 415, "ZIP"),
        (b"", 422, "пуст"),
    ],
)
async def test_refused_content_leaves_nothing(client, sandbox, content, status, words):
    response = await upload(client, content, "x.png")
    assert response.status_code == status, response.text
    assert response.json()["error"]["field"] == "file"
    assert words in response.json()["error"]["message"]
    assert await gridfs_counts(sandbox) == (0, 0, 0)


async def test_a_file_over_its_kinds_limit_is_refused_while_it_arrives(service, sandbox):
    async with service(file_image_max_bytes=300 * 1024, file_pdf_max_bytes=600 * 1024) as client:
        client.headers.update(staff_headers())
        # a PNG head, then 500 KB: over the image limit, under the PDF one
        big = image("PNG")[:64] + b"\x00" * (500 * 1024)
        response = await upload(client, big, "big.png")
        assert response.status_code == 413, response.text
        assert response.json()["error"] == {
            "code": "too_large",
            "message": "изображение больше 0 МБ",
            "field": "file",
            "limit": 300 * 1024,
        }
        # past the largest limit the door refuses by Content-Length before reading
        huge = await upload(client, b"%PDF-" + b"\x00" * (700 * 1024), "huge.pdf")
        assert huge.status_code == 413
        assert huge.json()["error"]["field"] == "file"
    assert await gridfs_counts(sandbox) == (0, 0, 0)


async def test_staff_only(service):
    async with service() as anonymous:
        assert (await upload(anonymous, pdf(), "a.pdf")).status_code == 401
        assert (await anonymous.get("/api/v1/files")).status_code == 401
        assert (await anonymous.patch("/api/v1/files/abc", json={})).status_code == 401
        assert (await anonymous.delete("/api/v1/files/abc")).status_code == 401
        # the bytes need no token (files are public; services cannot mint tokens)
        assert (await anonymous.get("/api/v1/files/abc/content")).status_code == 404


async def test_a_file_in_use_is_not_deleted(client, sandbox, spy):
    cover = (await upload(client, image("PNG"), "cover.png")).json()
    refused = await client.post(
        "/api/v1/posts",
        json={"title": "Гранты", "category": "ngo-news", "cover_file_id": cover["id"]},
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["field"] == "cover_file_id"  # no alt text yet
    await client.patch(f"/api/v1/files/{cover['id']}", json={"alt": "Обложка"})
    guide = (await upload(client, pdf(), "guide.pdf", title="Руководство")).json()
    post = await make_post(
        client,
        title="Гранты",
        cover_file_id=cover["id"],
        body=f"Смотрите [руководство]({guide['path']}).",
    )
    assert post["cover_file_id"] == cover["id"]
    document = await client.post(
        "/api/v1/documents", json={"title": "Календарь грантов", "file_id": guide["id"]}
    )
    assert document.status_code == 201, document.text
    assert document.json()["url"] == guide["url"]

    for file, used_by in ((cover, ["Гранты"]), (guide, ["Гранты", "Календарь грантов"])):
        response = await client.delete(f"/api/v1/files/{file['id']}")
        assert response.status_code == 409
        error = response.json()["error"]
        assert error["field"] == "file_id"
        assert [u["title"] for u in error["used_by"]] == used_by

    page = await client.get(f"/posts/{post['slug']}")
    assert f'src="{cover["path"]}"' in page.text and 'alt="Обложка"' in page.text

    await client.delete(f"/api/v1/documents/{document.json()['id']}")
    await client.patch(f"/api/v1/posts/{post['id']}", json={"body": "Без ссылок."})
    assert (await client.delete(f"/api/v1/files/{guide['id']}")).status_code == 204
    assert (await client.get(guide["path"])).status_code == 404
    assert (await client.get(f"/api/v1/files/{guide['id']}")).status_code == 404
    assert (await client.delete(f"/api/v1/files/{guide['id']}")).status_code == 204  # again: no-op
    fs_files, _, records = await gridfs_counts(sandbox)
    assert (fs_files, records) == (1, 2)  # the cover's bytes; the guide's tombstone stays

    uploaded = await events_written(spy, sandbox, "publishing.file.uploaded")
    assert sorted(e["data"]["file_id"] for e in uploaded) == sorted([cover["id"], guide["id"]])
    deleted = await events_written(spy, sandbox, "publishing.file.deleted")
    assert [e["data"] for e in deleted] == [
        {"file_id": guide["id"], "sha256": guide["sha256"], "actor": "librarian"}
    ]


async def test_a_1_gb_body_without_length_is_refused_after_the_limit_not_read(service, sandbox):
    """A chunked body (no Content-Length) announcing a gigabyte: refused once its bytes
    pass the image limit; the rest is never asked for, nothing stays in GridFS."""
    limit = 300 * 1024
    produced = 0

    async def body():
        nonlocal produced
        head = (
            b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.png"\r\n'
            b"Content-Type: image/png\r\n\r\n" + image("PNG")[:64]
        )
        yield head
        produced += len(head)
        chunk = b"\x00" * 65536
        for _ in range(1024**3 // len(chunk)):
            produced += len(chunk)
            yield chunk

    async with service(file_image_max_bytes=limit) as client:
        client.headers.update(staff_headers())
        response = await client.post(
            "/api/v1/files",
            content=body(),
            headers={"Content-Type": "multipart/form-data; boundary=b"},
        )
    assert response.status_code == 413
    assert response.json()["error"]["field"] == "file"
    assert produced < limit + 4 * 65536  # read up to the limit, give or take a chunk or two
    assert await gridfs_counts(sandbox) == (0, 0, 0)


async def test_an_upload_a_killed_process_left_is_removed_by_the_background_job(
    publishing_settings, sandbox, monkeypatch
):
    """What a process killed mid-upload leaves (its announced record, chunks without a
    GridFS file document) is found by age and removed; finished files stay."""
    import asyncio
    from datetime import timedelta

    from nkohub_publishing import app as publishing_app
    from nkohub_publishing.domain.clock import now_utc
    from nkohub_publishing.service.scheduling import ABANDONED_UPLOAD, run_once
    from tests.support.inprocess import running

    async def no_scheduler(_ctx) -> None:  # the pass below is the only one: none races it
        await asyncio.Event().wait()

    monkeypatch.setattr(publishing_app, "scheduler", no_scheduler)
    app = publishing_app.create_app(publishing_settings())
    async with running(app) as client:
        client.headers.update(staff_headers())
        kept = await upload(client, pdf(), "kept.pdf")
        assert kept.status_code == 201
        ctx = app.state.runtime.context
        repository = ctx.files.repository
        await repository.begin("a" * 32, now_utc() - ABANDONED_UPLOAD - timedelta(minutes=1))
        # two chunks written, the GridFS file document never (it is written on close)
        half = [{"files_id": "a" * 32, "n": n, "data": b"\x00" * 1024} for n in (0, 1)]
        await repository.chunks.insert_many(half)
        assert await gridfs_counts(sandbox) == (1, 3, 2)
        await repository.begin("b" * 32, now_utc())  # a live upload is left alone

        done = await run_once(ctx)
        assert done["abandoned_uploads"] == 1
        assert await gridfs_counts(sandbox) == (1, 1, 2)
        listed = (await client.get("/api/v1/files")).json()
        assert [f["id"] for f in listed["items"]] == [kept.json()["id"]]
        assert listed["total"] == 1
