"""The four clients of one signed-in account, sharing one connection pool and one token
(minted on first use, a few minutes long: a page's calls all fit in it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx

from nkohub_console.service.clients.events import EventsClient
from nkohub_console.service.clients.notifications import NotificationsClient
from nkohub_console.service.clients.publishing import PublishingClient
from nkohub_console.service.clients.registry import RegistryClient


@dataclass(frozen=True)
class Services:
    registry: RegistryClient
    events: EventsClient
    notifications: NotificationsClient
    publishing: PublishingClient

    @classmethod
    def of(
        cls, http: httpx.AsyncClient, urls: Callable[[str], str], mint: Callable[[], str]
    ) -> Services:
        token: list[str] = []

        def current() -> str:
            if not token:
                token.append(mint())
            return token[0]

        return cls(
            registry=RegistryClient(http, urls("registry"), current),
            events=EventsClient(http, urls("events"), current),
            notifications=NotificationsClient(http, urls("notifications"), current),
            publishing=PublishingClient(http, urls("publishing"), current),
        )
