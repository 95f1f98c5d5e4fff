"""``organizations`` (the registry's organizations, fed by ``registry.organization.*``
through ``nkohub_shared.storage.organizations``) and ``organization_visits`` (which NGOs
were seen at a meetup, from attendance and completed meetups): what the mailing
segments of NGOs are chosen from."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from nkohub_shared.storage.organizations import OrganizationReadModel
from nkohub_shared.storage.writer import Document

VISITS = "organization_visits"
CONTACT_FIELDS = {"full_name": 1, "short_name": 1, "public_email": 1, "activity_areas": 1}


class OrganizationRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.read_model = OrganizationReadModel(db)
        self._organizations = self.read_model.collection
        self._visits = db[VISITS]

    async def get(self, organization_id: str) -> Document | None:
        return await self.read_model.get(organization_id)

    async def active(
        self, activity_areas: list[str], *, never_came: bool
    ) -> AsyncIterator[Document]:
        """Active organizations with any of ``activity_areas`` (all when empty); with
        ``never_came``, only those never seen at a meetup."""
        query: dict[str, Any] = {"active": True}
        if activity_areas:
            query["activity_areas"] = {"$in": activity_areas}
        if never_came:
            seen = [v["_id"] async for v in self._visits.find({}, {"_id": 1})]
            if seen:
                query["_id"] = {"$nin": seen}
        async for organization in self._organizations.find(query, CONTACT_FIELDS):
            yield organization

    async def record_visit(self, organization_id: str, meetup_id: str) -> None:
        """The organization was seen at the meetup (idempotent: a set)."""
        await self._visits.update_one(
            {"_id": organization_id}, {"$addToSet": {"meetups": meetup_id}}, upsert=True
        )
