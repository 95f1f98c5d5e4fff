"""The delivery log staff read: messages by filter, counts by status, a retry."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nkohub_notifications.domain.clock import now
from nkohub_notifications.domain.messages import RETRYABLE_BY_STAFF, MessageFilter, Status
from nkohub_notifications.repository import MessageRepository
from nkohub_shared.errors import Conflict, NotFound


class DeliveryLog:
    def __init__(self, messages: MessageRepository, *, wake_sender: Callable[[], None]) -> None:
        self._messages = messages
        self._wake_sender = wake_sender

    async def page(
        self, filter: MessageFilter, *, offset: int, limit: int
    ) -> tuple[list[dict[str, Any]], int]:
        """Messages without bodies, newest first, and how many match."""
        items = await self._messages.page(filter, offset=offset, limit=limit)
        return items, await self._messages.count(filter)

    async def counts(self, filter: MessageFilter) -> dict[str, int]:
        """Messages in each status (every status named, zero included)."""
        return {s.value: 0 for s in Status} | await self._messages.counts_by_status(filter)

    async def message(self, message_id: str) -> dict[str, Any]:
        doc = await self._messages.get(message_id)
        if doc is None:
            raise NotFound("no such message", field="message_id")
        return doc

    async def retry(self, message_id: str) -> None:
        """Queue a failed message again (e.g. after the address was corrected)."""
        if not await self._messages.requeue_failed(message_id, now()):
            if not await self._messages.exists(message_id):
                raise NotFound("no such message", field="message_id")
            raise Conflict(
                f"only a {RETRYABLE_BY_STAFF.value} message can be retried", field="status"
            )
        self._wake_sender()
