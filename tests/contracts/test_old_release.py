"""Compatibility kept honest: the example subscriber, built against the OLDEST supported
release of the contracts (1.0.0, the wheel in ``contracts/releases/``), decodes what the
platform publishes today.

The events and registry services run in this process on the real servers and are driven
through their APIs (a meetup scheduled, changed, attended, completed; another cancelled; a
person erased); every message they publish is caught from the ``nkohub`` exchange as bytes.
A separate interpreter with the 1.0.0 wheel first on its path (and this pydantic) runs the
example's own decoding and store (``examples/subscriber``) on the messages of every type the
example handles, and reports what it decoded and counted. (Not a fresh virtualenv: offline,
uv cannot install pydantic's compiled core from its cache here, so the old package shares
this interpreter's pydantic and FastStream, which is what a subscriber upgrading only those
would run.)"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import nkohub_contracts
from nkohub_contracts.releases import load_record, supported_versions, wheel_path
from nkohub_events.app import create_app as events_app
from nkohub_registry.app import create_app as registry_app
from nkohub_registry.settings import RegistrySettings
from tests.contracts.example import EXAMPLE_SRC
from tests.events.conftest import STAFF, events_settings, from_client, person, scheduled_meetup
from tests.support.broker import EventSpy
from tests.support.inprocess import running, staff_headers

ROOT = Path(__file__).resolve().parents[2]
OLDEST = "1.0.0"
WHEEL = wheel_path(OLDEST, ROOT / "contracts" / "releases")
HANDLED = (  # what the example binds its queue to (its settings.WANTED)
    "events.meetup.scheduled",
    "events.meetup.updated",
    "events.meetup.cancelled",
    "events.meetup.completed",
    "events.attendance.recorded",
    "registry.person.erased",
)

DECODE_WITH_THE_OLD_RELEASE = """
import dataclasses, json, sys
wheel, example, messages, database = sys.argv[1:5]
sys.path[:0] = [wheel, example]
import nkohub_contracts
from nkohub_contracts import MalformedEvent, UnknownEventType, decode
from meetup_subscriber.settings import WANTED
from meetup_subscriber.store import Store

store = Store(database)
decoded = []
for body in json.load(open(messages, encoding="utf-8")):
    event = decode(body.encode())
    decoded.append({
        "id": event.id,
        "type": event.type,
        "model": type(event.data).__name__,
        "wanted": isinstance(event.data, WANTED),
        "data": event.data.model_dump(mode="json"),
        "unknown_fields": list(event.unknown_fields),
        "handled_before": store.handle(event, "live"),
    })
try:
    decode(json.dumps({**json.loads(body), "type": "notifications.mailing.sent"}))
    mailing = "decoded"
except UnknownEventType:
    mailing = "unknown"
