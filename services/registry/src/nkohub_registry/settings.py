from typing import ClassVar

from pydantic import Field

from nkohub_shared.bus.cachenotes import CachePolicy
from nkohub_shared.settings import ServiceSettings


class RegistrySettings(ServiceSettings):
    service_name: ClassVar[str] = "registry"
    default_port: ClassVar[int] = 8001

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
