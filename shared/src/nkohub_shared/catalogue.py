"""The event catalogue for people (``docs/events.md``), generated from the code: per type
and version, who produces it, when (the model's docstring), which of the platform's own
queues consume it (``nkohub_shared.eventmap``), whether it carries personal data and so
whether the history stream keeps it, an example envelope (``nkohub_contracts.examples``)
and the schema of its data."""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path

from nkohub_contracts import IntegrationEvent, load_all_contracts
from nkohub_contracts.examples import EXAMPLES
from nkohub_contracts.wire import HISTORY_STREAM_NAME
from nkohub_shared.bus.topology import history_types
from nkohub_shared.eventmap import Subscription, consumers_of, subscriptions

CATALOGUE_PATH = Path("docs/events.md")

HEADER = """# Event catalogue

Generated from the code by `nkohub catalogue --write`: the models of the `nkohub-contracts`
package (`contracts/src/nkohub_contracts/`), their examples (`nkohub_contracts.examples`)
and the services' consumer queues; a test fails when this file is out of date. Do not edit
by hand. Subscribing from another service, and replaying the history: `docs/subscribers.md`.
The same, for machines: the platform's AsyncAPI 3.0 document `docs/asyncapi.json`, served by
the site at `/api/asyncapi.json`.

Every event is a CloudEvents 1.0 envelope in structured JSON mode
(`content_type: application/cloudevents+json`) published to the durable topic exchange
`nkohub` with the routing key equal to `type`. Envelope attributes: `specversion` "1.0",
`id` (also the AMQP `message_id`; consumers deduplicate on it), `source` `/nkohub/<service>`,
`type`, `time` (UTC), `subject` (the aggregate's id), `datacontenttype` `application/json`,
`dataschema` `urn:nkohub:event:<type>:v<version>`, `data` (the schema below).

Evolution: within a version only optional fields are added; consumers ignore fields they do
not know. A breaking change is a new major type `<type>.v<N>` (a routing key of its own),
published next to the old one for at least twelve months, announced in this file before the
old one stops (`contracts/README.md`).

**Personal data**: an event that carries a person's name or e-mail reaches only the queues
bound to it and is never kept in the history stream `nkohub.history`; every other event is.
"""


def when(model: type[IntegrationEvent]) -> str:
    """The model's docstring as one paragraph of Markdown (``x`` → `x`)."""
    text = " ".join(inspect.cleandoc(model.__doc__ or "").split())
    return re.sub(r"``([^`]+)``", r"`\1`", text)


def _anchor(event_type: str) -> str:
    return event_type.replace(".", "")


def _queues(subs: list[Subscription]) -> str:
    return ", ".join(f"{s.service} (`{s.queue}`)" for s in subs) or "none of ours"


def _privacy(model: type[IntegrationEvent], kept: set[str]) -> str:
    personal = "**yes**: a person's name or e-mail" if model.personal_data else "no"
    history = (
        f"kept in `{HISTORY_STREAM_NAME}`"
        if model.type in kept
        else f"never kept in `{HISTORY_STREAM_NAME}`"
    )
    return f"{personal} · {history}"


def render_catalogue() -> str:
    contracts = load_all_contracts()
    subs = subscriptions()
    kept = set(history_types()[0])
    parts = [
        HEADER,
        "## Index\n",
        "| type | version | producer | consumed by (our services) | personal data | history |",
        "|---|---|---|---|---|---|",
    ]
    for event_type, model in contracts.items():
        services = sorted({s.service for s in consumers_of(event_type, subs)})
        parts.append(
            f"| [`{event_type}`](#{_anchor(event_type)}) | {model.version} | {model.producer()} "
            f"| {', '.join(services) or '—'} | {'yes' if model.personal_data else 'no'} "
            f"| {'kept' if event_type in kept else 'never'} |"
        )
    parts += [
        "",
        "## The platform's own queues\n",
        "Each is a durable quorum queue with a dead-letter queue, bound to `nkohub` by type.\n",
        "| service | queue | what for | event types |",
        "|---|---|---|---|",
    ]
    for s in subs:
        types = ", ".join(f"`{t}`" for t in s.event_types)
        parts.append(f"| {s.service} | `{s.queue}` | {s.description} | {types} |")
    for event_type, model in contracts.items():
        schema = json.dumps(model.model_json_schema(), indent=2, ensure_ascii=False)
        example = json.dumps(EXAMPLES[event_type], indent=2, ensure_ascii=False)
        parts += [
            "",
            f"## {event_type}",
            "",
            when(model),
            "",
            "| | |",
            "|---|---|",
            f"| producer | `{model.producer()}` (source `/nkohub/{model.producer()}`) |",
            f"| version | {model.version} · dataschema `{model.dataschema()}` |",
            f"| consumed by | {_queues(consumers_of(event_type, subs))} |",
            f"| personal data | {_privacy(model, kept)} |",
            "",
            "Example (the whole envelope):",
            "",
            "```json",
            example,
            "```",
            "",
            "Schema of `data`:",
            "",
            "```json",
            schema,
            "```",
        ]
    return "\n".join(parts).rstrip() + "\n"
