"""People: personal data held under a consent, and its erasure (152-ФЗ) by an admin or by
the person through the signed, expiring link an admin sends them.

Erasure is complete in the registry and durable: the person's record loses every personal
field, the history read model loses their key (its count of people stays), and a tombstone
(their key, an HMAC) keeps a late attendance event or a re-entry from an old consent from
bringing their data back.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from nkohub_registry.domain.people import (
    ERASURE_LINK_DAYS,
    PersonCreate,
    check_not_erased,
    erasure,
    erasure_link_expiry,
    held_key,
    new_person,
)
from nkohub_registry.repository import (
    ErasedRepository,
    ErasureRequestRepository,
    HistoryRepository,
    OrganizationRepository,
    PeopleRepository,
    ProposalRepository,
)
from nkohub_shared.errors import Forbidden, InvalidInput, NotFound
from nkohub_shared.links import LinkSigner, Purpose, erasure_path

Document = dict[str, Any]


class PeopleService:
    def __init__(
        self,
        people: PeopleRepository,
        organizations: OrganizationRepository,
        history: HistoryRepository,
        erased: ErasedRepository,
        proposals: ProposalRepository,
        *,
        links: LinkSigner,
        base_url: str,
        requests: ErasureRequestRepository | None = None,
    ) -> None:
        self.requests = requests
        self.people = people
        self.proposals = proposals
        self.organizations = organizations
        self.history = history
        self.erased = erased
        self.links = links
        self.base_url = base_url

    async def add(self, data: PersonCreate, *, actor: str | None = None) -> Document:
        for organization_id in data.organization_ids:
            if not await self.organizations.get(organization_id):
                raise InvalidInput(f"нет организации {organization_id}", field="organization_ids")
        doc = new_person(data, actor)
        if data.email:  # someone without an address gets a new key: nobody to recognise
            erased_at = await self.erased.erased_at(doc["person_key"])
            check_not_erased(erased_at, data.processing_consent.given_at)
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

    # --- the erasure link ---------------------------------------------------------------

    async def erasure_link(self, person_id: str) -> dict[str, Any]:
        """The link (to the confirmation page) that lets the person erase their own data,
        with its token and expiry: the token signs the purpose, the person and the expiry."""
        await self.get(person_id)
        return self.link_of(person_id)

    def link_of(
        self, person_id: str, *, days: int = ERASURE_LINK_DAYS, now: datetime | None = None
    ) -> dict[str, Any]:
        """A signed erasure link of ``person_id`` valid ``days`` from ``now``."""
        expires = erasure_link_expiry(now, days)
        token = self.links.expiring(Purpose.ERASURE, person_id, expires)
        base = self.base_url.rstrip("/")
        return {
            "token": token,
            "expires": expires,
            "expires_at": datetime.fromtimestamp(expires, UTC),
            "url": f"{base}{erasure_path(person_id)}?expires={expires}&token={token}",
        }

    def link_valid(self, person_id: str, expires: int | None, token: str | None) -> bool:
        """Whether (expires, token) is an unexpired erasure link of this person."""
        return self.links.valid_until(Purpose.ERASURE, person_id, expires, token)

    async def by_link(self, person_id: str, expires: int | None, token: str | None) -> Document:
        """The person an erasure link is for; ``Forbidden`` for an invalid or expired one."""
        if not self.link_valid(person_id, expires, token):
            raise Forbidden("ссылка недействительна или устарела", field="token")
        return await self.get(person_id)

    async def erase_by_link(
        self, person_id: str, expires: int | None, token: str | None
    ) -> Document:
        """The person erases their data with their link (403 without a valid one)."""
        if not self.link_valid(person_id, expires, token):
            raise Forbidden("нужен токен администратора или ссылка из письма", field="token")
        return await self.erase(person_id, requested_by="person")

    # --- erasure --------------------------------------------------------------------------

    async def erase(self, person_id: str, requested_by: str) -> Document:
        """Remove the person's personal data and publish ``registry.person.erased`` (once;
        erasing again changes and publishes nothing). The tombstone is written first, so
        that an attendance arriving meanwhile is either refused its key or pulled here."""
        doc = await self.get(person_id)
        if doc.get("erased_at") is None:
            key = held_key(doc)
            now = datetime.now(UTC)
            await self.erased.remember([key], now)
            await self.history.forget_person(key)
            await self.proposals.forget_contacts(
                emails=[doc["email"]] if doc.get("email") else [],
                phones=[doc["phone"]] if doc.get("phone") else [],
            )
            update, event = erasure(doc, requested_by, now=now)
            await self.people.erase(person_id, update, event)
            if self.requests is not None:  # the public form's requests: done, keyless
                await self.requests.mark_erased(key, now)
                await self.requests.forget(key)
        return await self.get(person_id)
