"""The labels the package gives other teams are the words the producing services show."""

from __future__ import annotations

import typing

import pytest

from nkohub_contracts import vocabulary
from nkohub_events.domain import common as events_common
from nkohub_events.domain import meetups as events_meetups
from nkohub_notifications.domain.messages import Channel
from nkohub_registry.domain import vocabulary as registry


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (vocabulary.PARTICIPANT_ROLE_LABELS, events_common.ROLE_LABELS),
        (vocabulary.SPECIALTY_LABELS, events_common.SPECIALTY_LABELS),
        (vocabulary.MEETUP_KIND_LABELS, events_meetups.KIND_LABELS),
        (vocabulary.PROGRAM_ITEM_KIND_LABELS, events_meetups.PROGRAM_LABELS),
        (vocabulary.ORGANIZATION_STATUS_LABELS, registry.STATUS_LABELS),
    ],
)
def test_labels_are_the_producers_own(ours, theirs):
    assert ours == theirs


def test_every_code_the_producers_use_has_a_label():
    assert set(typing.get_args(events_common.Role)) == set(vocabulary.PARTICIPANT_ROLE_LABELS)
    assert set(typing.get_args(events_meetups.MeetupKind)) == set(vocabulary.MEETUP_KIND_LABELS)
    assert {s.value for s in registry.Source} == set(vocabulary.ORGANIZATION_SOURCE_LABELS)
    assert {s.value for s in registry.LegalForm} == set(vocabulary.LEGAL_FORM_LABELS)
    assert {s.value for s in registry.ActivityArea} == set(vocabulary.ACTIVITY_AREA_LABELS)
    assert {c.value for c in Channel} == set(vocabulary.CHANNEL_LABELS)


def test_a_code_unknown_to_the_package_reads_as_itself():
    assert vocabulary.label("legal_form", "ano").startswith("АНО")
    assert vocabulary.label("participant_role", "astronaut") == "astronaut"
    assert vocabulary.meetup_changes_to_tell(["program", "venue", "starts_at"]) == [
        "место",
        "время начала",
    ]
