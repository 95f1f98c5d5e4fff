"""The CloudEvents 1.0 envelope (structured JSON mode) every event travels in."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from nkohub_shared.contracts.base import IntegrationEvent, event_class

CLOUDEVENTS_CONTENT_TYPE = "application/cloudevents+json"


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


def decode_event(body: bytes | str | dict[str, Any]) -> tuple[CloudEvent, IntegrationEvent]:
    """Parse an envelope and its data.

    Raises ``MalformedEvent`` (bad envelope or data) or ``UnknownEventType``.
    """
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
    return envelope, data


def _fields(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or '(body)'}: {e['msg']}" for e in exc.errors()
    )
