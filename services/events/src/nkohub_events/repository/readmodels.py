"""Read models fed by other services' events: organizations (registry) for display and
validation, posts and post views (publishing) for the practice report. Never their DBs."""

from __future__ import annotations

from typing import Any

from nkohub_events.repository.base import Store
from nkohub_shared.errors import InvalidInput


class Organizations(Store):
    @property
    def organizations(self):
        return self.db["organizations"]

    async def get(self, organization_id: str) -> dict[str, Any] | None:
        return await self.organizations.find_one({"_id": organization_id})

    async def names(self, ids: list[str]) -> dict[str, str]:
        cursor = self.organizations.find({"_id": {"$in": list(ids)}})
        # a deactivation that overtook its registration leaves a record without names
        return {
            o["_id"]: o.get("short_name") or o.get("full_name") or o["_id"] async for o in cursor
        }

    async def resolve(
        self, organization_id: str | None, ogrn: str | None, name: str | None
    ) -> dict[str, Any]:
        """The organization fields a registration or booking stores.

        A registry id must be known; an ОГРН is matched to the registry when it can be;
        a free-text name is kept as typed."""
        if organization_id:
            org = await self.get(organization_id)
            if org is None:
                raise InvalidInput(
                    f"no organization {organization_id!r} in the registry", field="organization_id"
                )
            if org.get("status", "active") == "liquidated":
                raise InvalidInput("the organization is liquidated", field="organization_id")
            return _fields(org)
        if ogrn:
            org = await self.organizations.find_one({"ogrn": ogrn})
            if org is not None:
                return _fields(org)
            return {"organization_id": None, "organization_ogrn": ogrn, "organization_name": name}
        return {"organization_id": None, "organization_ogrn": None, "organization_name": name}


def _fields(org: dict[str, Any]) -> dict[str, Any]:
    return {
        "organization_id": org["_id"],
        "organization_ogrn": org.get("ogrn"),
        "organization_name": org.get("short_name") or org.get("full_name"),
    }
