"""The events service counts registrations by outcome in ``/metrics``
(``nkohub_registrations_total{outcome}``): a seat, the waiting line, an address already
registered — through the public door and through staff."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from tests.events.conftest import from_client, person, scheduled_meetup
from tests.support.inprocess import staff_headers

COUNTER = "nkohub_registrations_total"


async def _outcomes(client) -> dict[str, float]:
    text = (await client.get("/metrics")).text
    return {
        s.labels["outcome"]: s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == COUNTER
    }


async def test_registrations_are_counted_by_outcome(events):
    meetup = await scheduled_meetup(events, capacity=2, venue={"name": "Зал", "hall_capacity": 2})
    path = f"/api/v1/meetups/{meetup['meetup_id']}/registrations"
    answers = [await events.post(path, json=person(i), headers=from_client(i)) for i in (1, 2, 3)]
    again = await events.post(path, json=person(1), headers=from_client(9))
    by_staff = await events.post(path, json=person(4), headers=staff_headers())

    assert [a.status_code for a in answers] == [201, 201, 201]
    assert [a.json()["status"] for a in answers] == ["confirmed", "confirmed", "waitlisted"]
    assert again.status_code == 200 and by_staff.status_code == 201
    assert await _outcomes(events) == {
        "confirmed": 2,
        "waitlisted": 2,
        "already_registered": 1,
    }
