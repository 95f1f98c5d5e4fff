"""Erasure of a person's data (152-ФЗ) on ``registry.person.erased``: names, e-mails,
phones and what they wrote privately behind the person's keys go from every copy this
service keeps (registrations, attendances, bookings and cancelled bookings, specialists
and their copies in slots, questions' authors, feedback comments, program speakers); the
pseudonymous key and the role stay, so the practice report's figures do not change.
Setting erased values twice changes nothing.

Erasure is durable: the erased keys are kept (a tombstone, the key only), so what arrives
later for such a key recreates no personal data — a sign-in sheet imported again records
the attendance without the name, and the public forms refuse the address (staff, with
the person in front of them and a new consent, may register them again).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from nkohub_contracts.events import MeetupUpdated
from nkohub_shared.errors import Conflict

ERASED = "(удалено)"


def erased_registration(registration_id: str) -> dict[str, Any]:
    """A registration's personal fields, erased. Its e-mail key is freed: the address
    may register afresh."""
    return {
        "name": ERASED,
        "email": f"erased-{registration_id}@invalid",
        "email_key": f"erased:{registration_id}",
        "phone": None,
        "search": "",
        "erased": True,
    }


ERASED_ATTENDANCE: dict[str, Any] = {"name": ERASED, "erased": True}
ERASED_CONTACT: dict[str, Any] = {"name": ERASED, "email": "erased@invalid", "phone": None}
ERASED_SPECIALIST: dict[str, Any] = {"name": ERASED, "email": None, "erased": True}


def tombstone(person_key: str, now: datetime) -> dict[str, Any]:
    """What is kept of an erased person: their pseudonymous key and when."""
    return {"_id": person_key, "erased_at": now}


def erased_refusal(field: str) -> Conflict:
    return Conflict(
        "Данные этого адреса удалены по просьбе его владельца. Чтобы снова "
        "зарегистрироваться или записаться, обратитесь к организатору.",
        field=field,
        reason="erased",
    )


def erased_booking(booking: dict[str, Any]) -> dict[str, Any]:
    """A booking (active or cancelled) without its contact's data and private question."""
    contact = booking.get("contact")
    return {**booking, "contact": {**contact, **ERASED_CONTACT}, "question": None}


def erased_past_bookings(
    past: list[dict[str, Any]], person_keys: set[str]
) -> dict[int, dict[str, Any]]:
    """The cancelled bookings (by position) whose contact is one of ``person_keys``."""
    return {
        i: erased_booking(b)
        for i, b in enumerate(past)
        if (b.get("contact") or {}).get("person_key") in person_keys
        and (b.get("contact") or {}).get("name") != ERASED
    }


def erased_speaker_names(program: list[dict[str, Any]], person_keys: set[str]) -> list[str]:
    """The names the erased speakers have in the program (questions copied them as their
    addressee)."""
    return [
        item["speaker_name"]
        for item in program
        if _speaker_of(item, person_keys) and item.get("speaker_name") not in (None, ERASED)
    ]


def erased_program(
    program: list[dict[str, Any]], person_keys: set[str]
) -> list[dict[str, Any]] | None:
    """The program without the erased speakers' names and contact addresses (found by the
    registry's key or by their address's key); ``None`` when nothing changes."""
    changed = False
    out = []
    for item in program:
        if _speaker_of(item, person_keys) and (
            item.get("speaker_name") != ERASED or item.get("speaker_email")
        ):
            item = {
                k: v for k, v in item.items() if k not in ("speaker_email", "speaker_email_key")
            }
            item["speaker_name"] = ERASED
            changed = True
        out.append(item)
    return out if changed else None


def _speaker_of(item: dict[str, Any], person_keys: set[str]) -> bool:
    return bool(
        item.get("speaker_person_key") in person_keys
        or item.get("speaker_email_key") in person_keys
    )


def program_erased_event(after: dict[str, Any], snapshot: Any) -> MeetupUpdated | None:
    """Those who copied a published meetup's program (publishing) hear it changed;
    a program change mails nobody."""
    if after["status"] == "draft":
        return None
    return MeetupUpdated(meetup=snapshot, changed=["program"])
