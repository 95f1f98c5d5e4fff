"""The mail answering a public erasure request (``registry.erasure.requested``): the
signed link to the registry's confirmation page, nothing more. The message is stored
under the person's key, so the erasure it leads to removes it from the delivery log too;
its idempotency key is the event's id, so a redelivery mails nothing twice."""

from __future__ import annotations

from nkohub_contracts import CloudEvent
from nkohub_contracts.registry import ErasureRequested
from nkohub_notifications.domain.messages import Recipient
from nkohub_notifications.service.erasure import Erasure
from nkohub_notifications.service.messages import Notifier

TEMPLATE = "erasure_request"


class ErasureRequestMail:
    def __init__(self, notifier: Notifier, erasure: Erasure) -> None:
        self._notifier = notifier
        self._erasure = erasure

    async def requested(self, event: ErasureRequested, envelope: CloudEvent) -> None:
        if await self._erasure.forgotten(envelope.time, event.person_key):
            return  # erased already: nothing left to erase, nobody to write to
        message = self._notifier.email(
            cause=envelope.id,
            recipient=Recipient(event.person_key, "", event.email),
            template=TEMPLATE,
            context={"erase_url": event.erase_url, "expires_at": event.expires_at},
            cause_event_id=envelope.id,
            greet=False,
        )
        await self._notifier.queue([message])
