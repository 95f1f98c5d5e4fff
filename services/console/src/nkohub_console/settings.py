"""Settings of the staff console (environment variables ``NKOHUB_…``).

The console serves everything under ``site_path`` (``/console``), on its own port and
through the one public site alike. The four services are reached at
``NKOHUB_CONSOLE_<SERVICE>_URL`` (their internal base URLs); the public pages people are
sent to (meetup pages, the blog) at ``NKOHUB_CONSOLE_<SERVICE>_PUBLIC_URL``, by default
the site (``NKOHUB_SITE_URL``), else the service's URL.
"""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import AfterValidator, AnyHttpUrl, Field, SecretStr

from nkohub_shared.keys import private_key
from nkohub_shared.settings import ServiceSettings


def _valid_private_key(value: SecretStr) -> SecretStr:
    private_key(value.get_secret_value())  # raises ValueError naming the problem
    return value


PrivateKeyText = Annotated[SecretStr, AfterValidator(_valid_private_key)]


class ConsoleSettings(ServiceSettings):
    service_name: ClassVar[str] = "console"
    default_port: ClassVar[int] = 8000
    site_path: ClassVar[str] = "/console"

    staff_token_private_key: PrivateKeyText = Field(
        description="Ed25519 private key that signs the staff tokens the console sends"
    )
    console_registry_url: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:8001")
    console_events_url: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:8002")
    console_notifications_url: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:8003")
    console_publishing_url: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:8004")
    console_events_public_url: AnyHttpUrl | None = Field(
        default=None, description="public meetup pages; default: the site URL, else the events URL"
    )
    console_publishing_public_url: AnyHttpUrl | None = Field(
        default=None, description="the public blog; default: the site URL, else the publishing URL"
    )
    console_service_timeout_seconds: float = Field(default=15.0, gt=0, le=300)
    console_token_minutes: int = Field(
        default=5, ge=1, le=30, description="lifetime of the token sent with one request"
    )
    console_session_hours: float = Field(
        default=10.0, gt=0, le=24 * 14, description="a session ends this long after sign-in"
    )
    console_session_idle_minutes: float = Field(
        default=120.0, gt=0, description="a session unused this long ends"
    )
    console_login_free_failures: int = Field(
        default=3, ge=1, description="failed logins of one address before it is slowed down"
    )
    console_login_lock_failures: int = Field(
        default=10, ge=2, description="failed logins of one address that lock it"
    )
    console_login_lock_minutes: float = Field(default=15.0, gt=0)
    console_login_failures_per_client_per_hour: int = Field(
        default=50, ge=1, description="failed logins one client address may make in an hour"
    )

    @property
    def base_url(self) -> str:
        return str(self.public_base_url).rstrip("/")

    @property
    def secure_cookies(self) -> bool:
        """Cookies are ``Secure`` when the console is served over HTTPS."""
        return self.base_url.startswith("https://")

    def service_url(self, service: str) -> str:
        return str(getattr(self, f"console_{service}_url")).rstrip("/")

    def public_url(self, service: str) -> str:
        public = getattr(self, f"console_{service}_public_url", None)
        return str(public or self.service_url(service)).rstrip("/")
