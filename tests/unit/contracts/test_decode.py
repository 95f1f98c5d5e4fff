"""``decode`` tells a known event, a newer minor version, an unknown type or major version
and a broken message apart; major types are named ``<type>.v<N>``."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import ClassVar

import pytest

from nkohub_contracts import (
    MalformedEvent,
    UnknownEventType,
    UnknownEventVersion,
    decode,
    decode_event,
    new_event,
)
from nkohub_contracts.base import IntegrationEvent, base_type, major_version
from nkohub_contracts.common import MeetupSnapshot, ProgramItem, Venue
from nkohub_contracts.compatibility import frozen_path
from nkohub_contracts.events import AttendanceRecorded, MeetupScheduled

NOW = datetime(2026, 3, 28, 14, 0, tzinfo=UTC)


def _attendance() -> AttendanceRecorded:
    return AttendanceRecorded(
        attendance_id="a1",
        meetup_id="m1",
        meetup_title="Открытое общение",
        meetup_starts_at=NOW,
        person_key="k1",
        role="activist",
        checked_in_at=NOW,
    )


def _meetup() -> MeetupScheduled:
    snapshot = MeetupSnapshot(
        meetup_id="m1",
        slug="m1",
        title="Открытое общение",
        kind="meetup",
        starts_at=NOW,
        ends_at=NOW,
        venue=Venue(name="ПНБ им. В.Г. Короленко"),
        capacity=65,
        program=[ProgramItem(position=1, kind="talk", title="Итоги года")],
    )
    return MeetupScheduled(meetup=snapshot)


def test_a_known_event_decodes_to_its_model_with_nothing_unknown():
    envelope = new_event(_attendance())
    decoded = decode(envelope.model_dump_json().encode())
    assert decoded.data == _attendance() and type(decoded.data) is AttendanceRecorded
    assert (decoded.id, decoded.type) == (envelope.id, "events.attendance.recorded")
    assert decoded.unknown_fields == () and not decoded.newer_minor_version
    assert decode_event(envelope.model_dump(mode="json")) == (decoded.envelope, decoded.data)


def test_a_newer_minor_version_decodes_and_names_the_fields_it_added():
    body = new_event(_meetup()).model_dump(mode="json")
    body["data"]["online_url"] = "https://example.org/stream"
    body["data"]["meetup"]["venue"]["floor"] = 2
    for item in body["data"]["meetup"]["program"]:
        item["room"] = "зал"
    body["data"]["meetup"]["program"].append({**body["data"]["meetup"]["program"][0]})
    decoded = decode(json.dumps(body))
    assert decoded.newer_minor_version
    assert decoded.unknown_fields == ("meetup.venue.floor", "meetup.program[].room", "online_url")
    assert decoded.data.meetup.venue == Venue(name="ПНБ им. В.Г. Короленко")
    assert decoded.envelope.data["online_url"] == "https://example.org/stream", "kept verbatim"


def test_an_unknown_type_and_a_newer_major_version_are_told_apart():
    body = new_event(_attendance()).model_dump(mode="json")
    with pytest.raises(UnknownEventType) as unknown:
        decode({**body, "type": "events.attendance.forgotten"})
    assert type(unknown.value) is UnknownEventType
    assert unknown.value.event_type == "events.attendance.forgotten"

    with pytest.raises(UnknownEventVersion) as newer:
        decode({**body, "type": "events.attendance.recorded.v2"})
    assert newer.value.known == 1
    assert "version 2 of events.attendance.recorded" in str(newer.value)
    assert "upgrade nkohub-contracts" in str(newer.value)


@pytest.mark.parametrize(
    ("body", "named"),
    [
        (b"\xff{not json", "malformed CloudEvents envelope"),
        (json.dumps({"specversion": "1.0"}), "id: Field required"),
        (json.dumps({"specversion": "0.3"}), "specversion"),
    ],
)
def test_a_broken_envelope_is_malformed_and_names_what_is_wrong(body, named):
    with pytest.raises(MalformedEvent, match=named):
        decode(body)


def test_data_not_matching_its_type_is_malformed_and_names_each_field():
    body = new_event(_attendance()).model_dump(mode="json")
    del body["data"]["person_key"]
    body["data"]["checked_in_at"] = "yesterday"
    with pytest.raises(MalformedEvent) as caught:
        decode(body)
    message = str(caught.value)
    assert f"data of events.attendance.recorded (id {body['id']})" in message
    assert "person_key: Field required" in message and "checked_in_at:" in message


def test_a_major_type_is_named_with_its_version_and_has_its_own_schema_urn():
    assert (major_version("events.x.done"), major_version("events.x.done.v12")) == (1, 12)
    assert base_type("events.x.done.v2") == "events.x.done"

    class DoneV2(IntegrationEvent):
        type: ClassVar[str] = "events.majortest.done.v2"
        version: ClassVar[int] = 2
        key: int

    assert DoneV2.dataschema() == "urn:nkohub:event:events.majortest.done:v2"
    assert frozen_path(DoneV2).name == "events.majortest.done.v2.json"

    with pytest.raises(ValueError, match=r"must have version 3, not 2"):

        class Wrong(IntegrationEvent):
            type: ClassVar[str] = "events.majortest.done.v3"
            version: ClassVar[int] = 2

    with pytest.raises(ValueError, match=r"is not <service>\.<aggregate>\.<verb>\[\.v<N>\]"):

        class Suffixed(IntegrationEvent):
            type: ClassVar[str] = "events.majortest.done.v1"
