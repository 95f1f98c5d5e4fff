"""Self-registrations: an anonymous caller proposes, staff decide.

- ``submit``: counted against the caller's address (``SELF_REGISTRATION_LIMIT``, 429 with
  ``Retry-After`` past it), validated (only the self-registration fields; a staff-only
  field is refused naming it) and stored as a pending proposal. It never touches the
  official records, so it can neither hold an ОГРН nor learn whether one is held.
- ``approve``: without an official twin, the proposal becomes an official record
  (announced ``registered``, source ``self_registered``); with one, the fields staff chose
  (default: those the record lacks) are merged into it as a staff edit.
- ``reject``: the proposal is kept, marked rejected.
- ``adopt_unapproved``: at start, self-registrations stored by older versions as
  unapproved organizations become proposals, freeing the ОГРН they held.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from nkohub_contracts import new_event
from nkohub_registry.domain.needs import NeedsSurvey
from nkohub_registry.domain.organizations import OrganizationCreate
from nkohub_registry.domain.proposals import (
    ProposalApproval,
    ProposalStatus,
    decided,
    merge_values,
    new_proposal,
    parse_self_registration,
    proposal_from_unapproved,
    proposal_view,
    proposed_values,
    require_pending,
    submitted_event,
)
from nkohub_registry.domain.vocabulary import Source
from nkohub_registry.repository import OrganizationRepository, ProposalRepository
from nkohub_registry.service.organizations import OrganizationService
from nkohub_shared.errors import Conflict, NotFound
from nkohub_shared.limits import Limit
from nkohub_shared.storage.ratelimit import RateCounter

Document = dict[str, Any]

# A meetup at the library can have a room of NGOs registering from its one Wi-Fi address.
SELF_REGISTRATION_LIMIT = Limit("self-registration-per-client", 20, 3600)
TOO_MANY = (
    "Слишком много заявок с вашего адреса. Попробуйте позже или обратитесь "
    "в библиотеку: сотрудники внесут организацию сами."
)


class ProposalService:
    def __init__(
        self,
        proposals: ProposalRepository,
        organizations: OrganizationRepository,
        organization_service: OrganizationService,
        rate_limits: RateCounter,
        *,
        limit: Limit = SELF_REGISTRATION_LIMIT,
    ) -> None:
        self.proposals = proposals
        self.organizations = organizations
        self.organization_service = organization_service
        self.rate_limits = rate_limits
        self.limit = limit

    async def submit(self, payload: Any, *, client: str, needs: NeedsSurvey | None = None) -> None:
        """Count the attempt, validate, store the proposal (with the needs survey the
        public form asks, if answered). Nothing is returned: the answer is the same
        whatever the registry holds."""
        await self.rate_limits.check(self.limit, client, TOO_MANY)
        data = parse_self_registration(payload)
        proposal = new_proposal(data)
        if needs is not None:
            proposal["needs"] = needs.stored()
        await self.proposals.insert(proposal, new_event(submitted_event(proposal)))

    async def adopt_unapproved(self) -> int:
        """Move self-registrations that older versions kept as unapproved organizations
        (holding their ОГРН) into proposals; how many. Run once at every start."""
        moved = 0
        for org in await self.organizations.unapproved():
            await self.proposals.insert_if_absent(proposal_from_unapproved(org))
            await self.organizations.delete_unapproved(org["_id"])
            moved += 1
        return moved

    async def _get(self, proposal_id: str) -> Document:
        doc = await self.proposals.get(proposal_id)
        if doc is None:
            raise NotFound("нет такой заявки", field="id")
        return doc

    async def _twin(self, proposal: Document) -> Document | None:
        return await self.organizations.twin(proposal.get("ogrn"), proposal.get("inn"))

    async def view(self, proposal_id: str) -> Document:
        proposal = await self._get(proposal_id)
        return proposal_view(proposal, await self._twin(proposal))

    async def list(
        self, *, status: str | None, ogrn: str | None, skip: int, limit: int
    ) -> tuple[list[Document], int]:
        """A page of proposals (oldest first), each with its official twin if any."""
        items, total = await self.proposals.list(status=status, ogrn=ogrn, skip=skip, limit=limit)
        return [proposal_view(p, await self._twin(p)) for p in items], total

    async def export(self, *, status: str | None) -> AsyncIterator[Document]:
        """Rows of the proposals for a table: their fields, marked unverified."""
        async for proposal in self.proposals.iterate(status=status):
            yield {"_id": proposal["_id"], **proposed_values(proposal), "verified": False}

    async def approve(self, proposal_id: str, approval: ProposalApproval, *, by: str) -> Document:
        proposal = await self._get(proposal_id)
        require_pending(proposal)
        official = await self.organizations.twin(proposal.get("ogrn"), None)
        if official is None:
            data = OrganizationCreate.model_validate(proposed_values(proposal))
            official = await self.organization_service.create(
                data, source=Source.SELF_REGISTERED, actor=by, action="approved"
            )
            if proposal.get("needs"):  # the survey answered with the self-registration
                survey = NeedsSurvey.model_validate(proposal["needs"])
                official = await self.organization_service.set_needs(
                    official["_id"], survey, actor=by
                )
        else:
            values = merge_values(proposal, official, approval.fields)
            if values:
                official, _ = await self.organization_service.change(
                    official["_id"], values, by_hand=True, actor=by, action="merged"
                )
        return await self._decide(proposal_id, ProposalStatus.APPROVED, by, official["_id"])

    async def reject(self, proposal_id: str, *, by: str) -> Document:
        proposal = await self._get(proposal_id)
        require_pending(proposal)
        return await self._decide(proposal_id, ProposalStatus.REJECTED, by, None)

    async def _decide(
        self, proposal_id: str, status: ProposalStatus, by: str, organization_id: str | None
    ) -> Document:
        after = await self.proposals.decide(
            proposal_id, decided(status, by=by, organization_id=organization_id)
        )
        if after is None:
            raise Conflict("заявку рассмотрели одновременно с вами", field="status")
        return proposal_view(after, await self._twin(after))
