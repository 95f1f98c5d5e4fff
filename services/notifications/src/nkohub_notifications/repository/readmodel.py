"""``meetups``, ``registrations``: the local read model built from the events service's
events (who is registered for what)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from nkohub_contracts.common import MeetupSnapshot, Participant
from nkohub_notifications.domain.readmodel import MeetupState, RegistrationState
from nkohub_shared.privacy import normalise_email
from nkohub_shared.storage.idempotent import apply_once
from nkohub_shared.storage.writer import Document
from nkohub_shared.text import one_line

MEETUPS = "meetups"
REGISTRATIONS = "registrations"
REGISTRATION_INDEXES = [
    IndexModel([("meetup_id", ASCENDING)]),
    IndexModel([("person_key", ASCENDING)]),
    IndexModel([("organization_id", ASCENDING)]),
]


@dataclass(frozen=True)
class KnownMeetup:
    snapshot: MeetupSnapshot
    state: str


class MeetupRepository:
    def __init__(self, collection: AsyncCollection[Document]) -> None:
        self._meetups = collection

    async def remember(
        self, meetup: MeetupSnapshot, at: datetime, state: MeetupState | None = None
    ) -> None:
        """Keep the newest snapshot (highest ``sequence``); an older one changes nothing
        but the state it brings."""
        fields: dict[str, Any] = {
            "snapshot": meetup.model_dump(),
            "sequence": meetup.sequence,
            "starts_at": meetup.starts_at,
            "updated_at": at,
        }
        if state:
            fields["status"] = state.value
        result = await self._meetups.update_one(
            {"_id": meetup.meetup_id, "sequence": {"$lte": meetup.sequence}}, {"$set": fields}
        )
        if result.matched_count:
            return
        try:
            await self._meetups.insert_one(
                {"_id": meetup.meetup_id, "status": MeetupState.SCHEDULED.value, **fields}
            )
        except DuplicateKeyError:  # we already hold a newer snapshot
            if state:
                await self._meetups.update_one(
                    {"_id": meetup.meetup_id}, {"$set": {"status": state.value}}
                )

    async def get(self, meetup_id: str) -> KnownMeetup | None:
        doc = await self._meetups.find_one({"_id": meetup_id})
        if doc is None:
            return None
        return KnownMeetup(
            MeetupSnapshot.model_validate(doc["snapshot"]),
            doc.get("status", MeetupState.SCHEDULED.value),
        )


class RegistrationRepository:
    def __init__(self, collection: AsyncCollection[Document]) -> None:
        self._registrations = collection

    async def remember(
        self,
        *,
        registration_id: str,
        meetup: MeetupSnapshot,
        participant: Participant,
        state: RegistrationState,
        event_id: str,
        at: datetime,
    ) -> bool:
        """Record a registration's state once per event; ``cancelled`` is final."""
        filter: Document = {"_id": registration_id}
        if state is not RegistrationState.CANCELLED:
            filter["status"] = {"$ne": RegistrationState.CANCELLED.value}
        update = {
            "$set": {
                "meetup_id": meetup.meetup_id,
                "person_key": participant.person_key,
                "organization_id": participant.organization_id,
                "name": one_line(participant.name),
                "email": normalise_email(participant.email),
                "status": state.value,
                "updated_at": at,
            },
            "$setOnInsert": {"attended": False, "created_at": at},
        }
        return await apply_once(self._registrations, filter, update, event_id, upsert=True)

    async def get(self, registration_id: str) -> Document | None:
        return await self._registrations.find_one({"_id": registration_id})

    async def of_person(self, meetup_id: str, person_key: str) -> Document | None:
        return await self._registrations.find_one(
            {"meetup_id": meetup_id, "person_key": person_key}
        )

    async def of_meetup(
        self, meetup_id: str, states: tuple[RegistrationState, ...]
    ) -> list[Document]:
        cursor = self._registrations.find(
            {"meetup_id": meetup_id, "status": {"$in": [s.value for s in states]}}
        )
        return [doc async for doc in cursor]

    async def of_meetup_all(self, meetup_id: str) -> AsyncIterator[Document]:
        async for registration in self._registrations.find({"meetup_id": meetup_id}):
            yield registration

    async def people_of_organizations(self, organization_ids: list[str]) -> list[str]:
        """Person keys of everyone who registered on behalf of these organizations."""
        keys = await self._registrations.distinct(
            "person_key", {"organization_id": {"$in": organization_ids}}
        )
        return [k for k in keys if k]

    async def attendees(self, meetup_id: str) -> list[Document]:
        cursor = self._registrations.find({"meetup_id": meetup_id, "attended": True})
        return [doc async for doc in cursor]

    async def mark_attended(self, registration_id: str, event_id: str) -> bool:
        return await apply_once(
            self._registrations, {"_id": registration_id}, {"$set": {"attended": True}}, event_id
        )

    async def delete_of_people(self, person_keys: list[str]) -> int:
        result = await self._registrations.delete_many({"person_key": {"$in": person_keys}})
        return result.deleted_count
