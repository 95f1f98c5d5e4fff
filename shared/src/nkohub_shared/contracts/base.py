"""The base of every integration event and the registry of known event types."""

from __future__ import annotations

import importlib
import re
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

TYPE_PATTERN = re.compile(r"^(registry|events|notifications|publishing)\.[a-z_]+\.[a-z_]+$")
PRODUCER_MODULES = ("registry", "events", "notifications", "publishing")

EVENT_TYPES: dict[str, type[IntegrationEvent]] = {}


class UnknownEventType(LookupError):
    """An envelope names a type no contract defines."""


class IntegrationEvent(BaseModel):
    """The ``data`` of an integration event.

    Subclasses set ``type`` (``<service>.<aggregate>.<past-tense verb>``, also the routing
    key) and, on a breaking change, a higher ``version``.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    type: ClassVar[str]
    version: ClassVar[int] = 1

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        event_type = cls.__dict__.get("type")
        if event_type is None:
            return
        if not TYPE_PATTERN.match(event_type):
            raise ValueError(f"event type {event_type!r} is not <service>.<aggregate>.<verb>")
        if event_type in EVENT_TYPES and EVENT_TYPES[event_type] is not cls:
            known = EVENT_TYPES[event_type]
            if known.__qualname__ != cls.__qualname__ or known.__module__ != cls.__module__:
                raise ValueError(f"event type {event_type!r} is defined twice")
        EVENT_TYPES[event_type] = cls

    @classmethod
    def producer(cls) -> str:
        return cls.type.split(".", 1)[0]

    @classmethod
    def dataschema(cls) -> str:
        return f"urn:nkohub:event:{cls.type}:v{cls.version}"

    def subject(self) -> str | None:
        """The id of the aggregate the event is about (CloudEvents ``subject``)."""
        return None


def event_class(event_type: str) -> type[IntegrationEvent]:
    try:
        return EVENT_TYPES[event_type]
    except KeyError:
        raise UnknownEventType(f"unknown event type {event_type!r}") from None


def load_all_contracts() -> dict[str, type[IntegrationEvent]]:
    """The published contracts: every producer's module, imported and registered."""
    for name in PRODUCER_MODULES:
        importlib.import_module(f"nkohub_shared.contracts.{name}")
    return {
        event_type: model
        for event_type, model in sorted(EVENT_TYPES.items())
        if model.__module__.startswith("nkohub_shared.contracts.")
    }
