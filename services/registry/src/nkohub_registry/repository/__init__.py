"""MongoDB storage of the registry service (its own database, ``nkohub_registry``).

Collections: ``organizations`` and ``people`` (each carries its events in ``_outbox``,
written through the shared ``EventWriter``), ``proposals`` (self-registrations awaiting
staff; ``registry.proposal.submitted`` in its outbox), ``erasure_requests`` (the public
form's requests, without the address, with their events in ``_outbox``),
``erased_people`` (tombstones: person keys of erased people), ``history`` (the read
model fed by the events service's events, written with
``apply_once``). Nothing outside this package touches them.
"""

from __future__ import annotations

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from nkohub_registry.domain.organizations import OrganizationFilter
from nkohub_registry.repository.collections import (
    ERASURE_REQUESTS,
    HISTORY,
    ORGANIZATIONS,
    PEOPLE,
    PROPOSALS,
    Document,
)
from nkohub_registry.repository.erased import ErasedRepository
from nkohub_registry.repository.erasure_requests import ErasureRequestRepository
from nkohub_registry.repository.history import HistoryRepository
from nkohub_registry.repository.organizations import OrganizationRepository
from nkohub_registry.repository.people import PeopleRepository
from nkohub_registry.repository.proposals import ProposalRepository
from nkohub_shared.storage.mongo import ensure_indexes

__all__ = [
    "INDEXES",
    "OUTBOX_COLLECTIONS",
    "ErasedRepository",
    "ErasureRequestRepository",
    "HistoryRepository",
    "OrganizationFilter",
    "OrganizationRepository",
    "PeopleRepository",
    "ProposalRepository",
    "prepare",
]

INDEXES: dict[str, list[IndexModel]] = {
    ORGANIZATIONS: [
        IndexModel([("ogrn", ASCENDING)], unique=True, name="ogrn_unique"),
        IndexModel([("inn", ASCENDING)], name="inn"),
        IndexModel([("search_words", ASCENDING)], name="search_words"),
        IndexModel([("sort_name", ASCENDING)], name="sort_name"),
        IndexModel([("activity_areas", ASCENDING)], name="activity_areas"),
        IndexModel([("status", ASCENDING), ("legal_form", ASCENDING)], name="status_form"),
    ],
    PROPOSALS: [
        IndexModel([("ogrn", ASCENDING)], name="ogrn"),
        IndexModel([("status", ASCENDING), ("created_at", ASCENDING)], name="status_created"),
    ],
    PEOPLE: [
        IndexModel([("organization_ids", ASCENDING)], name="organizations"),
        IndexModel([("person_key", ASCENDING)], name="person_key"),
    ],
    HISTORY: [IndexModel([("came", ASCENDING)], name="came")],
    ERASURE_REQUESTS: [
        IndexModel([("person_key", ASCENDING)], name="person_key"),
        IndexModel([("requested_at", ASCENDING)], name="requested_at"),
    ],
}
OUTBOX_COLLECTIONS: list[str] = [ORGANIZATIONS, PEOPLE, ERASURE_REQUESTS, PROPOSALS]


async def prepare(db: AsyncDatabase[Document]) -> None:
    """Create the registry's indexes where no running service did (the CLI)."""
    await ensure_indexes(db, INDEXES)
