"""Send slots taken by every replica of the sender (``send_slots``): one document per line
(``email@20``, ``mailing@10``, …) holding the next slot not yet taken.

Taking a slot is two atomic single-document writes: ``$max`` brings the line up to the
present (slots of the past are never handed out, so idle time is not saved up as a
burst), then ``$inc`` hands out the next number; concurrent takers from any number of
processes each get a different one. No aggregation-pipeline update (the MongoDB-wire test
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
        try:
            await self._slots.update_one({"_id": line}, {"$max": {"next": earliest}}, upsert=True)
        except DuplicateKeyError:  # two first takers upserted at once: the other won
            await self._slots.update_one({"_id": line}, {"$max": {"next": earliest}})
        before = await self._slots.find_one_and_update(
            {"_id": line}, {"$inc": {"next": 1}}, return_document=ReturnDocument.BEFORE
        )
        assert before is not None  # created above and never deleted
        return int(before["next"])
