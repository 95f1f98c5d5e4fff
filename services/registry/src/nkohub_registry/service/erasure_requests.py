"""The public erasure request: count the attempt, find who is held under the address,
store the request with one ``registry.erasure.requested`` per person (notifications mails
the link). The caller learns nothing about whether the address is known."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from nkohub_registry.domain.erasure_requests import (
    PER_ADDRESS,
    PER_CLIENT,
    REQUESTED_LINK_DAYS,
    TOO_MANY_FOR_ADDRESS,
    TOO_MANY_FROM_CLIENT,
    ErasureRequestForm,
    Link,
    new_request,
    request_view,
)
from nkohub_registry.repository import ErasureRequestRepository, PeopleRepository
from nkohub_registry.service.people import PeopleService
from nkohub_shared.privacy import person_key
from nkohub_shared.storage.ratelimit import RateCounter


class ErasureRequestService:
    def __init__(
        self,
        requests: ErasureRequestRepository,
        people: PeopleRepository,
        people_service: PeopleService,
        rate_limits: RateCounter,
    ) -> None:
        self.requests = requests
        self.people = people
        self.people_service = people_service
        self.rate_limits = rate_limits

    async def request(self, form: ErasureRequestForm, *, client: str) -> None:
        """Rate-limited per client address, then per e-mail address (``RateLimited``)."""
        await self.rate_limits.check(PER_CLIENT, client, TOO_MANY_FROM_CLIENT, field="email")
        key = person_key(form.email)
        await self.rate_limits.check(PER_ADDRESS, key, TOO_MANY_FOR_ADDRESS, field="email")
        now = datetime.now(UTC)
        links = []
        for person in await self.people.held_under(key):
            link = self.people_service.link_of(person["_id"], days=REQUESTED_LINK_DAYS, now=now)
            links.append(Link(person["_id"], person["email"], link["url"], link["expires_at"]))
        doc, events = new_request(key, links, now)
        await self.requests.insert(doc, events)

    async def summary(self, *, recent: int = 20) -> dict[str, Any]:
        """Staff: counts by status and the latest requests (no addresses)."""
        counts = await self.requests.counts()
        return {
            "counts": {s: counts.get(s, 0) for s in ("mailed", "unknown", "erased")},
            "total": sum(counts.values()),
            "recent": [request_view(d) for d in await self.requests.recent(recent)],
        }
