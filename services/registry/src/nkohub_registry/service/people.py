"""People: personal data held under a consent, and its erasure (152-ФЗ) by staff or by
the person through the signed link staff send them."""

from __future__ import annotations

from typing import Any

from nkohub_registry.domain.people import PersonCreate, erasure, new_person
from nkohub_registry.repository import HistoryRepository, OrganizationRepository, PeopleRepository
from nkohub_shared.errors import Forbidden, InvalidInput, NotFound
from nkohub_shared.links import LinkSigner, Purpose, erasure_path

Document = dict[str, Any]


class PeopleService:
    def __init__(
        self,
        people: PeopleRepository,
        organizations: OrganizationRepository,
        history: HistoryRepository,
        *,
        links: LinkSigner,
        base_url: str,
    ) -> None:
        self.people = people
        self.organizations = organizations
        self.history = history
        self.links = links
        self.base_url = base_url

    async def add(self, data: PersonCreate) -> Document:
        for organization_id in data.organization_ids:
            if not await self.organizations.get(organization_id):
                raise InvalidInput(f"нет организации {organization_id}", field="organization_ids")
        doc = new_person(data)
        await self.people.insert(doc)
        return doc

    async def get(self, person_id: str) -> Document:
        doc = await self.people.get(person_id)
        if doc is None:
            raise NotFound("нет такого человека", field="id")
        return doc

    async def list(
        self, *, organization_id: str | None, role: str | None, skip: int, limit: int
    ) -> tuple[list[Document], int]:
        return await self.people.list(
            organization_id=organization_id, role=role, skip=skip, limit=limit
        )

    async def erasure_link(self, person_id: str) -> dict[str, str]:
        """The token, and the link with it, that lets the person erase their own data."""
        await self.get(person_id)
        return {
            "token": self.links.token(Purpose.ERASURE, person_id),
            "url": self.links.link(
                self.base_url, erasure_path(person_id), Purpose.ERASURE, person_id
            ),
        }

    async def erase_by_link(self, person_id: str, token: str | None) -> None:
        """The person erases their data with the token of their link (403 without it)."""
        if not self.links.valid(Purpose.ERASURE, person_id, token):
            raise Forbidden("нужен токен сотрудника или ссылка из письма", field="token")
        await self.erase(person_id, requested_by="person")

    async def erase(self, person_id: str, requested_by: str) -> Document:
        """Remove the person's personal data and publish ``registry.person.erased`` (once;
        erasing again changes and publishes nothing). The history keeps a count of the
        people who came, not their keys."""
        doc = await self.get(person_id)
        if doc.get("erased_at") is None:
            if doc.get("person_key"):
                await self.history.forget_person(doc["person_key"])
            update, event = erasure(doc, requested_by)
            await self.people.erase(person_id, update, event)
        return await self.get(person_id)
