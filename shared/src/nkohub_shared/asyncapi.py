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
from html import escape
from pathlib import Path
from typing import Any

from nkohub_contracts import CLOUDEVENTS_CONTENT_TYPE, IntegrationEvent, load_all_contracts
from nkohub_contracts import __version__ as contracts_version
from nkohub_contracts.examples import EXAMPLES
from nkohub_contracts.wire import EXCHANGE_NAME, HISTORY_STREAM_NAME
from nkohub_shared.bus.topology import history_types
from nkohub_shared.catalogue import when
from nkohub_shared.eventmap import subscriptions

__all__ = [
    "ASYNCAPI_PAGE_PATH",
    "ASYNCAPI_PATH",
    "render_asyncapi",
    "render_asyncapi_html",
    "render_asyncapi_json",
]

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


def render_asyncapi_json(document: dict[str, Any] | None = None) -> str:
    """The document as the file holds it."""
    doc = render_asyncapi() if document is None else document
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


ASYNCAPI_PAGE_PATH = Path("docs/asyncapi.html")


def render_asyncapi_html(document: dict[str, Any] | None = None) -> str:
    """A page for people about the document (the site's ``/api/``): no script, no style
    attribute, every text escaped."""
    doc = render_asyncapi() if document is None else document
    messages = doc["components"]["messages"]
    receivers: dict[str, list[str]] = {}
    for op in doc["operations"].values():
        if op["action"] == "receive":
            event_type = op["channel"]["$ref"].removeprefix("#/channels/")
            receivers.setdefault(event_type, []).append(op["x-queue"]["name"])
    rows, sections = [], []
    for event_type, message in messages.items():
        e = escape(event_type)
        queues = ", ".join(escape(q) for q in receivers.get(event_type, [])) or "—"
        personal = "да" if message["x-personal-data"] else "нет"
        history = "хранится" if message["x-kept-in-history"] else "не хранится"
        rows.append(
            f'<tr><td><a href="#{e}"><code>{e}</code></a></td><td>{message["x-version"]}</td>'
            f"<td>{escape(message['x-producer'])}</td><td>{queues}</td><td>{personal}</td>"
            f"<td>{history}</td></tr>"
        )
        example = json.dumps(message["examples"][0]["payload"], indent=2, ensure_ascii=False)
        sections.append(
            f'<section id="{e}"><h2><code>{e}</code></h2><p>{escape(message["description"])}</p>'
            f"<p>Публикует: {escape(message['x-producer'])}. Получают: {queues}. "
            f"Персональные данные: {personal}; в потоке истории: {history}.</p>"
            f"<details><summary>Пример события</summary><pre>{escape(example)}</pre></details>"
            "</section>"
        )
    title = escape(doc["info"]["title"])
    return (
        '<!doctype html>\n<html lang="ru">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>События платформы nkohub — AsyncAPI</title>\n</head>\n<body>\n<main>\n"
        f"<h1>События платформы nkohub</h1>\n"
        f"<p>{title}, версия пакета контрактов {escape(doc['info']['version'])}. "
        'Документ AsyncAPI 3.0 целиком: <a href="/api/asyncapi.json">/api/asyncapi.json</a> '
        "(откройте его в AsyncAPI Studio или сгенерируйте по нему код). События приходят в "
        "обменник <code>nkohub</code> (topic), ключ маршрутизации — тип события; события без "
        "персональных данных хранятся и в потоке <code>nkohub.history</code>.</p>\n"
        "<p>API сервисов: <code>/api/registry/v1</code>, <code>/api/events/v1</code>, "
        "<code>/api/notifications/v1</code>, <code>/api/publishing/v1</code> "
        "(описание каждого — <code>/api/&lt;сервис&gt;/openapi.json</code>).</p>\n"
        "<table>\n<caption>Типы событий</caption>\n<thead><tr><th>тип</th><th>версия</th>"
        "<th>публикует</th><th>очереди платформы</th><th>персональные данные</th>"
        "<th>поток истории</th></tr></thead>\n<tbody>\n"
        + "\n".join(rows)
        + "\n</tbody>\n</table>\n"
        + "\n".join(sections)
        + "\n</main>\n</body>\n</html>\n"
    )
