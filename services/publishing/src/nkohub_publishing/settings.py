from typing import ClassVar

from nkohub_shared.settings import ServiceSettings


class PublishingSettings(ServiceSettings):
    service_name: ClassVar[str] = "publishing"
    default_port: ClassVar[int] = 8004
