"""The registry: organizations, self-registrations, people and consents, needs."""

from __future__ import annotations

from typing import Any

from nkohub_console.service.clients.base import Download, ServiceClient

Json = dict[str, Any]


class RegistryClient(ServiceClient):
    service = "registry"

    async def organizations(self, filters: Json, page: int = 1, per_page: int = 25) -> Json:
        return await self.get("/organizations", {**filters, "page": page, "per_page": per_page})

    async def organization(self, organization_id: str) -> Json:
        return await self.get(f"/organizations/{organization_id}")

    async def create_organization(self, fields: Json) -> Json:
        return await self.post("/organizations", fields)

    async def update_organization(self, organization_id: str, fields: Json) -> Json:
        return await self.patch(f"/organizations/{organization_id}", fields)

    async def approve_organization(self, organization_id: str) -> Json:
        return await self.post(f"/organizations/{organization_id}/approve")

    async def proposals(self, status: str | None = "pending", page: int = 1) -> Json:
        return await self.get("/proposals", {"status": status, "page": page, "per_page": 50})

    async def proposal(self, proposal_id: str) -> Json:
        return await self.get(f"/proposals/{proposal_id}")

    async def decide_proposal(
        self, proposal_id: str, action: str, body: Json | None = None
    ) -> Json:
        """``approve`` (with an official twin, ``{"fields": [...]}`` merges those into it) or
        ``reject``."""
        return await self.post(f"/proposals/{proposal_id}/{action}", body)

    async def import_file(self, filename: str, content: bytes, media_type: str) -> Json:
        return await self.upload("/organizations/import", filename, content, media_type)

    async def export(self, fmt: str, filters: Json) -> Download:
        return await self.download(
            "/organizations/export", {**filters, "format": fmt}, fallback=f"organizations.{fmt}"
        )

    async def people(self, organization_id: str | None = None, page: int = 1) -> Json:
        return await self.get(
            "/people", {"organization_id": organization_id, "page": page, "per_page": 50}
        )

    async def person(self, person_id: str) -> Json:
        return await self.get(f"/people/{person_id}")

    async def erase_person(self, person_id: str) -> None:
        await self.delete(f"/people/{person_id}")

    async def erasure_requests(self) -> Json:
        """The public form's erasure requests: counts by status (no addresses)."""
        return await self.get("/erasure-requests", {"recent": 0})

    async def needs_report(self) -> Json:
        return await self.get("/reports/needs")
