"""The event catalogue (``docs/events.md``), generated from the contracts."""

from __future__ import annotations

import json
from pathlib import Path

from nkohub_contracts import load_all_contracts

CATALOGUE_PATH = Path("docs/events.md")

HEADER = """# Event catalogue

Generated from the `nkohub-contracts` package (`contracts/src/nkohub_contracts/`) by
`nkohub catalogue --write`; a test fails when this file is out of date. Do not edit by hand.
Subscribing from another service, and replaying the history: `docs/subscribers.md`.

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
"""


def render_catalogue() -> str:
    contracts = load_all_contracts()
    parts = [HEADER, "## Index\n", "| type | version | producer |", "|---|---|---|"]
    for event_type, model in contracts.items():
        anchor = event_type.replace(".", "")
        parts.append(f"| [`{event_type}`](#{anchor}) | {model.version} | {model.producer()} |")
    for event_type, model in contracts.items():
        doc = (model.__doc__ or "").strip()
        schema = json.dumps(model.model_json_schema(), indent=2, ensure_ascii=False)
        parts += [
            "",
            f"## {event_type}",
            "",
            f"Producer: `{model.producer()}` · version {model.version} · "
            f"dataschema `{model.dataschema()}`",
            "",
            doc,
            "",
            "```json",
            schema,
            "```",
        ]
    return "\n".join(parts).rstrip() + "\n"
