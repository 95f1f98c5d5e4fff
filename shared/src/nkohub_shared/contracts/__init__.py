"""Integration events: the public API other teams subscribe to.

Each event type is a pydantic model (its ``data``) carried in a CloudEvents 1.0 envelope.
Rules of evolution, checked by the catalogue test:
- within a version, changes are additive only (a new optional field); consumers ignore
  fields they do not know;
- anything else (a removed, renamed or retyped field, a new required field) is a new
  version: bump ``version`` on the model and keep publishing the old one until its
  subscribers have moved.
"""

from nkohub_shared.contracts.base import (
    EVENT_TYPES,
    IntegrationEvent,
    UnknownEventType,
    event_class,
    load_all_contracts,
)
from nkohub_shared.contracts.envelope import (
    CLOUDEVENTS_CONTENT_TYPE,
    CloudEvent,
    MalformedEvent,
    decode_event,
    new_event,
)

__all__ = [
    "CLOUDEVENTS_CONTENT_TYPE",
    "EVENT_TYPES",
    "CloudEvent",
    "IntegrationEvent",
    "MalformedEvent",
    "UnknownEventType",
    "decode_event",
    "event_class",
    "load_all_contracts",
    "new_event",
]
