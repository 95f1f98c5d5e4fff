"""A service's local copy of the registry's organizations, fed by ``registry.organization.*``.

Any service that shows or checks organizations keeps one (never reading the registry's
database). Writes are idempotent (``apply_once``, grouped: ``ApplyOnce``; the event id
recorded in the organization's own document is all the consumer keeps of it) and ordered
by the event's time: an older event that arrives late (events of the bus carry no order)
does not overwrite a newer state.
Its consumers are registered by ``nkohub_shared.bus.readmodels.follow_organizations``.
"""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from nkohub_contracts import CloudEvent
from nkohub_contracts.common import OrganizationPublic
from nkohub_shared.storage.idempotent import ApplyOnce

AS_OF = "as_of"
COLLECTION = "organizations"


def _not_newer(organization_id: str, envelope: CloudEvent) -> dict[str, Any]:
    return {"_id": organization_id, AS_OF: {"$not": {"$gt": envelope.time}}}


class OrganizationReadModel:
    """The ``organizations`` collection of a service that follows the registry."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.collection: AsyncCollection[dict[str, Any]] = db[COLLECTION]
        self._apply_once = ApplyOnce(self.collection)

    async def store(self, organization: OrganizationPublic, envelope: CloudEvent) -> None:
        """Keep the public record of a registered or updated organization (``active``
        derived from its status), unless this event or a newer one was applied."""
        fields = organization.model_dump(mode="json", exclude={"organization_id"})
        fields["active"] = organization.status == "active"
        fields[AS_OF] = envelope.time
        await self._apply_once(
            _not_newer(organization.organization_id, envelope),
            {"$set": fields},
            envelope.id,
            upsert=True,
        )

    async def deactivate(self, organization_id: str, status: str, envelope: CloudEvent) -> None:
        await self._apply_once(
            _not_newer(organization_id, envelope),
            {"$set": {"status": status, "active": False, AS_OF: envelope.time}},
            envelope.id,
            upsert=True,
        )

    async def get(self, organization_id: str) -> dict[str, Any] | None:
        return await self.collection.find_one({"_id": organization_id})
