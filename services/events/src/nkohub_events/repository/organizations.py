"""The registry's organizations as this service knows them: the read model
(``nkohub_shared.storage.organizations``) that ``registry.organization.*`` events feed."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from nkohub_shared.storage.organizations import OrganizationReadModel

Document = dict[str, Any]
LISTED = {"full_name": 1, "short_name": 1, "ogrn": 1, "status": 1}


class OrganizationRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.read_model = OrganizationReadModel(db)
        self.collection = self.read_model.collection

    async def get(self, organization_id: str) -> Document | None:
        return await self.read_model.get(organization_id)

    async def by_ogrn(self, ogrn: str) -> Document | None:
        return await self.collection.find_one({"ogrn": ogrn})

    async def all(self) -> list[Document]:
        return [o async for o in self.collection.find({}, {**LISTED, "_id": 1})]

    async def page(self, ogrn: str | None, skip: int, limit: int) -> tuple[list[Document], int]:
        """One page in id order, and how many there are in all."""
        query: Document = {"ogrn": ogrn} if ogrn else {}
        cursor = self.collection.find(query, LISTED).sort("_id", 1).skip(skip).limit(limit)
        return [o async for o in cursor], await self.collection.count_documents(query)
