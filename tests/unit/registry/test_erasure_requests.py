"""The public erasure request's pure rules: what is stored (no address), what is
published (one event per person held, personal data, never in the history), the limits."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from nkohub_contracts.registry import ErasureRequested
from nkohub_registry.domain.erasure_requests import (
    PER_ADDRESS,
    PER_CLIENT,
    ErasureRequestForm,
    Link,
    new_request,
    request_view,
)

NOW = datetime(2026, 4, 16, 9, 0, tzinfo=UTC)
EXPIRES = datetime(2026, 4, 23, 9, 0, tzinfo=UTC)


def test_a_known_address_publishes_one_event_per_person_and_stores_no_address():
    links = [
        Link("p1", "anna@example.ru", "https://r.example/people/p1/erase?t=1", EXPIRES),
        Link("p2", "anna@example.ru", "https://r.example/people/p2/erase?t=2", EXPIRES),
    ]
    doc, events = new_request("key-1", links, NOW)
    assert {k: v for k, v in doc.items() if k != "_id"} == {
        "person_key": "key-1",
        "people": 2,
        "status": "mailed",
        "requested_at": NOW,
    }
    assert [e.type for e in events] == ["registry.erasure.requested"] * 2
    assert [e.data["person_id"] for e in events] == ["p1", "p2"]
    assert events[0].data["erase_url"] == "https://r.example/people/p1/erase?t=1"
    assert {e.data["request_id"] for e in events} == {doc["_id"]}
    assert ErasureRequested.personal_data is True


def test_an_unknown_address_is_stored_as_such_and_publishes_nothing():
    doc, events = new_request("key-2", [], NOW)
    assert (doc["status"], doc["people"], events) == ("unknown", 0, [])
    view = request_view(doc)
    assert view["status_label"] == "адреса нет в реестре, письмо не отправлялось"
    assert "person_key" not in view


def test_the_form_takes_a_valid_address_only():
    assert ErasureRequestForm(email=" Anna@Example.RU ").email == "Anna@example.ru"
    with pytest.raises(ValidationError):
        ErasureRequestForm(email="anna@")
    with pytest.raises(ValidationError):
        ErasureRequestForm(email="anna@example.ru", name="x")


def test_the_limits():
    assert (PER_CLIENT.count, PER_CLIENT.per_seconds) == (10, 3600)
    assert (PER_ADDRESS.count, PER_ADDRESS.per_seconds) == (3, 86400)
