"""Settings of the notifications service (environment prefix ``NKOHUB_``)."""

import ipaddress
from datetime import time, timedelta
from typing import ClassVar

from pydantic import AnyHttpUrl, AnyUrl, Field, SecretStr, field_validator

from nkohub_shared.keys import StrongSecret
from nkohub_shared.settings import ServiceSettings


class NotificationsSettings(ServiceSettings):
    service_name: ClassVar[str] = "notifications"
    default_port: ClassVar[int] = 8003

    # SMTP (Mailpit in Docker Compose: NKOHUB_SMTP_HOST=mailpit, NKOHUB_SMTP_PORT=1025)
    smtp_host: str = "localhost"
    smtp_port: int = Field(default=1025, ge=1, le=65535)
    smtp_starttls: bool | None = Field(
        default=None,
        description="upgrade with STARTTLS; unset: required unless the host is loopback",
    )
    smtp_ssl: bool = Field(default=False, description="implicit TLS (port 465)")
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout_seconds: float = Field(default=15.0, gt=0)

    @property
    def smtp_requires_starttls(self) -> bool:
        """STARTTLS unless set otherwise: mail crosses networks in the clear only when an
        operator says so (Mailpit in Compose) or never leaves the machine (loopback)."""
        if self.smtp_ssl:
            return False
        if self.smtp_starttls is not None:
            return self.smtp_starttls
        return not _is_loopback(self.smtp_host)

    mail_from: str = Field(
        default="Открытое общение <noreply@nkohub.local>", description="From: of every e-mail"
    )
    # Sending
    email_rate_per_second: float = Field(
        default=20.0,
        ge=0,
        description="e-mails per second, all replicas together; 0 = no limit",
    )
    mailing_rate_per_second: float = Field(
        default=10.0,
        ge=0,
        description="mailing e-mails per second (all replicas), within the e-mail rate; 0 = off",
    )
    mailing_lease_seconds: float = Field(
        default=120.0,
        gt=0,
        description="a mailing's fan-out whose process died is taken over after",
    )
    webhook_rate_per_second: float = Field(
        default=20.0, ge=0, description="all replicas together; 0 = no limit"
    )
    telegram_rate_per_second: float = Field(
        default=20.0, ge=0, description="all replicas together; 0 = no limit"
    )
    sender_workers: int = Field(default=4, ge=1, le=64, description="parallel SMTP connections")
    sender_poll_seconds: float = Field(default=1.0, gt=0)
    send_lease_seconds: float = Field(
        default=120.0, gt=0, description="a claimed message whose sender died is retried after"
    )
    retry_max_attempts: int = Field(default=8, ge=1, description="then the message fails")
    retry_base_seconds: float = Field(default=30.0, gt=0, description="first retry delay")
    retry_max_seconds: float = Field(default=3600.0, gt=0, description="longest retry delay")
    webhook_secret: StrongSecret = Field(description="HMAC key of X-Nkohub-Signature")
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    webhook_allow_private_targets: bool = Field(
        default=False,
        description="allow webhooks to loopback, private, link-local and reserved addresses",
    )
    webhook_allowed_networks: list[str] = Field(
        default_factory=list,
        description='networks (CIDR) a webhook may reach although private, e.g. ["10.1.2.0/24"]',
    )
    telegram_bot_token: SecretStr | None = Field(
        default=None, description="Telegram Bot API token; without it Telegram is off"
    )
    telegram_api_url: AnyUrl = Field(
        default=AnyUrl("https://api.telegram.org"), description="Bot API base URL"
    )
    # Abuse limits (counted in MongoDB, shared by every replica)
    subscribe_per_client_per_hour: int = Field(
        default=10, ge=1, description="subscription requests from one client address per hour"
    )
    subscribe_per_address_per_day: int = Field(
        default=5, ge=1, description="subscription requests for one e-mail address per day"
    )
    confirm_resend_hours: float = Field(
        default=24.0, ge=0, description="at most one confirmation e-mail per address this often"
    )
    confirm_link_days: int = Field(
        default=7, ge=1, le=90, description="how long a confirmation link stays valid"
    )
    mail_cap_per_hour: int = Field(
        default=20, ge=1, description="messages of one template to one recipient per hour"
    )
    mail_cap_per_day: int = Field(
        default=50, ge=1, description="messages of one template to one recipient per day"
    )
    # Reminders and digest
    reminder_offsets: list[timedelta] = Field(
        default=[timedelta(days=1), timedelta(hours=2)],
        description='before the start, e.g. ["P1D","PT2H"] or seconds [86400,7200]',
    )
    scheduler_poll_seconds: float = Field(default=5.0, gt=0)
    template_refresh_seconds: float = Field(
        default=2.0, gt=0, description="how soon every replica uses a template staff saved"
    )
    digest_time: time = Field(default=time(9, 0), description="local time of the daily digest")
    digest_timezone: str = "Europe/Samara"
    # Mailings' attachments
    publishing_url: AnyHttpUrl = Field(
        default=AnyHttpUrl("http://127.0.0.1:8004"),
        description="the publishing service's API (its files' bytes, for attachments)",
    )
    attachments_max_bytes: int = Field(
        default=10 * 1024 * 1024, ge=1024, description="one mailing's attachments together"
    )
    attachments_keep_days: float = Field(
        default=30, gt=0, description="how long after a mailing is sent its files' copies stay"
    )
    # Links
    console_public_url: AnyUrl = Field(
        default=AnyUrl("http://localhost:8000"),
        description="the staff console's base (alerts link to its pages under /console)",
    )
    events_public_url: AnyUrl = Field(
        default=AnyUrl("http://localhost:8002"), description="events service links"
    )

    @field_validator("webhook_allowed_networks")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for network in value:
            ipaddress.ip_network(network, strict=False)  # ValueError names the bad one
        return value


def _is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
