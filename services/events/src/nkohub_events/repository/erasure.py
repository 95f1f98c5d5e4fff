"""Erasure of a person's data (152-ФЗ) on ``registry.person.erased``."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

ERASED = "(удалено)"


async def erase_people(db: AsyncDatabase[dict[str, Any]], person_keys: list[str]) -> None:
    """Names, e-mails, phones behind the keys go; the pseudonymous key and the role stay,
    so the practice report's figures do not change. Repeating it changes nothing."""
    keys = list(person_keys)
    async for r in db["registrations"].find({"person_key": {"$in": keys}}, {"_id": 1}):
        await db["registrations"].update_one(
            {"_id": r["_id"]},
            {
                "$set": {
                    "name": ERASED,
                    "email": f"erased-{r['_id']}@invalid",
                    "email_key": f"erased:{r['_id']}",
                    "phone": None,
                    "search": "",
                    "erased": True,
                }
            },
        )
    await db["attendances"].update_many(
        {"person_key": {"$in": keys}}, {"$set": {"name": ERASED, "erased": True}}
    )
    await db["slots"].update_many(
        {"booking.contact.person_key": {"$in": keys}},
        {
            "$set": {
                "booking.contact.name": ERASED,
                "booking.contact.email": "erased@invalid",
                "booking.contact.phone": None,
            }
        },
    )
