"""The platform's AsyncAPI 3.0 document (``docs/asyncapi.json``, served by the site at
``/api/asyncapi.json``), generated from the code like the catalogue (``nkohub catalogue
--write``).

One channel per event type (its routing key on the ``nkohub`` topic exchange), one message
per type with its CloudEvents envelope, data schema and example; the producers' ``send``
and the platform's consumer queues' ``receive`` operations; and the history stream
``nkohub.history`` with the messages it keeps. Each service still serves its own
``/asyncapi.json`` (what that process publishes and consumes, from FastStream); this document
is the whole platform in one place, for the teams that subscribe.
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

from nkohub_contracts import CLOUDEVENTS_CONTENT_TYPE, IntegrationEvent, load_all_contracts
from nkohub_contracts import __version__ as contracts_version
from nkohub_contracts.examples import EXAMPLES
from nkohub_contracts.wire import EXCHANGE_NAME, HISTORY_STREAM_NAME
from nkohub_shared.bus.topology import history_types
from nkohub_shared.catalogue import when
from nkohub_shared.eventmap import subscriptions

__all__ = ["ASYNCAPI_PATH", "render_asyncapi", "render_asyncapi_json"]

ASYNCAPI_PATH = Path("docs/asyncapi.json")
AMQP_BINDING = "0.3.0"
REF = "#/components/schemas/{model}"

DESCRIPTION = """Every integration event of the nkohub platform (registry, events, notifications,
publishing, and the staff console), generated from the code of the `nkohub-contracts`
package and the services' consumer queues. An event is a CloudEvents 1.0 envelope in
structured JSON mode, published to the durable topic exchange `nkohub` with the routing key
equal to its `type`; `message_id` is the event's `id` (deduplicate on it: delivery is at
least once). Events without personal data are also kept in the RabbitMQ stream
`nkohub.history`. Guide for subscribers: docs/subscribers.md; the catalogue with examples:
docs/events.md."""

EXCHANGE = {
    "name": EXCHANGE_NAME,
    "type": "topic",
    "durable": True,
    "autoDelete": False,
    "vhost": "/",
}


def _schemas(model: type[IntegrationEvent], into: dict[str, Any]) -> None:
    """Put the model's data schema and the schemas it refers to into ``into``."""
    schema = model.model_json_schema(ref_template=REF)
    for name, definition in {**schema.pop("$defs", {}), model.__name__: schema}.items():
        if into.setdefault(name, definition) != definition:
            raise ValueError(f"two different schemas are named {name}")


def _envelope_schema(model: type[IntegrationEvent]) -> dict[str, Any]:
    return {
        "type": "object",
        "title": f"{model.__name__} envelope",
        "description": f"The CloudEvents 1.0 envelope of `{model.type}`.",
        "required": ["specversion", "id", "source", "type", "time", "data"],
        "properties": {
            "specversion": {"const": "1.0"},
            "id": {"type": "string", "minLength": 1, "maxLength": 200},
            "source": {"const": f"/nkohub/{model.producer()}"},
            "type": {"const": model.type},
            "time": {"type": "string", "format": "date-time"},
            "subject": {"type": ["string", "null"]},
            "datacontenttype": {"const": "application/json"},
            "dataschema": {"const": model.dataschema()},
            "data": {"$ref": REF.format(model=model.__name__)},
        },
    }


def _message(model: type[IntegrationEvent], kept: bool) -> dict[str, Any]:
    return {
        "name": model.type,
        "title": model.__name__,
        "summary": inspect.cleandoc(model.__doc__ or "").split("\n")[0],
        "description": when(model),
        "contentType": CLOUDEVENTS_CONTENT_TYPE,
        "payload": {"$ref": REF.format(model=f"{model.__name__}Envelope")},
        "bindings": {"amqp": {"messageType": model.type, "bindingVersion": AMQP_BINDING}},
        "examples": [{"name": "example", "payload": EXAMPLES[model.type]}],
        "x-producer": model.producer(),
        "x-version": model.version,
        "x-personal-data": model.personal_data,
        "x-kept-in-history": kept,
    }


def render_asyncapi() -> dict[str, Any]:
    contracts = load_all_contracts()
    kept = set(history_types()[0])
    subs = subscriptions()
    schemas: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for event_type, model in contracts.items():
        _schemas(model, schemas)
        schemas[f"{model.__name__}Envelope"] = _envelope_schema(model)
        messages[event_type] = _message(model, event_type in kept)
        channels[event_type] = {
            "address": event_type,
            "title": event_type,
            "description": f"Routing key `{event_type}` on the topic exchange `{EXCHANGE_NAME}`.",
            "messages": {model.__name__: {"$ref": f"#/components/messages/{event_type}"}},
            "bindings": {
                "amqp": {"is": "routingKey", "exchange": EXCHANGE, "bindingVersion": AMQP_BINDING}
            },
        }
        operations[f"{model.producer()}.send.{event_type}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{event_type}"},
            "title": f"{model.producer()} publishes {event_type}",
            "summary": when(model),
            "messages": [{"$ref": f"#/channels/{event_type}/messages/{model.__name__}"}],
            "bindings": {"amqp": {"deliveryMode": 2, "bindingVersion": AMQP_BINDING}},
            "x-service": model.producer(),
        }
    for sub in subs:
        for event_type in sub.event_types:
            model = contracts[event_type]
            operations[f"{sub.queue}.receive.{event_type}"] = {
                "action": "receive",
                "channel": {"$ref": f"#/channels/{event_type}"},
                "title": f"{sub.service} consumes {event_type} on {sub.queue}",
                "summary": sub.description,
                "messages": [{"$ref": f"#/channels/{event_type}/messages/{model.__name__}"}],
                "bindings": {"amqp": {"ack": True, "bindingVersion": AMQP_BINDING}},
                "x-service": sub.service,
                "x-queue": {
                    "name": sub.queue,
                    "type": "quorum",
                    "durable": True,
                    "deadLetterQueue": f"{sub.queue}.dead-letter",
                },
            }
    channels[HISTORY_STREAM_NAME] = {
        "address": HISTORY_STREAM_NAME,
        "title": "the history",
        "description": (
            "A RabbitMQ stream bound to `nkohub` by the type of every event without personal "
            "data: read it from `first`, an offset or a time (consumer argument "
            "`x-stream-offset`), then continue on a queue of your own (docs/subscribers.md)."
        ),
        "messages": {
            contracts[t].__name__: {"$ref": f"#/components/messages/{t}"} for t in sorted(kept)
        },
        "bindings": {
            "amqp": {
                "is": "queue",
                "queue": {
                    "name": HISTORY_STREAM_NAME,
                    "durable": True,
                    "exclusive": False,
                    "autoDelete": False,
                    "vhost": "/",
                },
                "bindingVersion": AMQP_BINDING,
            }
        },
    }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "nkohub platform events",
            "version": contracts_version,
            "description": DESCRIPTION,
        },
        "defaultContentType": CLOUDEVENTS_CONTENT_TYPE,
        "servers": {
            "rabbitmq": {
                "host": "localhost:5672",
                "protocol": "amqp",
                "protocolVersion": "0.9.1",
                "description": "The platform's RabbitMQ (in Compose: rabbitmq:5672), vhost /.",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": dict(sorted(schemas.items()))},
    }


def render_asyncapi_json() -> str:
    """The document as the file holds it."""
    return json.dumps(render_asyncapi(), indent=2, ensure_ascii=False) + "\n"
