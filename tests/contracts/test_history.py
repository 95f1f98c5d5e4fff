"""Every service declares the history stream at start; every event published is kept in it."""

from __future__ import annotations

import logging

from nkohub_contracts import load_all_contracts
from nkohub_events.app import create_app
from tests.contracts.history import bindings_of, queue_info, read_history
from tests.events.conftest import events_settings, person, scheduled_meetup
from tests.support.inprocess import running

STREAM = "nkohub.history"


async def test_a_service_declares_the_stream_with_the_retention_set_and_it_keeps_the_events(
    sandbox, spy, caplog
):
    assert queue_info(sandbox, STREAM) is None, "a fresh vhost"
    app = create_app(events_settings(sandbox, history_max_bytes=50_000_000, history_max_age="30D"))
    async with running(app) as client:
        info = queue_info(sandbox, STREAM)
        assert info is not None and (info["type"], info["durable"]) == ("stream", True)
        assert info["arguments"] == {
            "x-queue-type": "stream",
            "x-max-length-bytes": 50_000_000,
            "x-max-age": "30D",
            "x-stream-max-segment-size-bytes": 5_000_000,
        }
        types = sorted(t for t, m in load_all_contracts().items() if not m.personal_data)
        assert bindings_of(sandbox, STREAM) == [("nkohub", t) for t in types]
        assert "events.meetup.scheduled" in types
        assert "events.registration.confirmed" not in types
        first = await scheduled_meetup(client, title="Первая встреча")
        registered = await client.post(
            f"/api/v1/meetups/{first['meetup_id']}/registrations", json=person(1)
        )
        assert registered.status_code == 201, registered.text
        second = await scheduled_meetup(client, title="Вторая встреча")
        await spy.wait_for(lambda events: len(spy.of_type("events.meetup.scheduled")) == 2)
        await spy.wait_for(lambda events: spy.of_type("events.registration.confirmed"))

    published = spy.of_type("events.meetup.scheduled")
    ids = {e["id"] for e in published}
    entries = await read_history(sandbox.amqp_url, lambda got: ids <= {e["id"] for _, e in got})
    kept = [envelope for _, envelope in entries if envelope["id"] in ids]
    assert kept == published, "the same envelopes, in the order they were published"
    assert [e["data"]["meetup"]["meetup_id"] for e in kept] == [
        first["meetup_id"],
        second["meetup_id"],
    ]
    assert [offset for offset, _ in entries] == list(range(len(entries)))
    assert all(e["type"] in types for _, e in entries), "no name, no e-mail in the history"

    # Started again with another retention: the stream is kept as it is, the service runs.
    changed = create_app(events_settings(sandbox, history_max_bytes=80_000_000))
    with caplog.at_level(logging.WARNING, logger="nkohub.topology"):
        async with running(changed) as client:
            assert (await client.get("/health/ready")).status_code == 200
            third = await scheduled_meetup(client, title="Третья встреча")
            entries = await read_history(
                sandbox.amqp_url,
                lambda got: any(
                    e["type"] == "events.meetup.scheduled"
                    and e["data"]["meetup"]["meetup_id"] == third["meetup_id"]
                    for _, e in got
                ),
            )
    assert f"{STREAM} exists with another retention; it is kept as it is" in caplog.text
    assert "x-max-length-bytes" in caplog.text
    assert queue_info(sandbox, STREAM)["arguments"]["x-max-length-bytes"] == 50_000_000
    assert len({e["id"] for _, e in entries}) == len(entries), "each event kept once"


async def test_no_history_stream_when_its_size_is_zero(sandbox):
    app = create_app(events_settings(sandbox, history_max_bytes=0))
    async with running(app) as client:
        assert (await client.get("/health/ready")).status_code == 200
        assert queue_info(sandbox, STREAM) is None
