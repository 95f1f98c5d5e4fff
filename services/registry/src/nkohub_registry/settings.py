from typing import ClassVar

from nkohub_shared.settings import PublicCacheSettings


class RegistrySettings(PublicCacheSettings):
    service_name: ClassVar[str] = "registry"
    default_port: ClassVar[int] = 8001
