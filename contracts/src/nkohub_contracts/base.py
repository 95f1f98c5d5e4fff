"""The base of every integration event and the registry of known event types.

A type is ``<service>.<aggregate>.<past-tense verb>`` (also the routing key). Its first
major version has no suffix; a breaking change makes a new major type, the same name with
``.v<N>`` appended (``events.attendance.recorded.v2``) and ``version = N``: a routing key of
its own, so a subscriber bound to version 1 never receives version 2, and the producer
publishes both for the time the package's README states.
"""

from __future__ import annotations

import importlib
import re
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

__all__ = [
    "EVENT_TYPES",
    "PRODUCER_MODULES",
    "TYPE_PATTERN",
    "IntegrationEvent",
    "UnknownEventType",
    "UnknownEventVersion",
    "base_type",
    "event_class",
    "load_all_contracts",
    "major_version",
]

TYPE_PATTERN = re.compile(
    r"^(registry|events|notifications|publishing)\.[a-z_]+\.[a-z_]+(\.v(?:[2-9]|[1-9]\d+))?$"
)
PRODUCER_MODULES = ("registry", "events", "notifications", "publishing")
_MAJOR_SUFFIX = re.compile(r"\.v(\d+)$")

EVENT_TYPES: dict[str, type[IntegrationEvent]] = {}


def major_version(event_type: str) -> int:
    """``events.x.done`` → 1, ``events.x.done.v2`` → 2."""
    match = _MAJOR_SUFFIX.search(event_type)
    return int(match.group(1)) if match else 1


def base_type(event_type: str) -> str:
    """The type's name without its major-version suffix."""
    return _MAJOR_SUFFIX.sub("", event_type)


class UnknownEventType(LookupError):
    """An envelope names a type this package does not define (a type newer than the
    package, or none at all). ``event_type`` is the name it carried."""

    def __init__(self, message: str, event_type: str = "") -> None:
        super().__init__(message)
        self.event_type = event_type


class UnknownEventVersion(UnknownEventType):
    """A newer major version of a type this package knows (``known`` is the highest one it
    has): decodable only after upgrading the package."""

    def __init__(self, message: str, event_type: str, known: int) -> None:
        super().__init__(message, event_type)
        self.known = known


class IntegrationEvent(BaseModel):
    """The ``data`` of an integration event.

    Subclasses set ``type`` (``<service>.<aggregate>.<past-tense verb>``, also the routing
    key) and, for a new major type (``<type>.v<N>``), ``version = N``. Fields the model does
    not know (a newer minor version's) are ignored when decoding.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    type: ClassVar[str]
    version: ClassVar[int] = 1
    # Carries a person's name or e-mail: delivered only to the queues bound to it, never
    # kept in the history stream (erasing a person must reach every copy).
    personal_data: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        event_type = cls.__dict__.get("type")
        if event_type is None:
            return
        if not TYPE_PATTERN.match(event_type):
            raise ValueError(
                f"event type {event_type!r} is not <service>.<aggregate>.<verb>[.v<N>]"
            )
        if major_version(event_type) != cls.version:
            raise ValueError(
                f"event type {event_type!r} must have version {major_version(event_type)}, "
                f"not {cls.version} (a major version N > 1 is named <type>.v<N>)"
            )
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
        return f"urn:nkohub:event:{base_type(cls.type)}:v{cls.version}"

    def subject(self) -> str | None:
        """The id of the aggregate the event is about (CloudEvents ``subject``)."""
        return None


def event_class(event_type: str) -> type[IntegrationEvent]:
    """The model of a type; ``UnknownEventVersion`` for a newer major version of a known
    type, ``UnknownEventType`` for anything else this package does not define."""
    try:
        return EVENT_TYPES[event_type]
    except KeyError:
        pass
    name, major = base_type(event_type), major_version(event_type)
    known = [m.version for t, m in EVENT_TYPES.items() if base_type(t) == name]
    if known and major > max(known):
        raise UnknownEventVersion(
            f"{event_type} is version {major} of {name}; this package knows up to version "
            f"{max(known)}: upgrade nkohub-contracts to decode it",
            event_type,
            max(known),
        ) from None
    raise UnknownEventType(f"unknown event type {event_type!r}", event_type) from None


def load_all_contracts() -> dict[str, type[IntegrationEvent]]:
    """The published contracts: every producer's module, imported and registered."""
    for name in PRODUCER_MODULES:
        importlib.import_module(f"nkohub_contracts.{name}")
    return {
        event_type: model
        for event_type, model in sorted(EVENT_TYPES.items())
        if model.__module__.startswith("nkohub_contracts.")
    }
