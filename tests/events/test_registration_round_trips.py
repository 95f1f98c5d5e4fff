"""What one public registration costs the database: MongoDB commands per request, counted
by a PyMongo command listener (a count, not a timing: the issue «Performance» asks for
registration near a bare insert, and every command is a round trip to the store)."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter

from pymongo import monitoring

from tests.events.conftest import from_client, person, scheduled_meetup


class CommandTally(monitoring.CommandListener):
    """Commands this process sends to ``database`` between ``start`` and ``stop``, by
    (command, collection), but for the outbox relay's (its own tasks, beside the request:
    it publishes the events of every write, in groups, and pulls the confirmed ones) and
    the background jobs' (the reconciliation sweep may settle a registration a slow
    machine left pending)."""

    def __init__(self) -> None:
        self.database: str | None = None
        self.seen: Counter[tuple[str, str]] = Counter()
        self._lock = threading.Lock()

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if self.database is None or event.database_name != self.database:
            return
        task = asyncio.current_task()  # the listener runs in the task sending the command
        if task is not None and task.get_name().startswith(("outbox-relay", "background:")):
            return
        target = event.command.get(event.command_name)
        with self._lock:
            self.seen[(event.command_name, target if isinstance(target, str) else "")] += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass

    def start(self, database: str) -> None:
        self.seen.clear()
        self.database = database

    def stop(self) -> Counter[tuple[str, str]]:
        self.database = None
        return Counter(self.seen)


TALLY = CommandTally()
monitoring.register(TALLY)  # joins the clients the app creates after this import


# What a public registration of a new person costs once the meetup is warm: the door's
# counts (one group: a bulk upsert and a read of the counts), the erasure check, the
# client's hold, the insert, one ledger update, the status with its event.
WARM = Counter(
    {
        ("update", "rate_limits"): 1,
        ("find", "rate_limits"): 1,
        ("find", "erased_people"): 1,
        ("update", "registration_holds"): 1,
        ("insert", "registrations"): 1,
        ("findAndModify", "meetups"): 1,
        ("findAndModify", "registrations"): 1,
    }
)


async def register(events, mid: str, i: int) -> tuple[dict, Counter[tuple[str, str]]]:
    TALLY.start(events.app.state.runtime.db.name)
    try:
        r = await events.post(
            f"/api/v1/meetups/{mid}/registrations", json=person(i), headers=from_client(i)
        )
    finally:
        seen = TALLY.stop()
    assert r.status_code == 201, r.text
    return r.json(), seen


async def test_a_registration_costs_seven_round_trips_seated_or_waitlisted(events):
    mid = (await scheduled_meetup(events, capacity=2))["meetup_id"]
    first, _ = await register(events, mid, 0)  # reads the meetup: its copy is kept
    assert first["status"] == "confirmed"

    seated, seen = await register(events, mid, 1)
    assert seated["status"] == "confirmed" and seated["position"] is None
    assert seen == WARM

    # the seat update fails (full), the waitlist takes it; from then on: the waitlist first
    waiting, seen = await register(events, mid, 2)
    assert (waiting["status"], waiting["position"]) == ("waitlisted", 1)
    assert seen == WARM + Counter({("findAndModify", "meetups"): 1})

    for i, place in ((3, 2), (4, 3)):
        waiting, seen = await register(events, mid, i)
        assert (waiting["status"], waiting["position"]) == ("waitlisted", place)
        assert seen == WARM

    ledger = await events.app.state.runtime.db["meetups"].find_one({"_id": mid})
    assert (ledger["confirmed"], ledger["waiting"], ledger["next_place"]) == (2, 3, 3)
