"""Notifications' ``/metrics`` gives the delivery log's messages by status, read from the
store at each scrape."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from prometheus_client.parser import text_string_to_metric_families

from tests.notifications.conftest import Service

GAUGE = "nkohub_notification_messages"


async def _by_status(service: Service) -> dict[str, float]:
    response = await service.client.get("/metrics")
    assert response.status_code == 200
    return {
        s.labels["status"]: s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
        if s.name == GAUGE
    }


def _message(i: int, status: str) -> dict[str, object]:
    later = datetime.now(UTC) + timedelta(days=30)  # never due: the sender leaves it alone
    return {
        "_id": f"m-{i}",
        "key": f"k-{i}",
        "status": status,
        "next_attempt_at": later,
        "priority": 1,
    }


async def test_messages_are_counted_by_status_at_each_scrape(service: Service):
    statuses = ["sent", "sent", "sent", "failed", "queued"]
    await service.db.messages.insert_many(
        [_message(i, status) for i, status in enumerate(statuses)]
    )
    assert await _by_status(service) == {"sent": 3, "failed": 1, "queued": 1}

    await service.db.messages.update_one({"_id": "m-3"}, {"$set": {"status": "sent"}})
    # A status nobody holds any more stays visible at 0 (the series does not vanish).
    assert await _by_status(service) == {"sent": 4, "failed": 0, "queued": 1}
