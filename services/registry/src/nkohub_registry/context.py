"""The registry's context: what its routes, pages, consumers and jobs need, built once from
the runtime."""

from __future__ import annotations

from dataclasses import dataclass

from nkohub_registry.repository import (
    ErasedRepository,
    ErasureRequestRepository,
    HistoryRepository,
    OrganizationRepository,
    PeopleRepository,
    ProposalRepository,
)
from nkohub_registry.service.erasure_requests import ErasureRequestService
from nkohub_registry.service.history import HistoryService
from nkohub_registry.service.organizations import OrganizationService
from nkohub_registry.service.people import PeopleService
from nkohub_registry.service.proposals import ProposalService
from nkohub_registry.settings import RegistrySettings
from nkohub_shared.links import LinkSigner
from nkohub_shared.runtime import ServiceRuntime


@dataclass(frozen=True)
class RegistryContext:
    runtime: ServiceRuntime[RegistrySettings, RegistryContext]
    organizations: OrganizationService
    proposals: ProposalService
    people: PeopleService
    history: HistoryService
    erasure_requests: ErasureRequestService

    @classmethod
    def of(cls, runtime: ServiceRuntime[RegistrySettings, RegistryContext]) -> RegistryContext:
        settings = runtime.settings
        organizations = OrganizationRepository(runtime.db, runtime.outbox)
        people = PeopleRepository(runtime.db, runtime.outbox)
        history = HistoryRepository(runtime.db)
        erased = ErasedRepository(runtime.db)
        proposals = ProposalRepository(runtime.db, runtime.outbox)
        requests = ErasureRequestRepository(runtime.db, runtime.outbox)
        organization_service = OrganizationService(
            organizations, people, history, erased, writes=runtime.writes
        )
        people_service = PeopleService(
            people,
            organizations,
            history,
            erased,
            proposals,
            links=LinkSigner(settings.link_secret.get_secret_value()),
            base_url=str(settings.public_base_url),
            requests=requests,
        )
        return cls(
            runtime=runtime,
            organizations=organization_service,
            proposals=ProposalService(
                proposals,
                organizations,
                organization_service,
                runtime.rate_limits,
            ),
            people=people_service,
            history=HistoryService(history, erased),
            erasure_requests=ErasureRequestService(
                requests, people, people_service, runtime.rate_limits
            ),
        )
