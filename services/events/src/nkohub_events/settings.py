"""Settings of the events service (environment variables ``NKOHUB_*``)."""

from pathlib import Path
from typing import ClassVar

from pydantic import AnyHttpUrl, Field

from nkohub_events.domain.door import DoorLimits
from nkohub_shared.settings import PublicCacheSettings


class EventsSettings(PublicCacheSettings):
    service_name: ClassVar[str] = "events"
    default_port: ClassVar[int] = 8002

    venue_timezone: str = Field(
        default="Europe/Samara",
        description="the venue's time zone: the days of report periods and date filters",
    )
    notifications_public_url: AnyHttpUrl = Field(
        default=AnyHttpUrl("http://localhost:8003"),
        description="public base URL of the notifications service (its subscription form)",
    )
    consent_text_version: str = Field(
        default="2026-01", description="version of the personal-data consent text shown"
    )
    pdf_font_dir: Path = Field(
        default=Path("/usr/share/fonts/truetype/dejavu"),
        description="where DejaVuSans.ttf and DejaVuSans-Bold.ttf are (sign-in sheets, badges)",
    )
    consultations_per_organization: int = Field(
        default=2, ge=1, le=50, description="active consultation bookings per NGO per meetup"
    )
    reconcile_seconds: float = Field(
        default=10.0, gt=0, description="how often half-finished registrations are repaired"
    )

    # The public door (see README, "Limits of the public forms").
    form_posts_per_client_per_hour: int = Field(
        default=30, ge=1, le=100_000, description="uses of each public form per client address"
    )
    mails_per_address_per_hour: int = Field(
        default=6,
        ge=1,
        le=1000,
        description="registrations, cancellations, bookings and booking cancellations "
        "(each mails the address) per target e-mail address",
    )
    posts_per_registration_per_hour: int = Field(
        default=10, ge=1, le=1000, description="questions, and feedback, per registration"
    )
    registrations_per_client_per_meetup: int = Field(
        default=10, ge=1, le=10_000, description="active registrations a client address holds"
    )
    bookings_per_client_per_meetup: int = Field(
        default=3, ge=1, le=1000, description="active consultation bookings per client address"
    )
    bookings_per_address_per_meetup: int = Field(
        default=2, ge=1, le=1000, description="active consultation bookings per e-mail address"
    )
    sheet_max_bytes: int = Field(
        default=5_000_000, ge=1000, description="largest sign-in sheet upload (else 413)"
    )
    sheet_max_rows: int = Field(
        default=5000, ge=1, le=1_000_000, description="most rows of a sign-in sheet (else 413)"
    )

    @property
    def door(self) -> DoorLimits:
        return DoorLimits(
            per_client_per_hour=self.form_posts_per_client_per_hour,
            mails_per_address_per_hour=self.mails_per_address_per_hour,
            per_registration_per_hour=self.posts_per_registration_per_hour,
            registrations_per_client_per_meetup=self.registrations_per_client_per_meetup,
            bookings_per_client_per_meetup=self.bookings_per_client_per_meetup,
            bookings_per_address_per_meetup=self.bookings_per_address_per_meetup,
        )
