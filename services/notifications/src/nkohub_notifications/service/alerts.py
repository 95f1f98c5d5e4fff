"""Alerts to staff (the library's address and chosen accounts): a new question to a
meetup's speakers, a waitlist over the threshold, a message that failed for good. Each
is a message in the delivery log, keyed by what triggered it (see ``domain.alerts``)."""

from __future__ import annotations

from typing import Any

from nkohub_contracts import CloudEvent
from nkohub_contracts.events import QuestionSubmitted, RegistrationWaitlisted
from nkohub_contracts.notifications import MessageFailed
from nkohub_contracts.registry import ProposalSubmitted
from nkohub_notifications.domain.alerts import (
    KIND_LABELS,
    QUIET_FAILURES,
    TEMPLATES,
    AlertKind,
    AlertSettings,
    clean_addresses,
    proposal_context,
    waitlist_over,
)
from nkohub_notifications.domain.clock import now
from nkohub_notifications.domain.messages import Recipient
from nkohub_notifications.domain.rendering import SPECS
from nkohub_notifications.repository.alerts import AlertSettingsRepository
from nkohub_notifications.repository.readmodel import MeetupRepository
from nkohub_notifications.service.messages import Notifier
from nkohub_shared.errors import InvalidInput


class Alerts:
    def __init__(
        self,
        settings: AlertSettingsRepository,
        meetups: MeetupRepository,
        notifier: Notifier,
        *,
        console_url: str = "http://localhost:8000",
    ) -> None:
        self._console_url = console_url
        self._settings = settings
        self._meetups = meetups
        self._notifier = notifier

    async def settings(self) -> AlertSettings:
        return AlertSettings.of(await self._settings.get())

    async def change(
        self,
        *,
        library_email: str | None,
        staff_emails: list[str],
        kinds: dict[str, bool],
        waitlist_threshold: int,
        by: str,
    ) -> AlertSettings:
        try:
            library, staff = clean_addresses(library_email, staff_emails)
        except ValueError as exc:
            raise InvalidInput("неверный адрес электронной почты", field=str(exc)) from None
        unknown = set(kinds) - {k.value for k in AlertKind}
        if unknown:
            raise InvalidInput(f"нет такого оповещения: {sorted(unknown)[0]}", field="kinds")
        current = await self.settings()
        changed = AlertSettings(
            library_email=library,
            staff_emails=staff,
            kinds={**current.kinds, **kinds},
            waitlist_threshold=waitlist_threshold,
        )
        await self._settings.put(changed.document(), by=by, at=now())
        return changed

    async def question_submitted(self, event: QuestionSubmitted, envelope: CloudEvent) -> int:
        known = await self._meetups.get(event.meetup_id)
        meetup: dict[str, Any] = (
            known.snapshot.model_dump()
            if known
            else {"title": event.meetup_id, "starts_at": envelope.time, "timezone": "UTC"}
        )
        question = {"text": event.text, "addressed_to": event.addressed_to}
        return await self._alert(
            AlertKind.QUESTION,
            f"alert:{envelope.id}",
            {"meetup": meetup, "question": question},
            meetup_id=event.meetup_id,
            cause_event_id=envelope.id,
        )

    async def waitlisted(self, event: RegistrationWaitlisted, envelope: CloudEvent) -> int:
        settings = await self.settings()
        threshold = settings.waitlist_threshold
        if not waitlist_over(event.position, threshold):
            return 0
        meetup_id = event.meetup.meetup_id
        return await self._alert(
            AlertKind.WAITLIST,
            f"alert:waitlist:{meetup_id}:{threshold}",
            {
                "meetup": event.meetup.model_dump(),
                "waitlist": {"length": event.position, "threshold": threshold},
            },
            meetup_id=meetup_id,
            cause_event_id=envelope.id,
            settings=settings,
        )

    async def message_failed(self, event: MessageFailed, envelope: CloudEvent) -> int:
        if event.template in QUIET_FAILURES:
            return 0
        spec = SPECS.get(event.template)
        failure = {
            "message_id": event.message_id,
            "template": event.template,
            "template_title": spec.description if spec else event.template,
            "channel": event.channel,
            "reason": event.reason,
        }
        return await self._alert(
            AlertKind.MESSAGE_FAILED,
            f"alert:{envelope.id}",
            {"failure": failure},
            cause_event_id=envelope.id,
        )

    async def proposal_submitted(self, event: ProposalSubmitted, envelope: CloudEvent) -> int:
        """A new self-registered NGO: once per proposal (the key names it)."""
        proposal = proposal_context(
            event.proposal_id,
            event.name,
            event.full_name,
            event.city,
            event.activity_areas,
            event.submitted_at,
            self._console_url,
        )
        return await self._alert(
            AlertKind.NEW_ORGANIZATION,
            f"alert:proposal:{event.proposal_id}",
            {"proposal": proposal},
            cause_event_id=envelope.id,
        )

    async def _alert(
        self,
        kind: AlertKind,
        cause: str,
        context: dict[str, Any],
        *,
        cause_event_id: str,
        meetup_id: str | None = None,
        settings: AlertSettings | None = None,
    ) -> int:
        """One message per staff address under ``cause``: a redelivery queues nothing."""
        settings = settings or await self.settings()
        if not settings.wants(kind):
            return 0
        messages = [
            self._notifier.email(
                cause=cause,
                recipient=Recipient.of("", address),
                template=TEMPLATES[kind],
                context=context,
                cause_event_id=cause_event_id,
                meetup_id=meetup_id,
                greet=False,
                extra={"alert": kind.value},
            )
            for address in settings.recipients()
        ]
        return await self._notifier.queue(messages)


__all__ = ["KIND_LABELS", "Alerts"]
