"""Webhook failures: a 5xx answer is retried with backoff until the partner takes the
event; a 4xx answer fails at once. A real HTTP server on 127.0.0.1 answers from a script."""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from nkohub_contracts.events import MeetupScheduled
from nkohub_notifications.domain import Status
from nkohub_notifications.domain.subscribers import (
    SubscriberFields,
    SubscriberStatus,
    subscriber_document,
)
from nkohub_shared.keys import new_secret
from tests.support.broker import wait_until
from tests.support.inprocess import staff_headers

from .conftest import meetup, start_service

SECRET = new_secret()  # a partner's shared key
# the partner's test server listens on 127.0.0.1: the operator allows private targets
LOCAL = {"webhook_secret": SECRET, "webhook_allow_private_targets": True}


class ScriptedHook(ThreadingHTTPServer):
    """Answers each POST with the next status of ``script`` (the last one thereafter)."""

    def __init__(self, script: list[int]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.script = list(script)
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}/hook"

    def answer(self, headers: dict[str, str], body: bytes) -> int:
        with self.lock:
            self.received.append((headers, body))
            return self.script.pop(0) if len(self.script) > 1 else self.script[0]


class _Handler(BaseHTTPRequestHandler):
    server: ScriptedHook

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(self.server.answer(dict(self.headers), body))
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture
def hook(request) -> Iterator[ScriptedHook]:
    server = ScriptedHook(request.param)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


async def _partner_follows_meetups(service, url: str) -> None:
    partner = {
        "name": "Партнёр",
        "email": "partner@example.org",
        "webhook_url": url,
        "topics": {"meetups": {"email": False, "webhook": True}},
        "mailing_consent": True,
    }
    by_staff = await service.client.post(
        "/api/v1/staff/recipients", json=partner, headers=staff_headers()
    )
    assert by_staff.status_code == 403, "a webhook (a call to another server) is the admin's"
    assert by_staff.json()["error"]["field"] == "webhook_url"
    response = await service.client.post(
        "/api/v1/staff/recipients", json=partner, headers=staff_headers(role="admin")
    )
    assert response.status_code == 201, response.text


async def _webhook_message(service, status: Status) -> dict:
    async def found():
        [message] = await service.messages(channel="webhook") or [None]
        return message if message and message["status"] == status else None

    return await wait_until(found)


@pytest.mark.slow  # real backoff between attempts
@pytest.mark.parametrize("hook", [[500, 503, 200]], indirect=True)
async def test_5xx_is_retried_until_the_partner_takes_the_event(sandbox, smtp, hook, spy):
    async with start_service(sandbox, smtp, **LOCAL) as service:
        await _partner_follows_meetups(service, hook.url)
        envelope = await service.publish(MeetupScheduled(meetup=meetup()))
        message = await _webhook_message(service, Status.SENT)
        assert message["attempts"] == 3
        assert [h["outcome"] for h in message["history"]] == ["temporary", "temporary", "sent"]
        assert [h["detail"] for h in message["history"]] == ["500", "503", "200"]
        assert message["last_error"] is None
        gaps = [
            (b["at"] - a["at"]).total_seconds()
            for a, b in zip(message["history"], message["history"][1:], strict=False)
        ]
        assert gaps[0] >= 0.3 * 0.9 and gaps[1] >= 0.6 * 0.9, f"backoff {gaps}"

        assert len(hook.received) == 3
        bodies = {body for _, body in hook.received}
        [body] = bodies  # the same CloudEvent each time
        expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        assert all(h["X-Nkohub-Signature"] == expected for h, _ in hook.received)
        assert envelope.id.encode() in body

        sent = await spy.wait_for(
            lambda es: any(e["type"] == "notifications.message.sent" for e in es)
        )
        [event] = [e for e in sent if e["type"] == "notifications.message.sent"]
        assert event["data"]["message_id"] == message["_id"]
        assert event["data"]["channel"] == "webhook" and event["data"]["attempts"] == 3
        assert smtp.messages == []


@pytest.mark.slow
@pytest.mark.parametrize("hook", [[410]], indirect=True)
async def test_4xx_fails_at_once(sandbox, smtp, hook, spy):
    async with start_service(sandbox, smtp, **LOCAL) as service:
        await _partner_follows_meetups(service, hook.url)
        await service.publish(MeetupScheduled(meetup=meetup()))
        message = await _webhook_message(service, Status.FAILED)
        assert message["attempts"] == 1 and message["last_error"] == "410"
        failed = await spy.wait_for(
            lambda es: any(e["type"] == "notifications.message.failed" for e in es)
        )
        [event] = [e for e in failed if e["type"] == "notifications.message.failed"]
        assert event["data"]["message_id"] == message["_id"]
        assert event["data"]["reason"] == "410" and event["data"]["attempts"] == 1
        # a second event for the partner fails too: the sender has polled since the
        # first failure, and tried each message exactly once
        await service.publish(MeetupScheduled(meetup=meetup()))

        async def both_failed() -> bool:
            failed = await service.messages(channel="webhook", status=Status.FAILED.value)
            return len(failed) == 2

        await wait_until(both_failed)
        assert len(hook.received) == 2
        doc = await service.db.messages.find_one({"_id": message["_id"]})
        assert doc["attempts"] == 1


# --- SSRF: internal targets are refused unless the operator allows them -----------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:15672/api/users",  # RabbitMQ's management port
        "http://localhost:27017/",
        "http://[::1]/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.5/hook",
        "http://0x7f000001/hook",
        "ftp://example.org/hook",
    ],
)
async def test_an_internal_webhook_target_is_refused_at_creation(service, url):
    partner = {
        "name": "Партнёр",
        "email": "partner@example.org",
        "webhook_url": url,
        "topics": {"meetups": {"email": False, "webhook": True}},
        "mailing_consent": True,
    }
    admin = staff_headers(role="admin")
    created = await service.client.post("/api/v1/staff/recipients", json=partner, headers=admin)
    assert created.status_code == 422 and created.json()["error"]["field"] == "webhook_url"
    assert await service.db.subscribers.count_documents({}) == 0

    plain = partner | {"webhook_url": None, "email": "plain@example.org"}
    created = await service.client.post("/api/v1/staff/recipients", json=plain, headers=admin)
    assert created.status_code == 201
    patched = await service.client.patch(
        f"/api/v1/staff/recipients/{created.json()['id']}",
        json={"webhook_url": url},
        headers=admin,
    )
    assert patched.status_code == 422 and patched.json()["error"]["field"] == "webhook_url"


@pytest.mark.parametrize("hook", [[200]], indirect=True)
async def test_an_internal_webhook_target_is_refused_at_send_time(service, hook, spy):
    """A recipient stored while the setting was on (or a name that now resolves inside):
    each send checks the target again, and the message fails saying why."""
    fields = SubscriberFields(
        name="Партнёр",
        email="partner@example.org",
        webhook_url=hook.url,
        topics={"meetups": {"email": False, "webhook": True}},
    )
    doc = subscriber_document(
        fields, status=SubscriberStatus.CONFIRMED, source="staff", consent=True
    )
    assert await service.ctx.repositories.subscribers.insert(doc)
    await service.publish(MeetupScheduled(meetup=meetup()))
    message = await _webhook_message(service, Status.FAILED)
    reason = "webhook target refused: the host resolves to a loopback address"
    assert message["last_error"] == reason and message["attempts"] == 1
    failed = await spy.wait_for(
        lambda es: any(e["type"] == "notifications.message.failed" for e in es)
    )
    [event] = [e for e in failed if e["type"] == "notifications.message.failed"]
    assert event["data"]["reason"] == reason
    assert hook.received == []
