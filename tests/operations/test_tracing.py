"""One trace from a registration request to the notification it causes.

The events and notifications services run in this process on the real servers; the test
sends the registration with a W3C ``traceparent`` of its own and reads the JSON log lines
both services write (the formatter of ``nkohub_shared.logs``).
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from nkohub_events.app import create_app as events_app
from nkohub_events.settings import EventsSettings
from nkohub_notifications.app import create_app as notifications_app
from nkohub_notifications.settings import NotificationsSettings
from nkohub_shared.logs import JsonFormatter
from tests.support.broker import wait_until
from tests.support.inprocess import running, staff_headers
from tests.support.notifications_smtp import SmtpRecorder

STAFF = staff_headers()


class Lines(logging.Handler):
    """Keeps every record as the JSON line the services write."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.setFormatter(JsonFormatter("test", "test-1"))
        self.lines: list[dict[str, object]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))

    def find(self, **fields: object) -> list[dict[str, object]]:
        return [line for line in self.lines if all(line.get(k) == v for k, v in fields.items())]


@pytest.fixture
def log_lines() -> Iterator[Lines]:
    handler = Lines()
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield handler
    root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture
def smtp() -> Iterator[SmtpRecorder]:
    recorder = SmtpRecorder().start()
    yield recorder
    recorder.stop()


async def test_a_registrations_trace_reaches_the_notifications_consumer(
    sandbox, smtp, spy, log_lines
):
    events = events_app(EventsSettings(**sandbox.settings("events")))
    notifications = notifications_app(
        NotificationsSettings(
            **sandbox.settings(
                "notifications", email_rate_per_second=0, sender_poll_seconds=0.1, **smtp.settings()
            )
        )
    )
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=5)
    async with running(notifications), running(events) as http:
        created = await http.post(
            "/api/v1/meetups",
            headers=STAFF,
            json={
                "title": "Встреча с трассировкой",
                "starts_at": start.isoformat(),
                "ends_at": (start + timedelta(hours=2)).isoformat(),
                "venue": {"name": "ПНБ", "address": "Глазов"},
                "capacity": 10,
            },
        )
        mid = created.json()["meetup_id"]
        assert (await http.post(f"/api/v1/meetups/{mid}/publish", headers=STAFF)).status_code == 200

        trace_id = secrets.token_hex(16)
        registered = await http.post(
            f"/api/v1/meetups/{mid}/registrations",
            headers={"traceparent": f"00-{trace_id}-{secrets.token_hex(8)}-01"},
            json={
                "name": "Ирина Трассова",
                "email": "irina.trace@example.org",
                "role": "activist",
                "consent_personal_data": True,
            },
        )
        assert registered.status_code == 201, registered.text

        confirmed = "events.registration.confirmed"
        handled = await wait_until(
            lambda: log_lines.find(
                message="event handled", event_type=confirmed, queue="notifications.meetups"
            ),
            timeout=30,
        )
        published = log_lines.find(message="event published", event_type=confirmed)

    # The events service's relay published it, and the notifications consumer handled it,
    # in the request's trace.
    assert [line["trace_id"] for line in published] == [trace_id]
    assert [line["trace_id"] for line in handled] == [trace_id]
    assert handled[0]["event_id"] == published[0]["event_id"]
    # On the bus: the envelope's CloudEvents extension and the message's header.
    message = next(m for m in spy.messages if m.routing_key == confirmed)
    assert json.loads(message.body)["traceparent"].split("-")[1] == trace_id
    assert str(message.headers["traceparent"]).split("-")[1] == trace_id
