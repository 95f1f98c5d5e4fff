"""Walk-ins: a person who comes to the door without having registered is registered by
staff and checked in at once (pretix's box office, Indico's on-site registration).

The name, role, organization and the person's consent are needed; an e-mail address is
not (then the person gets a pseudonymous key from name and organization, the same one a
sign-in sheet gives them, and nobody is mailed). A walk-in is ``confirmed`` from the
start: it takes a free seat of the ledger when there is one, and otherwise comes in over
the seats open to registration — the hall's reserved seats and the no-shows are the
staff's to give at the door.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from nkohub_events.domain import audit
from nkohub_events.domain.common import normalise
from nkohub_events.domain.registrations import (
    RegistrationIn,
    _person_fields,
    email_key,
    short_code,
)
from nkohub_events.domain.sign_in_sheets import anonymous_key
from nkohub_shared.errors import Conflict
from nkohub_shared.privacy import person_key


def require_open_door(m: dict[str, Any]) -> None:
    """Walk-ins come to a published meetup that has not been closed; afterwards the
    sign-in sheet records who came."""
    if m["status"] != "scheduled":
        raise Conflict(
            f"the meetup is {m['status']}: walk-ins come to a scheduled meetup "
            "(a sign-in sheet records them afterwards)",
            field="meetup_id",
            status=m["status"],
        )


def walk_in(
    registration_id: str,
    meetup_id: str,
    data: RegistrationIn,
    organization: dict[str, Any],
    version: str,
    now: datetime,
    *,
    actor: str,
) -> dict[str, Any]:
    """The registration of a walk-in, confirmed (the check-in follows at once)."""
    org_name = organization.get("organization_name") or ""
    if data.email:
        key, mail_key = person_key(data.email), email_key(data.email)
    else:
        key, mail_key = anonymous_key(data.name, org_name), f"walk-in:{registration_id}"
    return {
        "_id": registration_id,
        "meetup_id": meetup_id,
        "status": "confirmed",
        "email": data.email,
        "email_key": mail_key,
        "person_key": key,
        **_person_fields(data, organization, version, now),
        "confirmed_at": now,
        "search": normalise(f"{data.name} {data.email or ''} {org_name}"),
        "short_code": short_code(registration_id),
        "checked_in_at": None,
        "client_hold": None,
        "walk_in": True,
        audit.HISTORY_FIELD: [audit.entry(actor, "walked_in", now)],
    }


REVIVED = ("_id", "meetup_id", "email_key", "person_key", "short_code", audit.HISTORY_FIELD)


def comeback(walk_in_doc: dict[str, Any]) -> dict[str, Any]:
    """The fields that make a cancelled registration of the same address the walk-in's
    (it keeps its id, code and history)."""
    fields = {k: v for k, v in walk_in_doc.items() if k not in REVIVED}
    return {**fields, "cancelled_at": None, "cancelled_by": None}


def existing_walk_in(r: dict[str, Any]) -> None:
    """A person registered already (same address) who comes to the door is checked in on
    their registration; one waiting in line or who cancelled cannot be, yet."""
    if r["status"] not in ("confirmed", "pending"):
        raise Conflict(
            f"this address is registered already and the registration is {r['status']}",
            field="email",
            status=r["status"],
            registration_id=r["_id"],
        )
