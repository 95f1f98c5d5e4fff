"""The registry's organizations as this service keeps them (``organizations``, fed by
``registry.organization.*`` through the shared read model)."""

from __future__ import annotations

from nkohub_publishing.domain import Document
from nkohub_shared.storage.organizations import OrganizationReadModel


class OrganizationRepository(OrganizationReadModel):
    async def active(self) -> list[Document]:
        """Active organizations by full name."""
        cursor = self.collection.find({"active": True}).sort([("full_name", 1)])
        return [org async for org in cursor]
