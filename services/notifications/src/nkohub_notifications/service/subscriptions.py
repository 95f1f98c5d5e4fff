"""Subscriptions: the public double opt-in, confirming and unsubscribing by signed link,
a registration's mailing consent, and staff managing recipients."""

from __future__ import annotations

from typing import Any

from nkohub_notifications.domain.clock import now
from nkohub_notifications.domain.messages import Recipient
from nkohub_notifications.domain.subscribers import (
    SubscriberChanges,
    SubscriberFields,
    SubscriberStatus,
    Topic,
    confirmation,
    consenting_participant,
    pending_choice,
    subscriber_document,
    unsubscription,
)
from nkohub_notifications.repository import MessageRepository, SubscriberRepository
from nkohub_notifications.service.messages import Notifier
from nkohub_shared.contracts.common import Participant
from nkohub_shared.errors import Conflict, NotFound
from nkohub_shared.ids import new_id
from nkohub_shared.links import Purpose
from nkohub_shared.privacy import person_key

CONFIRM_TEMPLATE = "subscription_confirm"


class Subscriptions:
    def __init__(
        self,
        subscribers: SubscriberRepository,
        messages: MessageRepository,
        notifier: Notifier,
    ) -> None:
        self._subscribers = subscribers
        self._messages = messages
        self._notifier = notifier

    # --- the public: double opt-in -------------------------------------------------------

    async def subscribe(
        self,
        *,
        name: str,
        email: str,
        topics: list[Topic],
        blog_categories: list[str],
        timezone: str,
    ) -> None:
        """Ask for a subscription: the choice waits, a confirmation link goes to the
        address. Nothing tells the caller whether the address was known."""
        key = person_key(email)
        pending = pending_choice(topics, blog_categories)
        existing = await self._subscribers.of_person(key)
        if existing is None:
            fields = SubscriberFields(name=name, email=email, timezone=timezone)
            doc = subscriber_document(
                fields, status=SubscriberStatus.PENDING, source="public", consent=False
            )
            if await self._subscribers.insert({**doc, **pending}):
                existing = doc
            else:  # subscribed at the same moment by another request
                existing = await self._subscribers.of_person(key)
        if existing is None:
            return
        await self._subscribers.update(existing["_id"], pending)
        message = self._notifier.email(
            cause=f"subscribe:{new_id()}",
            recipient=Recipient(key, existing["name"], existing["email"]),
            template=CONFIRM_TEMPLATE,
            context={"confirm_url": self._notifier.links.confirm_subscription(existing["_id"])},
        )
        await self._notifier.queue([message])

    async def by_link(
        self, subscriber_id: str, purpose: Purpose, token: str | None
    ) -> dict[str, Any] | None:
        """The subscriber a signed link names, or ``None`` if the token is not theirs."""
        if not self._notifier.links.signer.valid(purpose, subscriber_id, token):
            return None
        return await self._subscribers.get(subscriber_id)

    async def confirm(self, subscriber: dict[str, Any]) -> None:
        await self._subscribers.update(
            subscriber["_id"],
            confirmation(subscriber),
            unset=("pending_topics", "pending_categories"),
        )

    async def unsubscribe(self, subscriber: dict[str, Any]) -> None:
        await self._subscribers.update(subscriber["_id"], unsubscription())

    async def consent_of(self, participant: Participant) -> None:
        """A registration with mailing consent subscribes the person to meetup
        announcements, unless they already have a subscription (an unsubscribe is
        never overridden)."""
        if participant.mailing_consent:
            await self._subscribers.insert_if_absent(
                participant.person_key,
                consenting_participant(participant.name, participant.email),
            )

    # --- staff: recipients ---------------------------------------------------------------

    async def recipients(
        self,
        *,
        status: SubscriberStatus | None,
        topic: Topic | None,
        email: str | None,
        offset: int,
        limit: int,
    ) -> tuple[list[dict[str, Any]], int]:
        return await self._subscribers.page(
            status=status,
            topic=topic,
            person_key=person_key(email) if email else None,
            offset=offset,
            limit=limit,
        )

    async def create_recipient(self, fields: SubscriberFields, *, consent: bool) -> dict[str, Any]:
        """A confirmed recipient staff vouch for (``consent``: e.g. a paper form)."""
        doc = subscriber_document(
            fields, status=SubscriberStatus.CONFIRMED, source="staff", consent=consent
        )
        if not await self._subscribers.insert(doc):
            raise Conflict("a recipient with this e-mail exists", field="email")
        return doc

    async def recipient(self, recipient_id: str) -> dict[str, Any]:
        doc = await self._subscribers.get(recipient_id)
        if doc is None:
            raise NotFound("no such recipient", field="recipient_id")
        return doc

    async def change_recipient(
        self, recipient_id: str, changes: SubscriberChanges
    ) -> dict[str, Any]:
        doc = await self._subscribers.update(recipient_id, changes.fields(at=now()))
        if doc is None:
            raise NotFound("no such recipient", field="recipient_id")
        return doc

    async def delete_recipient(self, recipient_id: str) -> None:
        """Remove the recipient and their message history (as an erasure does)."""
        doc = await self.recipient(recipient_id)
        await self._subscribers.delete(recipient_id)
        await self._messages.delete_of_people([doc["person_key"]])
