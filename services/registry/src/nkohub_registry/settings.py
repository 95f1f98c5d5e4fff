from typing import ClassVar

from nkohub_shared.settings import ServiceSettings


class RegistrySettings(ServiceSettings):
    service_name: ClassVar[str] = "registry"
    default_port: ClassVar[int] = 8001
