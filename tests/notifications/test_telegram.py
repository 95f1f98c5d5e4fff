"""Telegram against a real HTTP server on 127.0.0.1 that speaks the Bot API's
``sendMessage`` (``telegram_api_url`` points the channel at it): success, 429 with
``retry_after`` honoured, 400 «chat not found» failed."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from nkohub_contracts.events import MeetupScheduled
from nkohub_notifications.domain import Status
from tests.support.broker import wait_until
from tests.support.inprocess import staff_headers

from .conftest import meetup, start_service

TOKEN = "123456:test-bot-token"
OK = (200, {"ok": True, "result": {"message_id": 1, "chat": {"id": 42}, "text": "…"}})
TOO_MANY = (
    429,
    {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    },
)
NO_CHAT = (400, {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"})


class BotApi(ThreadingHTTPServer):
    """Answers each ``sendMessage`` with the next answer of ``script`` (then the last)."""

    def __init__(self, script: list[tuple[int, dict]]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.script = list(script)
        self.received: list[tuple[str, dict]] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}"

    def answer(self, path: str, body: dict) -> tuple[int, dict]:
        with self.lock:
            self.received.append((path, body))
            return self.script.pop(0) if len(self.script) > 1 else self.script[0]


class _Handler(BaseHTTPRequestHandler):
    server: BotApi

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.path != f"/bot{TOKEN}/sendMessage":
            status, answer = 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        else:
            status, answer = self.server.answer(self.path, body)
        payload = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture
def bot(request) -> Iterator[BotApi]:
    server = BotApi(request.param)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


async def _telegram_message(sandbox, smtp, bot: BotApi, status: Status) -> dict:
    settings = {"telegram_bot_token": TOKEN, "telegram_api_url": bot.url}
    async with start_service(sandbox, smtp, **settings) as service:
        created = await service.client.post(
            "/api/v1/staff/recipients",
            json={
                "name": "Читатель",
                "email": "reader@example.org",
                "telegram_chat_id": "42",
                "topics": {"meetups": {"email": False, "telegram": True}},
                "mailing_consent": True,
            },
            headers=staff_headers(),
        )
        assert created.status_code == 201
        m = meetup()
        await service.publish(MeetupScheduled(meetup=m))

        async def done():
            [message] = await service.messages(channel="telegram") or [None]
            return message if message and message["status"] == status else None

        message = await wait_until(done)
        assert smtp.messages == [], "e-mail was not opted in"
        return message | {"meetup_title": m.title}


@pytest.mark.parametrize("bot", [[OK]], indirect=True)
async def test_a_message_reaches_the_chat(sandbox, smtp, bot):
    message = await _telegram_message(sandbox, smtp, bot, Status.SENT)
    assert message["attempts"] == 1 and message["last_error"] is None
    [(_, body)] = bot.received
    assert body["chat_id"] == "42" and "parse_mode" not in body
    assert body["text"].startswith(f"Новая встреча: {message['meetup_title']}\n\n")
    assert "Здравствуйте, Читатель!" in body["text"]


@pytest.mark.slow  # waits the second Telegram asks for
@pytest.mark.parametrize("bot", [[TOO_MANY, OK]], indirect=True)
async def test_429_is_retried_no_sooner_than_retry_after(sandbox, smtp, bot):
    message = await _telegram_message(sandbox, smtp, bot, Status.SENT)
    assert message["attempts"] == 2
    first, second = message["history"]
    assert first["outcome"] == "temporary"
    assert first["detail"] == "429 Too Many Requests: retry after 1"
    waited = (second["at"] - first["at"]).total_seconds()
    assert waited >= 1.0, f"retried after {waited} s; Telegram asked for 1 s (backoff is 0.3 s)"
    assert len(bot.received) == 2


@pytest.mark.parametrize("bot", [[NO_CHAT]], indirect=True)
async def test_chat_not_found_fails_at_once(sandbox, smtp, bot):
    message = await _telegram_message(sandbox, smtp, bot, Status.FAILED)
    assert message["attempts"] == 1
    assert message["last_error"] == "400 Bad Request: chat not found"
    assert len(bot.received) == 1
