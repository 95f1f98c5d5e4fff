"""Settings of the events service (environment variables ``NKOHUB_*``)."""

from typing import ClassVar

from pydantic import Field

from nkohub_shared.settings import ServiceSettings


class EventsSettings(ServiceSettings):
    service_name: ClassVar[str] = "events"
    default_port: ClassVar[int] = 8002

    venue_timezone: str = Field(
        default="Europe/Samara",
        description="the venue's time zone: the days of report periods and date filters",
    )
    consent_text_version: str = Field(
        default="2026-01", description="version of the personal-data consent text shown"
    )
    consultations_per_organization: int = Field(
        default=2, ge=1, le=50, description="active consultation bookings per NGO per meetup"
    )
    reconcile_seconds: float = Field(
        default=10.0, gt=0, description="how often half-finished registrations are repaired"
    )
