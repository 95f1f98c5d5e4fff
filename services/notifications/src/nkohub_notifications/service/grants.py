"""Grant deadlines to the followers of «гранты», each in their own time zone."""

from __future__ import annotations

from nkohub_contracts import CloudEvent
from nkohub_contracts.publishing import GrantDeadlineApproaching
from nkohub_notifications.domain.subscribers import Topic, in_their_zone
from nkohub_notifications.service.messages import Notifier

TEMPLATE = "grant_deadline"


class GrantMail:
    def __init__(self, notifier: Notifier) -> None:
        self._notifier = notifier

    async def deadline_approaching(
        self, event: GrantDeadlineApproaching, envelope: CloudEvent
    ) -> int:
        grant = event.model_dump()
        return await self._notifier.to_followers(
            topic=Topic.GRANTS,
            template=TEMPLATE,
            cause=envelope.id,
            context_for=lambda sub: in_their_zone({"grant": grant}, sub),
            envelope=envelope,
        )
