"""Settings of the publishing service (environment variables ``NKOHUB_…``)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import AnyHttpUrl, Field

from nkohub_shared.settings import PublicCacheSettings


class PublishingSettings(PublicCacheSettings):
    service_name: ClassVar[str] = "publishing"
    default_port: ClassVar[int] = 8004

    site_title: str = "Проект +"

    @property
    def base_url(self) -> str:
        """Public base URL of the blog (``public_base_url``), without a trailing slash."""
        return str(self.public_base_url).rstrip("/")

    events_public_url: AnyHttpUrl = Field(
        default=AnyHttpUrl("http://localhost:8002"),
        description="public base URL of the events service (meetup registration links)",
    )
    notifications_public_url: AnyHttpUrl = Field(
        default=AnyHttpUrl("http://localhost:8003"),
        description="public base URL of the notifications service (the subscription form)",
    )
    registry_public_url: AnyHttpUrl = Field(
        default=AnyHttpUrl("http://localhost:8001"),
        description="public base URL of the registry (an NGO's self-registration form)",
    )
    publish_meetup_announcements: bool = Field(
        default=False, description="publish meetup announcements at once instead of drafting"
    )
    scheduler_seconds: float = Field(
        default=5.0, gt=0, description="how often scheduled posts and deadlines are checked"
    )
    view_bucket_seconds: int = Field(
        default=3600, ge=1, le=86400, description="length of a view-counting period"
    )
    view_report_grace_seconds: float = Field(
        default=5.0, ge=0, description="wait after a period closes before reporting it"
    )
    deadline_reminder_days: list[int] = Field(
        default=[14, 3], description="days before a grant deadline to announce it"
    )
    page_size: int = Field(default=10, ge=1, le=100)
    file_image_max_bytes: int = Field(
        default=10 * 1024 * 1024, ge=1024, le=1024**3, description="largest image staff upload"
    )
    file_pdf_max_bytes: int = Field(
        default=30 * 1024 * 1024, ge=1024, le=1024**3, description="largest PDF staff upload"
    )
