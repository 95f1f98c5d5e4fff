"""Official organizations: entry (staff, import, an approved self-registration), changes
(staff or import), needs, grants, search and the history shown with each organization.
Self-registrations are proposals (``service.proposals``) until staff approve them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from nkohub_registry.domain import audit
from nkohub_registry.domain.history import GrantWon, history_view
from nkohub_registry.domain.needs import NeedsSurvey, needs_report
from nkohub_registry.domain.organizations import (
    OrganizationCreate,
    OrganizationFilter,
    approval,
    new_document,
    plan_change,
    registered_event,
    stored_values,
)
from nkohub_registry.domain.table import VERIFIED
from nkohub_registry.domain.vocabulary import Source
from nkohub_registry.repository import (
    ErasedRepository,
    HistoryRepository,
    OrganizationRepository,
    PeopleRepository,
)
from nkohub_shared.errors import Conflict, InvalidInput, NotFound
from nkohub_shared.privacy import person_key
from nkohub_shared.storage.querycache import QueryCache
from nkohub_shared.storage.writeclock import WRITES, WriteClock

MAX_ATTEMPTS = 5
SEARCHES = QueryCache()
SEARCH_READS = ("organizations", "history")
Document = dict[str, Any]


def _now() -> datetime:
    return datetime.now(UTC)


def _busy() -> Conflict:
    return Conflict("организацию одновременно меняют; повторите", field="id")


class OrganizationService:
    def __init__(
        self,
        organizations: OrganizationRepository,
        people: PeopleRepository,
        history: HistoryRepository,
        erased: ErasedRepository,
        *,
        writes: WriteClock = WRITES,
    ) -> None:
        self.organizations = organizations
        self.people = people
        self.history = history
        self.erased = erased
        self.writes = writes  # the runtime's write clock: the public searches' freshness

    async def email_erased(self, email: str) -> bool:
        """Whether this address is an erased person's (an import then does not store it)."""
        return bool(await self.erased.erased([person_key(email)]))

    async def _check_leader(self, person_id: str | None) -> None:
        if person_id and not await self.people.get(person_id):
            raise InvalidInput("нет такого человека в реестре", field="leader_person_id")

    async def create(
        self,
        data: OrganizationCreate,
        *,
        source: Source,
        actor: str | None = None,
        action: str = "created",
    ) -> Document:
        """An official record — staff entry, import, or a self-registration staff approved —
        announced at once; ``DuplicateOrganization`` (409) for a twin. ``actor``: the staff
        member behind it (in its staff history as ``action``, and in the event)."""
        await self._check_leader(data.leader_person_id)
        values = stored_values(data.model_dump())
        by_hand = sorted(data.model_fields_set) if source is Source.STAFF else []
        doc = new_document(
            values, source=source, hand_edited=by_hand, approved=True, actor=actor, action=action
        )
        await self.organizations.insert(doc, registered_event(doc, actor))
        return doc

    async def get(self, organization_id: str) -> Document:
        doc = await self.organizations.get(organization_id)
        if doc is None:
            raise NotFound("нет такой организации", field="id")
        return doc

    async def visible(self, organization_id: str, *, staff: bool) -> Document:
        """An organization as the caller may see it: the public never sees one awaiting
        approval."""
        doc = await self.get(organization_id)
        if not staff and not doc.get("approved", True):
            raise NotFound("нет такой организации", field="id")
        return doc

    async def by_ogrn(self, ogrn: str) -> Document | None:
        return await self.organizations.by_ogrn(ogrn)

    async def change(
        self,
        organization_id: str,
        values: dict[str, Any],
        *,
        by_hand: bool,
        reason: str | None = None,
        actor: str | None = None,
        action: str = "updated",
    ) -> tuple[Document, list[str]]:
        """Change fields; returns the document after and the names of the changed fields.

        ``by_hand``: a staff edit, remembered so an import leaves these fields alone; an
        import (``by_hand=False``) skips fields staff edited by hand."""
        if "leader_person_id" in values:
            await self._check_leader(values["leader_person_id"])
        for _ in range(MAX_ATTEMPTS):
            doc = await self.get(organization_id)
            change = plan_change(
                doc, values, by_hand=by_hand, reason=reason, actor=actor, action=action
            )
            if change is None:
                return doc, []
            duplicate = await self.organizations.find_duplicate(
                change.values.get("ogrn"), change.values.get("inn"), exclude_id=organization_id
            )
            if duplicate:
                raise duplicate
            result = await self.organizations.update_if_unchanged(
                organization_id, doc["updated_at"], change.update, *change.events
            )
            if result is not None:
                return result, change.fields
        raise _busy()

    async def approve(self, organization_id: str, *, actor: str) -> Document:
        """Approve a self-registration stored, before proposals, as an unapproved
        organization (records of older versions): it becomes public and is announced."""
        doc = await self.get(organization_id)
        if doc.get("approved", True):
            return doc
        change = approval(doc, actor=actor)
        result = await self.organizations.update_if_unchanged(
            organization_id, doc["updated_at"], change.update, *change.events
        )
        if result is None:
            raise _busy()
        return result

    async def set_needs(self, organization_id: str, survey: NeedsSurvey, *, actor: str) -> Document:
        doc = await self.organizations.set_needs(
            organization_id, survey.stored(), audit.entry(actor, "needs_recorded", _now())
        )
        if doc is None:
            raise NotFound("нет такой организации", field="id")
        return doc

    async def add_grant(self, organization_id: str, grant: GrantWon, *, actor: str) -> Document:
        record = grant.stored()
        history = audit.entry(actor, "grant_added", _now())
        if not await self.organizations.add_grant(organization_id, record, history):
            raise NotFound("нет такой организации", field="id")
        return record

    async def history_of(self, doc: Document) -> Document:
        """The history view of one organization (counts and dates, no person keys)."""
        return history_view(await self.history.get(doc["_id"]), doc.get("grants") or [])

    async def search(
        self, flt: OrganizationFilter, *, staff: bool, sort: str, skip: int, limit: int
    ) -> tuple[list[tuple[Document, Document]], int]:
        """A page of (organization, its history view) and the total found. The public's
        searches are answered from a cache kept fresh by every replica's writes
        (``nkohub_shared.web.caching``); staff always read the store."""
        if staff:
            return await self._search(flt, staff=True, sort=sort, skip=skip, limit=limit)
        return await SEARCHES.get(
            database=self.organizations.database,
            collections=SEARCH_READS,
            key=(repr(flt), sort, skip, limit),
            clock=self.writes,
            build=lambda: self._search(flt, staff=False, sort=sort, skip=skip, limit=limit),
        )

    async def _search(
        self, flt: OrganizationFilter, *, staff: bool, sort: str, skip: int, limit: int
    ) -> tuple[list[tuple[Document, Document]], int]:
        items, total = await self.organizations.search(
            flt.seen_by(staff), sort=sort, skip=skip, limit=limit
        )
        histories = await self.history.of([d["_id"] for d in items])
        return [
            (d, history_view(histories.get(d["_id"]), d.get("grants") or [])) for d in items
        ], total

    async def export(self, flt: OrganizationFilter, *, sort: str) -> AsyncIterator[Document]:
        """Every organization matching (staff only: approved or not), marked verified
        unless it is an unapproved self-registration of older versions."""
        async for doc in self.organizations.iterate(flt.seen_by(staff=True), sort=sort):
            yield {**doc, VERIFIED: bool(doc.get("approved", True))}

    async def needs_report(self) -> Document:
        answers, total = await self.organizations.needs_answers()
        return needs_report(answers, total)