print(json.dumps({
    "version": nkohub_contracts.__version__,
    "package": nkohub_contracts.__file__,
    "example": sys.modules["meetup_subscriber"].__file__,
    "decoded": decoded,
    "figures": {k: dataclasses.asdict(v) for k, v in store.attendance_per_meetup().items()},
    "keys": [row[0] for row in store._db.execute("SELECT person_key FROM attendance")],
    "a_type_newer_than_the_package": mailing,
}))
"""


def test_the_oldest_supported_release_is_the_first_one():
    assert supported_versions(nkohub_contracts.__version__, load_record())[0] == OLDEST
    assert WHEEL.exists()


async def test_the_example_on_the_oldest_release_decodes_what_the_platform_publishes_today(
    sandbox, tmp_path
):
    spy = EventSpy(sandbox.amqp_url, "#")
    await spy.start()
    events = events_app(events_settings(sandbox))
    registry = registry_app(RegistrySettings(**sandbox.settings("registry")))
    try:
        async with running(events) as meetups, running(registry) as people:
            played = await _play(meetups, people)
            await spy.wait_for(lambda seen: _all_came(seen, played), timeout=60)
    finally:
        await spy.stop()

    bodies = [m.body.decode() for m in spy.messages if json.loads(m.body)["type"] in HANDLED]
    current = [json.loads(body) for body in bodies]
    assert {e["type"] for e in current} == set(HANDLED), "one real event of every type at least"
    (tmp_path / "messages.json").write_text(json.dumps(bodies), encoding="utf-8")
    ran = subprocess.run(
        [
            sys.executable,
            "-c",
            DECODE_WITH_THE_OLD_RELEASE,
            str(WHEEL),
            str(EXAMPLE_SRC),
            str(tmp_path / "messages.json"),
            str(tmp_path / "meetups.sqlite3"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 0, ran.stderr
    old = json.loads(ran.stdout)
    assert old["version"] == OLDEST and old["package"].startswith(str(WHEEL))
    assert old["example"].startswith(str(EXAMPLE_SRC))

    # every message decodes to its model; what 1.0.0 knows is exactly what was sent, and
    # the only fields it does not know are those added since (the staff account, 1.1.0)
    assert [d["id"] for d in old["decoded"]] == [e["id"] for e in current]
    for got, sent in zip(old["decoded"], current, strict=True):
        assert got["type"] == sent["type"] and got["wanted"], got["type"]
        assert got["handled_before"] is None, "each event applied once"
        added = ["actor"] if "actor" in sent["data"] else []
        assert got["unknown_fields"] == added, got["type"]
        assert got["data"] == {k: v for k, v in sent["data"].items() if k not in added}
    by_type = {d["type"]: d for d in old["decoded"]}
    scheduled = by_type["events.meetup.scheduled"]["data"]["meetup"]
    assert by_type["events.meetup.scheduled"]["model"] == "MeetupScheduled"
    attendance = by_type["events.attendance.recorded"]["data"]
    assert attendance["meetup_id"] == played["completed"]
    assert attendance["person_key"] == by_type["registry.person.erased"]["data"]["person_keys"][0]
    completed = by_type["events.meetup.completed"]["data"]
    assert completed["figures"]["participants"] == 1
    assert by_type["events.meetup.cancelled"]["data"]["reason"] == "Зал закрыт"
    assert "starts_at" in by_type["events.meetup.updated"]["data"]["changed"]

    # and the example's store counted them as it does on the current package
    figures = old["figures"]
    assert figures[played["completed"]] == {
        **figures[played["completed"]],
        "title": "Открытое общение: старый пакет",
        "status": "completed",
        "attendances": 1,
        "participants": 1,
        "reported_participants": 1,
    }
    assert figures[played["cancelled"]]["status"] == "cancelled"
    assert figures[played["cancelled"]]["attendances"] == 0
    assert scheduled["meetup_id"] in figures
    assert old["keys"] == [f"erased:{attendance['attendance_id']}"], "the erased key is gone"
    assert old["a_type_newer_than_the_package"] == "unknown", "skipped, not broken"


async def _play(meetups: Any, people: Any) -> dict[str, str]:
    """Through the APIs: a meetup scheduled, moved, attended by one of two registered, and
    completed; another scheduled and cancelled; the attendee erased in the registry."""
    mid = (await scheduled_meetup(meetups, title="Открытое общение: старый пакет"))["meetup_id"]
    registrations = []
    for i in (1, 2):
        r = await meetups.post(
            f"/api/v1/meetups/{mid}/registrations", json=person(i), headers=from_client(i)
        )
        assert r.status_code == 201, r.text
        registrations.append(r.json()["registration_id"])
    came = await meetups.post(f"/api/v1/registrations/{registrations[0]}/check-in", headers=STAFF)
    assert came.status_code == 200, came.text
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    moved = await meetups.patch(
        f"/api/v1/meetups/{mid}",
        json={"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=3)).isoformat()},
        headers=STAFF,
    )
    assert moved.status_code == 200, moved.text
    done = await meetups.post(f"/api/v1/meetups/{mid}/complete", headers=STAFF)
    assert done.status_code == 200, done.text

    other = (await scheduled_meetup(meetups, title="Открытое общение: отменена"))["meetup_id"]
    cancelled = await meetups.post(
        f"/api/v1/meetups/{other}/cancel", json={"reason": "Зал закрыт"}, headers=STAFF
    )
    assert cancelled.status_code == 200, cancelled.text

    added = await people.post(
        "/api/v1/people",
        json={
            "full_name": "Участник 1",
            "role": "ngo_representative",
            "email": person(1)["email"],
            "processing_consent": {
                "purpose": "участие во встречах",
                "text_version": "2026-01",
                "given_at": "2026-03-01T10:00:00+04:00",
                "source": "форма регистрации",
            },
        },
        headers=STAFF,
    )
    assert added.status_code == 201, added.text
    erased = await people.delete(
        f"/api/v1/people/{added.json()['id']}", headers=staff_headers(role="admin", sub="admin")
    )
    assert erased.status_code == 200, erased.text
    return {"completed": mid, "cancelled": other}


def _all_came(seen: list[dict[str, Any]], played: dict[str, str]) -> bool:
    types = [e.get("type") for e in seen]
    return set(HANDLED) <= set(types) and types.count("events.meetup.scheduled") >= 2
