"""Settings read from the environment (prefix ``NKOHUB_``) and an optional ``.env`` file."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Annotated, ClassVar, Self

from pydantic import (
    AnyUrl,
    Field,
    TypeAdapter,
    UrlConstraints,
    ValidationError,
    model_validator,
)
from pydantic_core import MultiHostUrl
from pydantic_settings import BaseSettings, SettingsConfigDict

from nkohub_shared.bus.cachenotes import CachePolicy
from nkohub_shared.keys import PublicKeyText, StrongSecret

# Several hosts for a replica set (mongodb://a:27017,b:27017,c:27017/?replicaSet=rs0&w=majority);
# no default port added, which a mongodb+srv:// URL must not have.
MongoUrl = Annotated[MultiHostUrl, UrlConstraints(allowed_schemes=["mongodb", "mongodb+srv"])]
AmqpUrl = Annotated[AnyUrl, UrlConstraints(allowed_schemes=["amqp", "amqps"])]

ENV_PREFIX = "NKOHUB_"


class SettingsError(SystemExit):
    """Raised at start-up with a message naming every missing or malformed setting."""


class ServiceSettings(BaseSettings):
    """Settings every service has; each service subclasses it to set its name and port."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    service_name: ClassVar[str] = "service"
    default_port: ClassVar[int] = 8000
    # Where the service's pages live on the one public site (the console: "/console").
    site_path: ClassVar[str] = ""

    mongodb_url: MongoUrl = Field(description="MongoDB connection URL")
    mongodb_database: str | None = Field(
        default=None, description="database name; default nkohub_<service>"
    )
    amqp_url: AmqpUrl = Field(description="RabbitMQ connection URL")
    amqp_nodes: list[str] = Field(
        default_factory=list,
        description='every node of a RabbitMQ cluster as "host:port" (nkohub_shared.cluster); '
        "empty: the one node of amqp_url",
    )
    staff_token_public_key: PublicKeyText = Field(
        description="Ed25519 public key (base64url) that verifies staff tokens"
    )
    staff_token_issuer: str = Field(default="nkohub", min_length=1)
    staff_token_audience: str = Field(default="nkohub", min_length=1)
    staff_token_max_minutes: int = Field(
        default=720, ge=1, le=7 * 24 * 60, description="longest lifetime a staff token may have"
    )
    link_secret: StrongSecret = Field(description="HMAC key of participant links in e-mails")
    person_key_secret: StrongSecret = Field(
        description="HMAC key of pseudonymous person keys (the same in every service)"
    )
    http_host: str = "0.0.0.0"
    http_port: int | None = Field(default=None, ge=1, le=65535)
    site_url: AnyUrl | None = Field(
        default=None,
        description="the one public site behind the reverse proxy (deploy/caddy); when set, "
        "the default of public_base_url and of every other *_public_url",
    )
    public_base_url: AnyUrl | None = Field(
        default=None,  # always set after validation (see below)
        description="base URL of this service's links; default site_url, else "
        "http://localhost:<port>",
    )
    replica: str = Field(
        default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}",
        min_length=1,
        max_length=100,
        description="this process's name among the service's replicas (in every log line)",
    )
    max_body_bytes: int = Field(
        default=1024 * 1024,
        ge=1024,
        description="largest request body (routes that take uploads set their own)",
    )
    api_docs: bool = Field(default=False, description="serve Swagger UI at /docs")
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="addresses (or networks) of reverse proxies whose X-Forwarded-For is believed",
    )
    log_level: str = Field(default="INFO", pattern="^(DEBUG|INFO|WARNING|ERROR)$")
    log_file: Path | None = Field(
        default=None, description="JSON log lines go to this file, rotated; default stdout"
    )
    log_file_max_bytes: int = Field(
        default=10_000_000, ge=10_000, description="size at which the log file is rotated"
    )
    log_file_backups: int = Field(default=5, ge=1, le=100, description="rotated files kept")
    otlp_endpoint: AnyUrl | None = Field(
        default=None,
        description="OTLP/HTTP endpoint traces are exported to (e.g. http://jaeger:4318); "
        "unset: no export (trace ids still travel and appear in the logs)",
    )
    outbox_sweep_seconds: float = Field(default=2.0, gt=0, description="relay sweep period")
    delivery_limit: int = Field(default=5, ge=1, le=100, description="x-delivery-limit")
    retry_backoff_seconds: float = Field(default=0.2, ge=0, description="first retry delay")
    inbox_lease_seconds: float = Field(
        default=30.0, gt=0, description="how long a consumer owns an event it is handling"
    )
    prefetch_count: int = Field(default=20, ge=1, le=1000)
    mongodb_connect_timeout_ms: int = Field(
        default=5000, ge=100, description="finding MongoDB and opening a connection"
    )
    mongodb_socket_timeout_ms: int = Field(
        default=20000, ge=100, description="one read from MongoDB; a stalled server fails then"
    )
    mongodb_operation_timeout_ms: int = Field(
        default=0, ge=0, description="PyMongo timeoutMS for a whole operation; 0 = off"
    )
    history_max_bytes: int = Field(
        default=1_000_000_000,
        ge=0,
        description="the most the event history stream (nkohub.history) keeps, in bytes; "
        "0: no history stream",
    )
    history_max_age: str = Field(
        default="2Y",
        pattern=r"^[1-9][0-9]*[YMDhms]$",
        description="the oldest event the history stream keeps (RabbitMQ x-max-age: 2Y, 400D)",
    )
    rabbitmq_management_url: AnyUrl | None = Field(
        default=None, description="RabbitMQ management API; default http://<AMQP host>:15672"
    )
    dead_letter_expiry_days: float = Field(
        default=14.0,
        ge=0,
        description="dead letters older than this expire (a policy set at start-up); "
        "0 leaves the vhost's policies alone",
    )
    outage_retry_max_seconds: float = Field(
        default=5.0, gt=0, description="longest pause between retries while MongoDB is away"
    )
    outage_hold_seconds: float = Field(
        default=900.0,
        gt=0,
        description="how long a consumer holds one message while MongoDB is away before "
        "handing it back (keep below RabbitMQ's consumer_timeout, 30 min by default)",
    )

    @model_validator(mode="after")
    def _default_public_urls(self) -> Self:
        """Behind the proxy every link starts with ``site_url`` (the service's own pages
        under ``site_path``); a URL set explicitly wins, so one service can still be
        reached on its own port (``NKOHUB_PUBLIC_BASE_URL``, ``NKOHUB_EVENTS_PUBLIC_URL``)."""
        if self.site_url is not None:
            site = str(self.site_url).rstrip("/")
            if "public_base_url" not in self.model_fields_set:
                self.public_base_url = AnyUrl(site + self.site_path)
            for name, field in type(self).model_fields.items():
                if name.endswith("_public_url") and name not in self.model_fields_set:
                    setattr(self, name, TypeAdapter(field.annotation).validate_python(site))
        if self.public_base_url is None:
            self.public_base_url = AnyUrl(f"http://localhost:{self.port}")
        return self

    @property
    def database_name(self) -> str:
        return self.mongodb_database or f"nkohub_{self.service_name}"

    @property
    def port(self) -> int:
        return self.http_port or self.default_port

    @classmethod
    def load(cls, **overrides: object) -> Self:
        """Read settings, turning validation errors into one readable start-up error."""
        try:
            return cls(**overrides)  # type: ignore[arg-type]
        except ValidationError as exc:
            raise SettingsError(describe_settings_error(exc)) from None


def describe_settings_error(exc: ValidationError) -> str:
    lines = ["nkohub: invalid configuration:"]
    for err in exc.errors():
        name = ENV_PREFIX + "_".join(str(p) for p in err["loc"]).upper()
        problem = "is missing" if err["type"] == "missing" else f"is malformed: {err['msg']}"
        lines.append(f"  {name} {problem}")
    lines.append("Set them in the environment or in a .env file (see .env.example).")
    return "\n".join(lines)


class PublicCacheSettings(ServiceSettings):
    """Settings of a service with public caches kept fresh across replicas
    (``nkohub_shared.web.caching``, ``nkohub_shared.bus.cachenotes``)."""

    cache_ttl_seconds: float = Field(
        default=120.0,
        ge=0,
        le=3600,
        description=(
            "how long a public page or search stays cached while this replica hears the "
            "others' change notes (a safety net: a change shows as soon as its note arrives)"
        ),
    )
    cache_fallback_ttl_seconds: float = Field(
        default=5.0,
        ge=0,
        le=3600,
        description="the same while it does not hear them (the broker away): the staleness bound",
    )

    @property
    def cache_policy(self) -> CachePolicy:
        return CachePolicy(self.cache_ttl_seconds, self.cache_fallback_ttl_seconds)
