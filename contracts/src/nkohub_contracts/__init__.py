"""nkohub-contracts: the integration events of the nkohub platform, for its subscribers.

Each event type is a pydantic model (its ``data``) carried in a CloudEvents 1.0 envelope;
``decode`` turns a message body into both and tells an unknown type, a newer version and a
broken message apart. Rules of evolution (the README has them in full, with the package's
versioning):

- within a major version, changes are additive only (a new optional field); subscribers
  ignore fields they do not know;
- anything else (a removed, renamed or retyped field, a new required field) is a new major
  type ``<type>.v<N>``, published next to the old one for the time the README states.
"""

from nkohub_contracts.base import (
    EVENT_TYPES,
    IntegrationEvent,
    UnknownEventType,
    UnknownEventVersion,
    event_class,
    load_all_contracts,
)
from nkohub_contracts.envelope import (
    CLOUDEVENTS_CONTENT_TYPE,
    CloudEvent,
    Decoded,
    MalformedEvent,
    decode,
    decode_event,
    new_event,
)

__version__ = "1.5.0"

__all__ = [
    "CLOUDEVENTS_CONTENT_TYPE",
    "EVENT_TYPES",
    "CloudEvent",
    "Decoded",
    "IntegrationEvent",
    "MalformedEvent",
    "UnknownEventType",
    "UnknownEventVersion",
    "__version__",
    "decode",
    "decode_event",
    "event_class",
    "load_all_contracts",
    "new_event",
]
