"""Documents as the events service stores them, for unit tests of its pure rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

START = datetime(2030, 3, 28, 11, 0, tzinfo=UTC)  # 15:00 in Glazov (Europe/Samara, +4)
NOW = START - timedelta(days=7)


def meetup_doc(**overrides: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "_id": "m1",
        "slug": "otkrytoe-obshchenie-2030-03-28",
        "title": "Открытое общение",
        "kind": "meetup",
        "description": "",
        "starts_at": START,
        "ends_at": START + timedelta(hours=2),
        "timezone": "Europe/Samara",
        "venue": {"name": "ПНБ им. В.Г. Короленко", "address": "Глазов", "hall_capacity": 65},
        "capacity": 10,
        "reserved_seats": 0,
        "waitlist_enabled": True,
        "program": [],
        "status": "scheduled",
        "sequence": 0,
        "confirmed": 0,
        "waiting": 0,
        "next_place": 0,
    }
    doc.update(overrides)
    return doc


def registration_doc(rid: str = "r1", **overrides: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "_id": rid,
        "meetup_id": "m1",
        "status": "pending",
        "name": "Анна",
        "email": "anna@example.org",
        "person_key": "key-anna",
        "role": "activist",
        "organization_id": None,
        "organization_name": None,
        "short_code": "ABCDEF",
    }
    doc.update(overrides)
    return doc
