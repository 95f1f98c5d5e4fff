"""Subscriptions: the public double opt-in, confirming and unsubscribing by signed link,
a registration's mailing consent (double opt-in too), and staff managing recipients.

Abuse limits (see the README): subscription requests are counted per client address and
per target address (``RateCounter``, shared by every replica; 429 past them), and one
address gets at most one confirmation e-mail per ``confirm_resend_hours`` however often
it is asked for. The confirmation e-mail greets nobody by name: the name was typed by
whoever filled the form, who may not be the address's owner.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from nkohub_contracts.common import Participant
from nkohub_notifications.channels.targets import WebhookTargets
from nkohub_notifications.domain.clock import now
from nkohub_notifications.domain.links import LinkState
from nkohub_notifications.domain.messages import Recipient
from nkohub_notifications.domain.subscribers import (
    PENDING_FIELDS,
    ConfirmVerdict,
    SubscriberChanges,
    SubscriberFields,
    SubscriberStatus,
    Topic,
    confirm_verdict,
    confirmation,
    consent_entry,
    pending_choice,
    preference_change,
    registration_request,
    renewed_choice,
    resend_cutoff,
    subscriber_document,
    topic_refusal,
    unsubscription,
)
from nkohub_notifications.domain.targets import TargetRefused
from nkohub_notifications.repository import MessageRepository, SubscriberRepository
from nkohub_notifications.service.messages import Notifier
from nkohub_shared.errors import Conflict, InvalidInput, NotFound
from nkohub_shared.ids import new_id
from nkohub_shared.limits import Limit
from nkohub_shared.links import Purpose
from nkohub_shared.privacy import normalise_email, person_key
from nkohub_shared.storage.ratelimit import RateCounter

CONFIRM_TEMPLATE = "subscription_confirm"
TOO_MANY_FROM_CLIENT = "Слишком много запросов на подписку с вашего адреса. Попробуйте позже."
TOO_MANY_FOR_ADDRESS = (
    "Для этого адреса уже много раз запрашивали подписку. Проверьте почту или попробуйте завтра."
)


@dataclass(frozen=True)
class SubscriptionLimits:
    per_client_per_hour: int
    per_address_per_day: int
    resend_hours: float
    link_days: int

    @property
    def per_client(self) -> Limit:
        return Limit("subscribe-per-client", self.per_client_per_hour, 3600)

    @property
    def per_address(self) -> Limit:
        return Limit("subscribe-per-address", self.per_address_per_day, 86400)


class Subscriptions:
    def __init__(
        self,
        subscribers: SubscriberRepository,
        messages: MessageRepository,
        notifier: Notifier,
        *,
        rate_limits: RateCounter,
        limits: SubscriptionLimits,
        targets: WebhookTargets,
    ) -> None:
        self._subscribers = subscribers
        self._messages = messages
        self._notifier = notifier
        self._rate_limits = rate_limits
        self._limits = limits
        self._targets = targets

    # --- the public: double opt-in -------------------------------------------------------

    async def subscribe(
        self,
        *,
        name: str,
        email: str,
        topics: list[Topic],
        blog_categories: list[str],
        timezone: str,
        client: str,
    ) -> None:
        """Ask for a subscription: the choice waits, a confirmation link goes to the
        address (at most once per ``resend_hours``). Nothing tells the caller whether
        the address was known. ``RateLimited`` past the client's or the address's limit."""
        await self.count_request(client)
        await self._rate_limits.check(
            self._limits.per_address,
            normalise_email(email),
            TOO_MANY_FOR_ADDRESS,
            field="email",
        )
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
        await self._mail_confirmation(existing, cause=f"subscribe:{new_id()}")

    async def count_request(self, client: str) -> None:
        """One more public request from ``client`` (subscribing, renewing a link)."""
        await self._rate_limits.check(self._limits.per_client, client, TOO_MANY_FROM_CLIENT)

    async def _mail_confirmation(self, subscriber: dict[str, Any], *, cause: str) -> bool:
        """The confirmation link, unless one was mailed within ``resend_hours``; whether
        it was queued. No name in the greeting (see the module)."""
        at = now()
        claimed = await self._subscribers.claim_confirmation_mail(
            subscriber["_id"], at, sent_before=resend_cutoff(at, self._limits.resend_hours)
        )
        if not claimed:
            return False
        expires_at = at + timedelta(days=self._limits.link_days)
        message = self._notifier.email(
            cause=cause,
            recipient=Recipient(subscriber["person_key"], "", subscriber["email"]),
            template=CONFIRM_TEMPLATE,
            context={
                "confirm_url": self._notifier.links.confirm_subscription(
                    subscriber["_id"], expires_at
                ),
                "link_days": self._limits.link_days,
            },
            greet=False,
        )
        return await self._notifier.queue([message]) > 0

    async def by_link(
        self, subscriber_id: str, purpose: Purpose, token: str | None
    ) -> dict[str, Any] | None:
        """The subscriber a signed link names, or ``None`` if the token is not theirs."""
        if not self._notifier.links.signer.valid(purpose, subscriber_id, token):
            return None
        return await self._subscribers.get(subscriber_id)

    async def by_confirm_link(
        self, subscriber_id: str, expires: str | None, token: str | None
    ) -> tuple[LinkState, dict[str, Any] | None]:
        """The state of a confirmation link and, unless it is not ours, its subscriber."""
        state = self._notifier.links.confirm_state(subscriber_id, expires, token, now())
        if state is LinkState.INVALID:
            return state, None
        subscriber = await self._subscribers.get(subscriber_id)
        return (state, subscriber) if subscriber is not None else (LinkState.INVALID, None)

    async def confirm(self, subscriber: dict[str, Any]) -> ConfirmVerdict:
        """Confirm the pending request; an old link of a withdrawn or used request (the
        person unsubscribed since) changes nothing."""
        verdict = confirm_verdict(subscriber)
        if verdict is ConfirmVerdict.CONFIRM:
            topics = list((subscriber.get("pending_topics") or {}).keys())
            updated = await self._subscribers.confirm_pending(
                subscriber["_id"],
                confirmation(subscriber),
                unset=PENDING_FIELDS,
                log=consent_entry("confirmed", subscriber.get("source") or "public", topics),
            )
            if updated is None:  # withdrawn meanwhile (unsubscribed in another tab)
                return ConfirmVerdict.USED
        return verdict

    async def renew(self, subscriber: dict[str, Any], client: str) -> bool:
        """A new confirmation link for an expired or used one (asked from its page):
        the request pending again, the link mailed (within the resend limit)."""
        await self.count_request(client)
        if confirm_verdict(subscriber) is ConfirmVerdict.ALREADY:
            return False
        await self._subscribers.update(subscriber["_id"], renewed_choice(subscriber))
        return await self._mail_confirmation(subscriber, cause=f"renew:{new_id()}")

    async def unsubscribe(self, subscriber: dict[str, Any], *, source: str = "link") -> None:
        """Final until the person confirms a subscription again: a pending request goes
        too, so no older confirmation link can undo this."""
        await self._subscribers.update(
            subscriber["_id"],
            unsubscription(),
            unset=PENDING_FIELDS,
            log=consent_entry("unsubscribed", source),
        )

    async def unsubscribe_topic(
        self, subscriber: dict[str, Any], topic: Topic, *, source: str = "link"
    ) -> dict[str, Any] | None:
        """Stop one topic (the one-click link of its mail); the others stay."""
        return await self._subscribers.update(
            subscriber["_id"],
            topic_refusal(subscriber, topic),
            log=consent_entry("unsubscribed_topic", source, [topic.value]),
        )

    async def set_preferences(
        self, subscriber: dict[str, Any], chosen: set[Topic]
    ) -> dict[str, Any] | None:
        """The preference centre's choice: these topics by e-mail, or (none) nothing."""
        topics = sorted(t.value for t in chosen)
        action = "topics" if chosen else "unsubscribed"
        return await self._subscribers.update(
            subscriber["_id"],
            preference_change(subscriber, chosen),
            unset=PENDING_FIELDS,
            log=consent_entry(action, "preference_centre", topics),
        )

    async def consent_of(self, participant: Participant, *, cause: str) -> None:
        """A registration with mailing consent asks for meetup announcements by the same
        double opt-in as the public form: a pending request and the confirmation link
        (once per ``cause`` and per ``resend_hours``), unless the person is a confirmed
        subscriber already."""
        if not participant.mailing_consent:
            return
        key = participant.person_key
        inserted = await self._subscribers.insert_if_absent(
            key, registration_request(participant.name, participant.email)
        )
        subscriber = await self._subscribers.of_person(key)
        if subscriber is None or subscriber["status"] == SubscriberStatus.CONFIRMED:
            return
        if not inserted and not subscriber.get("pending_topics"):
            await self._subscribers.update(subscriber["_id"], renewed_choice(subscriber))
        await self._mail_confirmation(subscriber, cause=f"consent:{cause}")

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
        if fields.webhook_url is not None:
            await self._check_webhook(str(fields.webhook_url))
        doc = subscriber_document(
            fields, status=SubscriberStatus.CONFIRMED, source="staff", consent=consent
        )
        if not await self._subscribers.insert(doc):
            raise Conflict("a recipient with this e-mail exists", field="email")
        return doc

    async def _check_webhook(self, url: str) -> None:
        try:
            await self._targets.check(url)
        except TargetRefused as refused:
            raise InvalidInput(str(refused), field="webhook_url") from None

    async def recipient(self, recipient_id: str) -> dict[str, Any]:
        doc = await self._subscribers.get(recipient_id)
        if doc is None:
            raise NotFound("no such recipient", field="recipient_id")
        return doc

    async def change_recipient(
        self, recipient_id: str, changes: SubscriberChanges
    ) -> dict[str, Any]:
        if changes.webhook_url:
            await self._check_webhook(changes.webhook_url)
        doc = await self._subscribers.update(recipient_id, changes.fields(at=now()))
        if doc is None:
            raise NotFound("no such recipient", field="recipient_id")
        return doc
