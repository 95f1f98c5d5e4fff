"""Organizations that registrations and bookings name, checked against the registry's
read model; and the list of known organizations for staff."""

from __future__ import annotations

from typing import Any

from nkohub_events.domain import organizations as rules
from nkohub_events.repository.organizations import OrganizationRepository


class OrganizationService:
    def __init__(self, organizations: OrganizationRepository) -> None:
        self._organizations = organizations

    async def resolve(
        self, organization_id: str | None, ogrn: str | None, name: str | None
    ) -> dict[str, Any]:
        """The organization fields a registration or booking stores: a registry id must
        be known; an ОГРН is matched to the registry when it can be; a name is kept."""
        if organization_id:
            return rules.chosen(organization_id, await self._organizations.get(organization_id))
        if ogrn:
            org = await self._organizations.by_ogrn(ogrn)
            if org is not None:
                return rules.fields_of(org)
        return rules.typed(ogrn, name)

    async def registered(self, organization_id: str | None) -> dict[str, Any] | None:
        """The registry's record of an organization (with its public e-mail), if known."""
        if not organization_id:
            return None
        return await self._organizations.get(organization_id)

    async def known(self, ogrn: str | None, page: int, per_page: int) -> dict[str, Any]:
        items, total = await self._organizations.page(ogrn, (page - 1) * per_page, per_page)
        return {
            "items": [rules.known_view(o) for o in items],
            "total": total,
            "page": page,
            "per_page": per_page,
        }
