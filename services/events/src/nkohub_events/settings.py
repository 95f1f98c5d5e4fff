from typing import ClassVar

from nkohub_shared.settings import ServiceSettings


class EventsSettings(ServiceSettings):
    service_name: ClassVar[str] = "events"
    default_port: ClassVar[int] = 8002
