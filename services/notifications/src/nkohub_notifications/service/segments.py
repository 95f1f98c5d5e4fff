"""Who a segment names, from this service's own records: the registry's organizations and
the meetups' registrations as their events told us, and the subscribers. Each person once
(by person key), with the verdict of ``domain.mailings.verdict``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from nkohub_notifications.domain.mailings import (
    Basis,
    Segment,
    SegmentKind,
    Verdict,
    registrant_matches,
    verdict,
)
from nkohub_notifications.domain.readmodel import MeetupState
from nkohub_notifications.repository import (
    MeetupRepository,
    OrganizationRepository,
    RegistrationRepository,
    SubscriberRepository,
)
from nkohub_shared.errors import NotFound
from nkohub_shared.privacy import normalise_email, person_key

BATCH = 1000


@dataclass(frozen=True)
class Candidate:
    """One person of a segment (``email`` is ``None`` only when there is no address)."""

    key: str
    name: str
    email: str | None
    subscriber: dict[str, Any] | None
    verdict: Verdict

    @property
    def subscriber_id(self) -> str | None:
        return self.subscriber["_id"] if self.subscriber else None


@dataclass(frozen=True)
class _Found:
    key: str
    name: str
    email: str | None


class Segments:
    def __init__(
        self,
        subscribers: SubscriberRepository,
        organizations: OrganizationRepository,
        meetups: MeetupRepository,
        registrations: RegistrationRepository,
    ) -> None:
        self._subscribers = subscribers
        self._organizations = organizations
        self._meetups = meetups
        self._registrations = registrations

    async def candidates(self, segment: Segment) -> AsyncIterator[Candidate]:
        """Everyone the segment names, once each, with their verdict."""
        topic = segment.unsubscribe_topic()
        follower = segment.kind is SegmentKind.TOPIC
        seen: set[str] = set()
        batch: list[_Found] = []
        async for found in self._found(segment):
            if found.key in seen:
                continue
            seen.add(found.key)
            if found.email is None:
                yield Candidate(found.key, found.name, None, None, Verdict.NO_ADDRESS)
                continue
            batch.append(found)
            if len(batch) >= BATCH:
                async for candidate in self._judged(batch, topic, segment.basis, follower):
                    yield candidate
                batch = []
        async for candidate in self._judged(batch, topic, segment.basis, follower):
            yield candidate

    async def _judged(
        self, batch: list[_Found], topic: Any, basis: Basis, follower: bool
    ) -> AsyncIterator[Candidate]:
        if not batch:
            return
        subscribers = await self._subscribers.of_people([f.key for f in batch])
        for found in batch:
            subscriber = subscribers.get(found.key)
            name, email = found.name, found.email
            if subscriber is not None:
                name = subscriber.get("name") or name
                email = subscriber.get("email") or email
            yield Candidate(
                found.key,
                name,
                email,
                subscriber,
                verdict(subscriber, topic, basis, follower=follower),
            )

    async def _found(self, segment: Segment) -> AsyncIterator[_Found]:
        kind = segment.kind
        if kind is SegmentKind.ORGANIZATIONS:
            async for organization in self._organizations.active(
                segment.activity_areas, never_came=segment.never_came
            ):
                name = organization.get("short_name") or organization.get("full_name") or ""
                address = organization.get("public_email")
                if not address:
                    yield _Found(f"organization:{organization['_id']}", name, None)
                    continue
                try:
                    email = normalise_email(address)
                except ValueError:
                    yield _Found(f"organization:{organization['_id']}", name, None)
                    continue
                yield _Found(person_key(email), name, email)
        elif kind is SegmentKind.ORGANIZATION_PEOPLE:
            ids = [
                o["_id"]
                async for o in self._organizations.active(
                    segment.activity_areas, never_came=segment.never_came
                )
            ]
            keys = await self._registrations.people_of_organizations(ids) if ids else []
            subscribers = await self._subscribers.of_people(keys)
            for key in keys:
                sub = subscribers.get(key)
                yield _Found(key, sub["name"] if sub else "", sub["email"] if sub else "")
        elif kind is SegmentKind.MEETUP_REGISTRANTS:
            assert segment.meetup_id is not None
            known = await self._meetups.get(segment.meetup_id)
            if known is None:
                raise NotFound("no such meetup known to notifications", field="segment.meetup_id")
            completed = known.state == MeetupState.COMPLETED
            async for reg in self._registrations.of_meetup_all(segment.meetup_id):
                if registrant_matches(reg, segment.statuses, completed):
                    yield _Found(reg["person_key"], reg.get("name") or "", reg.get("email"))
        elif kind is SegmentKind.TOPIC:
            assert segment.topic is not None
            async for sub in self._subscribers.choosing(segment.topic):
                yield _Found(sub["person_key"], sub.get("name") or "", sub.get("email"))
        else:  # a hand-picked list: addresses or recipient ids
            addresses = [normalise_email(e) for e in segment.recipients if "@" in e]
            ids = [e for e in segment.recipients if "@" not in e]
            for sub in await self._subscribers.of_ids(ids):
                yield _Found(sub["person_key"], sub.get("name") or "", sub.get("email"))
            for missing in set(ids) - {s["_id"] for s in await self._subscribers.of_ids(ids)}:
                yield _Found(f"unknown:{missing}", "", "")
            for address in addresses:
                yield _Found(person_key(address), "", address)
