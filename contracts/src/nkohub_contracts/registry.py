"""Integration events published by the registry service."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from nkohub_contracts.base import IntegrationEvent
from nkohub_contracts.common import OrganizationPublic

__all__ = [
    "ErasureRequested",
    "OrganizationDeactivated",
    "OrganizationRegistered",
    "OrganizationUpdated",
    "PersonErased",
    "ProposalSubmitted",
]


class OrganizationRegistered(IntegrationEvent):
    """An organization entered the registry (by staff, import or approved self-registration).
    Carries its public fields only."""

    type: ClassVar[str] = "registry.organization.registered"
    organization: OrganizationPublic
    source: str  # imported, staff, self_registered
    actor: str | None = None  # the staff account that did it (its token's sub)

    def subject(self) -> str:
        return self.organization.organization_id


class OrganizationUpdated(IntegrationEvent):
    """Public fields of an organization changed; ``changed`` names them, ``organization``
    is the whole public record after the change."""

    type: ClassVar[str] = "registry.organization.updated"
    organization: OrganizationPublic
    changed: list[str]
    actor: str | None = None  # the staff account that did it (its token's sub)

    def subject(self) -> str:
        return self.organization.organization_id


class OrganizationDeactivated(IntegrationEvent):
    """An organization was suspended or liquidated."""

    type: ClassVar[str] = "registry.organization.deactivated"
    organization_id: str
    status: str  # suspended, liquidated
    reason: str | None = None
    actor: str | None = None  # the staff account that did it (its token's sub)

    def subject(self) -> str:
        return self.organization_id


class ProposalSubmitted(IntegrationEvent):
    """An NGO registered itself through the public form: its proposal awaits staff.
    Carries the organization's name, city and activity areas, never its contacts or the
    person who filled the form (not personal data, so the history stream keeps it)."""

    type: ClassVar[str] = "registry.proposal.submitted"
    proposal_id: str
    name: str  # the short name if given, else the full name
    full_name: str
    city: str | None = None
    activity_areas: list[str] = []
    submitted_at: datetime

    def subject(self) -> str:
        return self.proposal_id


class PersonErased(IntegrationEvent):
    """A person's personal data was erased (152-ФЗ); every service erases its copy.
    Carries pseudonymous person keys (as in ``Participant.person_key``), not addresses."""

    type: ClassVar[str] = "registry.person.erased"
    person_id: str
    person_keys: list[str]

    def subject(self) -> str:
        return self.person_id


class ErasureRequested(IntegrationEvent):
    """Someone asked, on the public form, to erase the personal data held under an e-mail
    address the registry knows: mail them the signed link to the confirmation page
    (``erase_url``, valid until ``expires_at``). Nothing is erased unless they open it and
    confirm. Carries the address and the link: personal data, never in the history
    stream. An address the registry does not know publishes nothing."""

    type: ClassVar[str] = "registry.erasure.requested"
    personal_data: ClassVar[bool] = True

    request_id: str
    person_id: str
    person_key: str  # the pseudonymous key the erasure will carry (its mail goes with it)
    email: str
    erase_url: str
    expires_at: datetime

    def subject(self) -> str:
        return self.person_id
