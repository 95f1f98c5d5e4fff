"""A mailing's attachments: files staff uploaded to the publishing service (a real one,
served over HTTP on its own port), copied by notifications when the mailing is tested or
sent, attached byte for byte to every message (test send included) with their types and
Cyrillic names (RFC 2231); unknown ids and too many bytes are refused with 422 naming
``attachments``; the copies go some time after the mailing was sent."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import uvicorn

from nkohub_publishing.app import create_app as publishing_app
from nkohub_publishing.settings import PublishingSettings
from tests.publishing.files_data import image, pdf
from tests.support.broker import wait_until
from tests.support.inprocess import running, staff_headers
from tests.support.notifications_smtp import address, free_port

from .conftest import start_service
from .test_mailings import organization, registered, sent

STAFF = staff_headers()
PDF_NAME = "Жизнеспособность проекта.pdf"


@contextlib.asynccontextmanager
async def publishing_on_a_port(sandbox) -> AsyncIterator[tuple[str, httpx.AsyncClient]]:
    """The publishing service running, and also listening on a real port (its files'
    bytes are fetched by notifications over HTTP, as between deployed services)."""
    settings = PublishingSettings(
        **sandbox.settings("publishing", public_base_url="https://proekt-plus.example")
    )
    app = publishing_app(settings)
    async with running(app) as client:
        port = free_port()
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
        )
        task = asyncio.create_task(server.serve())
        await wait_until(lambda: server.started)
        try:
            yield f"http://127.0.0.1:{port}", client
        finally:
            server.should_exit = True
            await task


async def upload(client: httpx.AsyncClient, content: bytes, name: str) -> str:
    r = await client.post(
        "/api/v1/files",
        files={"file": (name, content, "application/octet-stream")},
        headers=STAFF,
    )
    assert r.status_code == 201, r.text
    return r.json()["id"]


def attachments_of(mail) -> dict[str, tuple[str, bytes]]:
    return {
        part.get_filename(): (part.get_content_type(), part.get_payload(decode=True))
        for part in mail.iter_attachments()
    }


async def test_every_message_of_a_mailing_carries_the_files_byte_for_byte(sandbox, smtp):
    document, picture = pdf(), image("PNG")
    async with publishing_on_a_port(sandbox) as (url, publishing):
        pdf_id = await upload(publishing, document, PDF_NAME)
        png_id = await upload(publishing, picture, "обложка.png")
        async with start_service(sandbox, smtp, publishing_url=url) as service:
            await registered(
                service,
                organization("youth@ngo.example.org", ["youth"]),
                organization("culture@ngo.example.org", ["culture"]),
            )
            created = await service.client.post(
                "/api/v1/staff/mailings",
                json={
                    "subject": "Памятка",
                    "body": "Памятка во вложении.",
                    "segment": {"kind": "organizations"},
                    "attachments": [pdf_id, png_id],
                },
                headers=STAFF,
            )
            assert created.status_code == 201, created.text
            mailing_id = created.json()["id"]
            test = await service.client.post(
                f"/api/v1/staff/mailings/{mailing_id}/test",
                json={"email": "librarian@library.example.org"},
                headers=STAFF,
            )
            assert test.status_code == 202, test.text
            [trial] = await smtp.wait_count(1)
            send = await service.client.post(
                f"/api/v1/staff/mailings/{mailing_id}/send", json={}, headers=STAFF
            )
            assert send.status_code == 202, send.text
            done = await sent(service, mailing_id)
            assert done["progress"]["sent"] == 2
            await smtp.wait_count(3)
            copies = done["attachment_copies"]
            assert [c["filename"] for c in copies] == [PDF_NAME, "обложка.png"]
            assert [c["content_type"] for c in copies] == ["application/pdf", "image/png"]
            # one copy per file, kept once (not once per recipient)
            assert await service.db["mailing_files.files"].count_documents({}) == 2
            stored = await service.db.messages.find_one({"mailing_id": mailing_id})
            assert all("data" not in a and "content" not in a for a in stored["attachments"])

        for mail in smtp.messages:
            files = attachments_of(mail)
            assert files[PDF_NAME] == ("application/pdf", document), address(mail)
            assert files["обложка.png"] == ("image/png", picture)
        raw = trial.as_string()
        assert "filename*" in raw and "utf-8''" in raw, "RFC 2231 for the Cyrillic name"
        assert {address(m) for m in smtp.messages} == {
            "librarian@library.example.org",
            "youth@ngo.example.org",
            "culture@ngo.example.org",
        }


async def test_unknown_or_too_large_files_are_refused_naming_attachments(sandbox, smtp):
    async with publishing_on_a_port(sandbox) as (url, publishing):
        big = await upload(publishing, image("PNG", size=(600, 600), compress_level=0), "big.png")
        small = await upload(publishing, pdf(), "a.pdf")
        async with start_service(
            sandbox, smtp, publishing_url=url, attachments_max_bytes=100_000
        ) as service:
            await registered(service, organization("youth@ngo.example.org", ["youth"]))

            async def draft(ids: list[str]) -> str:
                r = await service.client.post(
                    "/api/v1/staff/mailings",
                    json={
                        "subject": "Файлы",
                        "body": "Текст.",
                        "segment": {"kind": "organizations"},
                        "attachments": ids,
                    },
                    headers=STAFF,
                )
                assert r.status_code == 201, r.text
                return r.json()["id"]

            for ids in ([small, "nonexistent0000"], [small, big]):
                mailing_id = await draft(ids)
                for path, body in (("send", {}), ("test", {"email": "l@library.example.org"})):
                    r = await service.client.post(
                        f"/api/v1/staff/mailings/{mailing_id}/{path}", json=body, headers=STAFF
                    )
                    assert r.status_code == 422, (ids, path, r.text)
                    assert r.json()["error"]["field"] == "attachments"
                doc = await service.client.get(
                    f"/api/v1/staff/mailings/{mailing_id}", headers=STAFF
                )
                assert doc.json()["status"] == "draft"
            assert await service.db["mailing_files.files"].count_documents({}) == 0, "no copy"
            bad = await service.client.post(
                "/api/v1/staff/mailings",
                json={
                    "subject": "x",
                    "body": "y",
                    "segment": {"kind": "organizations"},
                    "attachments": ["../etc"],
                },
                headers=STAFF,
            )
            assert bad.status_code == 422 and bad.json()["error"]["field"].startswith("attachments")
            assert smtp.messages == []


async def test_copies_are_deleted_after_the_mailing_was_sent(sandbox, smtp):
    async with publishing_on_a_port(sandbox) as (url, publishing):
        file_id = await upload(publishing, pdf(), "a.pdf")
        async with start_service(sandbox, smtp, publishing_url=url) as service:
            await registered(service, organization("youth@ngo.example.org", ["youth"]))
            r = await service.client.post(
                "/api/v1/staff/mailings",
                json={
                    "subject": "Файл",
                    "body": "Текст.",
                    "segment": {"kind": "organizations"},
                    "attachments": [file_id],
                },
                headers=STAFF,
            )
            mailing_id = r.json()["id"]
            send = await service.client.post(
                f"/api/v1/staff/mailings/{mailing_id}/send", json={}, headers=STAFF
            )
            assert send.status_code == 202, send.text
            await sent(service, mailing_id)
            assert await service.ctx.attachments.delete_expired() == 0, "kept for now"
            finished = (await service.db.mailings.find_one({"_id": mailing_id}))["finished_at"]
            await service.db.mailings.update_one(
                {"_id": mailing_id}, {"$set": {"finished_at": finished - timedelta(days=31)}}
            )
            assert await service.ctx.attachments.delete_expired() == 1
            assert await service.db["mailing_files.files"].count_documents({}) == 0
            assert await service.db["mailing_files.chunks"].count_documents({}) == 0
            doc = await service.db.mailings.find_one({"_id": mailing_id})
            assert doc["attachment_copies"] == [] and doc["attachments_deleted_at"]
