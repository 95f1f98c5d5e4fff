"""The CloudEvents 1.0 envelope (structured JSON mode) every event travels in, and decoding.

``decode`` tells four cases apart:

- a known type and version: ``Decoded`` with the typed ``data``;
- a newer minor version (the producer added optional fields this package does not know):
  decoded all the same; ``data`` ignores the new fields, ``envelope.data`` keeps them
  verbatim and ``Decoded.unknown_fields`` names them;
- a type this package does not define: ``UnknownEventType`` (``UnknownEventVersion`` when
  it is a newer major version of a known type) — skip it, or upgrade the package;
- a broken message (not JSON, not a CloudEvents envelope, data not matching its type's
  schema): ``MalformedEvent``, whose message names every bad field. It can never succeed:
  dead-letter it.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from nkohub_contracts.base import IntegrationEvent, event_class

__all__ = [
    "CLOUDEVENTS_CONTENT_TYPE",
    "CloudEvent",
    "Decoded",
    "MalformedEvent",
    "decode",
    "decode_event",
    "new_event",
]

CLOUDEVENTS_CONTENT_TYPE = "application/cloudevents+json"

E = TypeVar("E", bound=IntegrationEvent)


class MalformedEvent(ValueError):
    """A message that is not a valid envelope, or whose data does not match its type."""


class CloudEvent(BaseModel):
    """CloudEvents 1.0 attributes; unknown extension attributes are kept."""

    model_config = ConfigDict(extra="allow")

    specversion: Literal["1.0"]
    id: str = Field(min_length=1, max_length=200)
    source: str = Field(min_length=1, max_length=500)
    type: str = Field(min_length=1, max_length=200)
    time: datetime
    subject: str | None = None
    datacontenttype: Literal["application/json"] = "application/json"
    dataschema: str | None = None
    data: dict[str, Any]


@dataclass(frozen=True)
class Decoded(Generic[E]):
    """A decoded event: its envelope, its typed data, and the data's fields this package
    does not know (dotted paths; empty unless the producer runs a newer minor version)."""

    envelope: CloudEvent
    data: E
    unknown_fields: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return self.envelope.id

    @property
    def type(self) -> str:
        return self.envelope.type

    @property
    def newer_minor_version(self) -> bool:
        return bool(self.unknown_fields)


def new_event(data: IntegrationEvent, *, subject: str | None = None) -> CloudEvent:
    """Wrap event data in a fresh envelope with a new id and the current time."""
    return CloudEvent(
        specversion="1.0",
        id=str(uuid.uuid4()),
        source=f"/nkohub/{data.producer()}",
        type=data.type,
        time=datetime.now(UTC),
        subject=subject if subject is not None else data.subject(),
        datacontenttype="application/json",
        dataschema=data.dataschema(),
        data=data.model_dump(mode="json"),
    )


def decode(body: bytes | str | dict[str, Any]) -> Decoded[IntegrationEvent]:
    """Parse an envelope and its data (see the module's docstring for what it raises)."""
    try:
        envelope = (
            CloudEvent.model_validate(body)
            if isinstance(body, dict)
            else CloudEvent.model_validate_json(body)
        )
    except ValidationError as exc:
        raise MalformedEvent(f"malformed CloudEvents envelope: {_fields(exc)}") from None
    model = event_class(envelope.type)
    try:
        data = model.model_validate(envelope.data)
    except ValidationError as exc:
        raise MalformedEvent(
            f"data of {envelope.type} (id {envelope.id}) does not match its schema: {_fields(exc)}"
        ) from None
    known = json.loads(data.model_dump_json())
    return Decoded(envelope, data, tuple(dict.fromkeys(_unknown(envelope.data, known, ""))))


def decode_event(body: bytes | str | dict[str, Any]) -> tuple[CloudEvent, IntegrationEvent]:
    """``decode`` as a pair (envelope, data).

    Raises ``MalformedEvent`` (bad envelope or data) or ``UnknownEventType``.
    """
    decoded = decode(body)
    return decoded.envelope, decoded.data


def _unknown(raw: Any, known: Any, prefix: str) -> list[str]:
    """Paths present in ``raw`` that the model's own dump does not have (``[]`` marks the
    items of a list: one name per field, not per item)."""
    if isinstance(raw, dict) and isinstance(known, dict):
        found = []
        for key, value in raw.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            found += [path] if key not in known else _unknown(value, known[key], path)
        return found
    if isinstance(raw, list) and isinstance(known, list):
        return [
            path
            for value, model_value in zip(raw, known, strict=False)
            for path in _unknown(value, model_value, f"{prefix}[]")
        ]
    return []


def _fields(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or '(body)'}: {e['msg']}" for e in exc.errors()
    )
