"""One typed HTTP client per service. Each call carries a fresh short-lived staff token of
the signed-in account; a refusal becomes ``ServiceRefused`` (with the field it names), an
unreachable service ``ServiceUnavailable``."""

from nkohub_console.service.clients.base import (
    Download,
    ServiceClient,
    ServiceRefused,
    ServiceUnavailable,
)
from nkohub_console.service.clients.events import EventsClient
from nkohub_console.service.clients.notifications import NotificationsClient
from nkohub_console.service.clients.publishing import PublishingClient
from nkohub_console.service.clients.registry import RegistryClient
from nkohub_console.service.clients.services import Services

__all__ = [
    "Download",
    "EventsClient",
    "NotificationsClient",
    "PublishingClient",
    "RegistryClient",
    "ServiceClient",
    "ServiceRefused",
    "ServiceUnavailable",
    "Services",
]
