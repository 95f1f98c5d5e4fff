"""Send slots taken by every replica of the sender (``send_slots``): one document per line
(``email@20``, ``mailing@10``, …) holding the next slot not yet taken.

Every slot is handed out by ``$inc`` (concurrent takers from any number of processes
each get a different number). A busy line, already at or past the present, takes one
write (``$inc`` on condition ``next >= now``); an idle one is first brought up to the
present by ``$max`` (slots of the past are never handed out, so idle time is not saved
up as a burst). No aggregation-pipeline update (the MongoDB-wire test
server lacks it), no index beyond ``_id``; the collection holds a handful of documents.
"""

from __future__ import annotations

from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

COLLECTION = "send_slots"


class SendSlotRepository:
    def __init__(self, slots: AsyncCollection[dict[str, Any]]) -> None:
        self._slots = slots

    async def take(self, line: str, earliest: int) -> int:
        """Take the next free slot of ``line`` that is not before ``earliest``."""
        # A busy line is ahead of the present already: one write takes the slot.
        busy = await self._slots.find_one_and_update(
            {"_id": line, "next": {"$gte": earliest}},
            {"$inc": {"next": 1}},
            return_document=ReturnDocument.BEFORE,
        )
        if busy is not None:
            return int(busy["next"])
        try:  # an idle (or new) line: bring it up to the present first
            await self._slots.update_one({"_id": line}, {"$max": {"next": earliest}}, upsert=True)
        except DuplicateKeyError:  # two first takers upserted at once: the other won
            await self._slots.update_one({"_id": line}, {"$max": {"next": earliest}})
        before = await self._slots.find_one_and_update(
            {"_id": line}, {"$inc": {"next": 1}}, return_document=ReturnDocument.BEFORE
        )
        assert before is not None  # created above and never deleted
        return int(before["next"])
