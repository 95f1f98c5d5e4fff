"""Use cases of the registry: the rules of the domain applied to the stored state.

Routes, the import and the CLI all go through here, so that every change writes its
events through the outbox in the same single-document write, and every edit by staff is
remembered (``hand_edited``) so that an import never overwrites it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from nkohub_registry.domain.history import GrantWon, history_view
from nkohub_registry.domain.needs import NeedsSurvey, needs_report
from nkohub_registry.domain.organizations import (
    OrganizationCreate,
    change_events,
    diff,
    new_document,
    registered_event,
    search_fields,
    stored_values,
)
from nkohub_registry.domain.people import PersonCreate, erasure, new_person
from nkohub_registry.domain.vocabulary import Source
from nkohub_registry.repository import (
    DuplicateOrganization,
    OrganizationRepository,
    PeopleRepository,
)
from nkohub_shared.errors import Conflict, InvalidInput, NotFound

MAX_ATTEMPTS = 5


def conflict_of(duplicate: DuplicateOrganization) -> Conflict:
    label = "ОГРН" if duplicate.field == "ogrn" else "ИНН"
    existing = duplicate.existing
    return Conflict(
        f"организация с таким {label} уже есть: «{existing.get('full_name')}»",
        field=duplicate.field,
        existing={"id": existing.get("_id"), "full_name": existing.get("full_name")},
    )


class Relay:
    """What the service needs of the outbox relay (the CLI has none running)."""

    def kick(self) -> None: ...


class RegistryService:
    def __init__(
        self,
        organizations: OrganizationRepository,
        people: PeopleRepository,
        relay: Any = None,
    ) -> None:
        self.organizations = organizations
        self.people = people
        self.relay = relay or Relay()

    # --- organizations ---------------------------------------------------------------------

    async def _check_leader(self, person_id: str | None) -> None:
        if person_id and not await self.people.get(person_id):
            raise InvalidInput("нет такого человека в реестре", field="leader_person_id")

    async def create(self, data: OrganizationCreate, *, source: Source) -> dict[str, Any]:
        """Staff entry (published at once) or self-registration (awaits approval)."""
        await self._check_leader(data.leader_person_id)
        values = stored_values(data.model_dump())
        by_hand = sorted(data.model_fields_set) if source is Source.STAFF else []
        approved = source is not Source.SELF_REGISTERED
        doc = new_document(values, source=source, hand_edited=by_hand, approved=approved)
        events = [registered_event(doc)] if approved else []
        try:
            await self.organizations.insert(doc, *events)
        except DuplicateOrganization as dup:
            raise conflict_of(dup) from None
        self.relay.kick()
        return doc

    async def get(self, organization_id: str) -> dict[str, Any]:
        doc = await self.organizations.get(organization_id)
        if doc is None:
            raise NotFound("нет такой организации", field="id")
        return doc

    async def change(
        self,
        organization_id: str,
        values: dict[str, Any],
        *,
        by_hand: bool,
        reason: str | None = None,
        extra_set: dict[str, Any] | None = None,
    ) -> tuple[dict[str, Any], list[str]]:
        """Change fields; returns the document after and the names of the changed fields.

        ``by_hand``: a staff edit, remembered so an import leaves these fields alone; an
        import (``by_hand=False``) skips fields staff edited by hand."""
        if "leader_person_id" in values:
            await self._check_leader(values["leader_person_id"])
        for _ in range(MAX_ATTEMPTS):
            doc = await self.get(organization_id)
            wanted = values
            if not by_hand:
                wanted = {k: v for k, v in values.items() if k not in doc.get("hand_edited", [])}
            changed = diff(doc, wanted)
            if not changed and not extra_set:
                return doc, []
            duplicate = await self.organizations.find_duplicate(
                changed.get("ogrn"), changed.get("inn"), exclude_id=organization_id
            )
            if duplicate:
                raise conflict_of(duplicate)
            after = {**doc, **changed}
            update_set: dict[str, Any] = {
                **changed,
                **search_fields(after),
                **(extra_set or {}),
                "updated_at": datetime.now(UTC),
            }
            update: dict[str, Any] = {"$set": update_set}
            if by_hand and changed:
                update["$addToSet"] = {"hand_edited": {"$each": sorted(changed)}}
            events = change_events(doc, {**after, **(extra_set or {})}, sorted(changed), reason)
            try:
                result = await self.organizations.update(
                    organization_id, doc["updated_at"], update, *events
                )
            except Exception as exc:  # a unique index refused a concurrent twin
                if exc.__class__.__name__ == "DuplicateKeyError":
                    dup = await self.organizations.find_duplicate(
                        changed.get("ogrn"), changed.get("inn"), exclude_id=organization_id
                    )
                    if dup:
                        raise conflict_of(dup) from None
                raise
            if result is not None:
                if events:
                    self.relay.kick()
                return result, sorted(changed)
        raise Conflict("организацию одновременно меняют; повторите", field="id")

    async def approve(self, organization_id: str) -> dict[str, Any]:
        """Approve a self-registration: it becomes public and is announced."""
        doc = await self.get(organization_id)
        if doc.get("approved", True):
            return doc
        now = datetime.now(UTC)
        after = {**doc, "approved": True, "updated_at": now}
        result = await self.organizations.update(
            organization_id,
            doc["updated_at"],
            {"$set": {"approved": True, "updated_at": now}},
            registered_event(after),
        )
        if result is None:
            raise Conflict("организацию одновременно меняют; повторите", field="id")
        self.relay.kick()
        return result

    async def set_needs(self, organization_id: str, survey: NeedsSurvey) -> dict[str, Any]:
        await self.get(organization_id)
        doc = await self.organizations.raw_update(
            organization_id,
            {"$set": {"needs": survey.stored(), "updated_at": datetime.now(UTC)}},
        )
        assert doc is not None
        return doc

    async def add_grant(self, organization_id: str, grant: GrantWon) -> dict[str, Any]:
        await self.get(organization_id)
        record = grant.stored()
        await self.organizations.raw_update(
            organization_id,
            {"$push": {"grants": record}, "$set": {"updated_at": datetime.now(UTC)}},
        )
        return record

    async def history(self, doc: dict[str, Any]) -> dict[str, Any]:
        return history_view(
            await self.organizations.history_of(doc["_id"]), doc.get("grants") or []
        )

    async def needs_report(self) -> dict[str, Any]:
        answers, total = await self.organizations.needs_answers()
        return needs_report(answers, total)

    # --- people ----------------------------------------------------------------------------

    async def add_person(self, data: PersonCreate) -> dict[str, Any]:
        for organization_id in data.organization_ids:
            if not await self.organizations.get(organization_id):
                raise InvalidInput(f"нет организации {organization_id}", field="organization_ids")
        doc = new_person(data)
        await self.people.insert(doc)
        return doc

    async def erase_person(self, person_id: str, requested_by: str) -> dict[str, Any]:
        doc = await self.people.get(person_id)
        if doc is None:
            raise NotFound("нет такого человека", field="id")
        if doc.get("erased_at") is None:
            if doc.get("person_key"):  # the history keeps a count, not the key
                await self.organizations.forget_person(doc["person_key"])
            update, event = erasure(doc, requested_by)
            if await self.people.erase(person_id, update, event):
                self.relay.kick()
        result = await self.people.get(person_id)
        assert result is not None
        return result
