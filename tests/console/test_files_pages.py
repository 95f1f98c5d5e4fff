"""The console's «Файлы» page in-process with the real publishing service: upload through
the form (multipart, CSRF), the list with the thumbnail and the Markdown, alt text, the
cover picker of the post editor, and a deletion refused while the file is used."""

from __future__ import annotations

import html
import re
from urllib.parse import quote

import pytest

from tests.console.support import (
    console_with_services,
    csrf_of,
    make_account,
    post_form,
    service_client,
    sign_in,
)
from tests.publishing.files_data import SVG, image


@pytest.fixture
async def console(sandbox):
    async with console_with_services(sandbox) as app:
        await make_account(app, "Ольга Библиотекарь", "olga@library.ru")
        yield app


async def upload(client, content: bytes, name: str, **fields: str):
    page = await client.get("/console/files")
    assert page.status_code == 200
    return await client.post(
        "/console/files/upload",
        data={"csrf": csrf_of(page.text), **fields},
        files={"file": (name, content, "image/svg+xml")},
    )


async def test_upload_describe_use_as_cover_and_delete_refused(console):
    from tests.console.support import browser

    async with browser(console) as client:
        await sign_in(client, "olga@library.ru")

        no_csrf = await client.post(
            "/console/files/upload", files={"file": ("a.png", image("PNG"), "image/png")}
        )
        assert no_csrf.status_code == 403

        svg = await upload(client, SVG, "logo.svg")
        assert svg.status_code == 415
        assert "SVG не принимается" in html.unescape(svg.text)

        done = await upload(client, image("PNG", (64, 32)), "Зал.png", title="Читальный зал")
        assert done.status_code == 303, done.text[:1000]
        page = await client.get("/console/files")
        text = html.unescape(page.text)
        file_id = re.search(r'id="file-([0-9a-f]{32})"', page.text).group(1)
        path = f"/files/{file_id}/{quote('Зал.png')}"
        assert f'<img src="http://publishing.test{path}" alt=""' in text
        assert f'value="![]({path})"' in text
        assert "Нет описания (alt)" in text

        saved = await post_form(
            client, "/console/files", f"/console/files/{file_id}",
            {"title": "Читальный зал", "alt": "Читатели в зале библиотеки"},
        )  # fmt: skip
        assert saved.status_code == 303
        text = html.unescape((await client.get("/console/files")).text)
        assert f'value="![Читатели в зале библиотеки]({path})"' in text
        assert "Нет описания (alt)" not in text

        editor = await client.get("/console/blog/new")
        assert f'<option value="{file_id}">Читальный зал — Читатели в зале библиотеки</option>' in (
            html.unescape(editor.text)
        )
        created = await post_form(
            client, "/console/blog/new", "/console/blog/new",
            {"title": "Встреча в зале", "category": "ngo-news", "body": "Текст.",
             "cover_file_id": file_id},
        )  # fmt: skip
        assert created.status_code == 303, created.text[:1000]
        post_id = created.headers["location"].split("/")[3].split("?")[0]
        async with service_client(console, "publishing") as publishing:
            from tests.support.inprocess import staff_headers

            stored = (
                await publishing.get(f"/api/v1/posts/{post_id}", headers=staff_headers())
            ).json()
        assert stored["cover_file_id"] == file_id
        editor = await client.get(f"/console/blog/{post_id}")
        assert f'<option value="{file_id}" selected>' in editor.text

        refused = await post_form(client, "/console/files", f"/console/files/{file_id}/delete", {})
        assert refused.status_code == 409
        assert "используется: запись «Встреча в зале»" in html.unescape(refused.text)
        assert f'id="file-{file_id}"' in refused.text


async def test_a_document_of_the_grants_page_is_an_uploaded_pdf(console):
    from tests.console.support import browser
    from tests.publishing.files_data import pdf

    async with browser(console) as client:
        await sign_in(client, "olga@library.ru")
        done = await upload(client, pdf(), "Жизнеспособность проекта.pdf")
        assert done.status_code == 303, done.text[:1000]
        page = await client.get("/console/blog/grants")
        file_id = re.search(r'<option value="([0-9a-f]{32})">', page.text).group(1)
        added = await post_form(
            client, "/console/blog/grants", "/console/blog/documents/add",
            {"documents-title": "Жизнеспособность проекта", "documents-file_id": file_id},
        )  # fmt: skip
        assert added.status_code == 303, added.text[:1000]
        path = f"/files/{file_id}/{quote('Жизнеспособность-проекта.pdf')}"
        page = await client.get("/console/blog/grants")
        assert f'<a href="http://publishing.test{path}">Жизнеспособность проекта</a>' in page.text
