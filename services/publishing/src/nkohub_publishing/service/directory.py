"""«НКО Глазова»: the registry's active organizations, by activity area."""

from __future__ import annotations

from nkohub_publishing.domain import Document
from nkohub_publishing.domain.directory import by_activity_area
from nkohub_publishing.repository import OrganizationRepository


class DirectoryService:
    def __init__(self, organizations: OrganizationRepository) -> None:
        self.organizations = organizations

    async def by_area(self) -> tuple[list[tuple[str, list[Document]]], int]:
        """The groups of the page, and how many organizations there are."""
        active = await self.organizations.active()
        return by_activity_area(active), len(active)
