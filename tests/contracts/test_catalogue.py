"""The catalogue for people and the platform's AsyncAPI document are generated from the
code and cannot go stale: the committed files equal what the code gives, the consumers they
name are the real subscriptions of each service's runtime, and the AsyncAPI document is
valid AsyncAPI 3.0 (the official JSON schema) and covers what every service documents
itself. No servers: the services' runtimes are built, never started."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest

from nkohub_console.app import build_runtime as console_runtime
from nkohub_console.settings import ConsoleSettings
from nkohub_contracts import load_all_contracts
from nkohub_contracts.examples import EXAMPLES
from nkohub_contracts.wire import HISTORY_STREAM_NAME
from nkohub_events.app import build_runtime as events_runtime
from nkohub_events.settings import EventsSettings
from nkohub_notifications.app import build_runtime as notifications_runtime
from nkohub_notifications.settings import NotificationsSettings
from nkohub_publishing.app import build_runtime as publishing_runtime
from nkohub_publishing.settings import PublishingSettings
from nkohub_registry.app import build_runtime as registry_runtime
from nkohub_registry.settings import RegistrySettings
from nkohub_shared.asyncapi import (
    ASYNCAPI_PAGE_PATH,
    ASYNCAPI_PATH,
    render_asyncapi,
    render_asyncapi_html,
    render_asyncapi_json,
)
from nkohub_shared.bus.topology import history_types
from nkohub_shared.catalogue import CATALOGUE_PATH, render_catalogue
from nkohub_shared.eventmap import PLATFORM_SERVICES, subscriptions
from tests.support.isolation import (
    LINK_SECRET,
    PERSON_KEY_SECRET,
    STAFF_TOKEN_PRIVATE_KEY,
    STAFF_TOKEN_PUBLIC_KEY,
    WEBHOOK_SECRET,
)

ROOT = Path(__file__).resolve().parents[2]
ASYNCAPI_SCHEMA = Path(__file__).with_name("data") / "asyncapi-3.0.0.schema.json.gz"
SETTINGS: dict[str, Any] = {
    "mongodb_url": "mongodb://127.0.0.1:9",  # never connected: the runtimes are only read
    "amqp_url": "amqp://guest:guest@127.0.0.1:9/",
    "staff_token_public_key": STAFF_TOKEN_PUBLIC_KEY,
    "link_secret": LINK_SECRET,
    "person_key_secret": PERSON_KEY_SECRET,
    "webhook_secret": WEBHOOK_SECRET,
}
RUNTIMES = {
    "registry": lambda: registry_runtime(RegistrySettings(**SETTINGS)),
    "events": lambda: events_runtime(EventsSettings(**SETTINGS)),
    "notifications": lambda: notifications_runtime(NotificationsSettings(**SETTINGS)),
    "publishing": lambda: publishing_runtime(PublishingSettings(**SETTINGS)),
    "console": lambda: console_runtime(
        ConsoleSettings(**SETTINGS, staff_token_private_key=STAFF_TOKEN_PRIVATE_KEY)
    ),
}


@pytest.fixture(scope="module")
def runtimes() -> dict[str, Any]:
    return {name: make() for name, make in RUNTIMES.items()}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return render_asyncapi()


def test_the_committed_catalogue_and_asyncapi_document_are_what_the_code_gives():
    hint = "run `uv run nkohub catalogue --write`"
    assert (ROOT / CATALOGUE_PATH).read_text(encoding="utf-8") == render_catalogue(), hint
    assert (ROOT / ASYNCAPI_PATH).read_text(encoding="utf-8") == render_asyncapi_json(), hint
    assert (ROOT / ASYNCAPI_PAGE_PATH).read_text(encoding="utf-8") == render_asyncapi_html(), hint


def test_the_consumers_named_are_the_real_subscriptions_of_every_service(runtimes):
    services = sorted(p.name for p in (ROOT / "services").iterdir() if (p / "src").is_dir())
    assert sorted(PLATFORM_SERVICES) == services == sorted(runtimes)
    for service, runtime in runtimes.items():
        real = {c.queue_name: tuple(c.event_types) for c in runtime.consumers}
        mapped = {s.queue: s.event_types for s in subscriptions([service])}
        assert mapped == real, service
        # and what each produces is every contract named after it
        produced = sorted(m.type for m in runtime.produces)
        assert produced == sorted(
            t for t, m in load_all_contracts().items() if m.producer() == service
        ), service
    # the map is not empty by accident
    assert sum(len(s.event_types) for s in subscriptions()) >= 40


def test_the_catalogue_names_producer_when_consumers_privacy_and_example_of_each_type():
    text = render_catalogue()
    kept = set(history_types()[0])
    for event_type, model in load_all_contracts().items():
        section = text.split(f"\n## {event_type}\n", 1)[1].split("\n## ", 1)[0]
        assert f"| producer | `{model.producer()}`" in section
        assert (model.__doc__ or "").split()[0] in section.split("|")[0], "when, first"
        queues = [s.queue for s in subscriptions() if event_type in s.event_types]
        for queue in queues:
            assert f"(`{queue}`)" in section, (event_type, queue)
        if not queues:
            assert "| consumed by | none of ours |" in section
        history = "kept in" if event_type in kept else "never kept in"
        assert f"{history} `{HISTORY_STREAM_NAME}`" in section, event_type
        assert ("| personal data | **yes**" in section) == model.personal_data
        shown = json.loads(section.split("```json\n", 1)[1].split("\n```", 1)[0])
        assert shown == EXAMPLES[event_type]
    # a personal-data event is never kept, and the registration mail queue is named
    assert "events.registration.confirmed" not in kept
    confirmed = text.split("\n## events.registration.confirmed\n", 1)[1]
    assert "notifications (`notifications.meetups`)" in confirmed.split("\n## ", 1)[0]


def test_the_asyncapi_document_is_valid_asyncapi_3(document):
    schema = json.loads(gzip.decompress(ASYNCAPI_SCHEMA.read_bytes()))
    validator = jsonschema_rs.validator_for(schema)
    errors = [f"{list(e.instance_path)}: {e.message}" for e in validator.iter_errors(document)]
    assert errors == []
    # the validator does refuse a broken document
    broken = {**document, "channels": {"x": {"address": 5}}, "asyncapi": "2.6.0"}
    assert len(list(validator.iter_errors(broken))) >= 2


def _resolve(document: dict[str, Any], ref: str) -> Any:
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def test_every_reference_resolves_and_every_example_matches_its_schema(document):
    refs: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                refs.append(node["$ref"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)
    assert len(refs) > 100
    for ref in refs:
        assert ref.startswith("#/") and _resolve(document, ref) is not None, ref
    for event_type, message in document["components"]["messages"].items():
        root = {"components": document["components"], **message["payload"]}
        validator = jsonschema_rs.validator_for(root)
        (shown,) = message["examples"]
        assert shown["payload"] == EXAMPLES[event_type]
        assert validator.is_valid(shown["payload"]), event_type
        wrong = {**shown["payload"], "type": "events.other.thing"}
        assert not validator.is_valid(wrong), event_type


def test_one_channel_and_one_producer_per_type_and_the_consumers_as_operations(document):
    contracts = load_all_contracts()
    kept = set(history_types()[0])
    assert set(document["channels"]) == {*contracts, HISTORY_STREAM_NAME}
    sends = [op for op in document["operations"].values() if op["action"] == "send"]
    assert sorted(op["channel"]["$ref"] for op in sends) == [f"#/channels/{t}" for t in contracts]
    for op in sends:
        event_type = op["channel"]["$ref"].removeprefix("#/channels/")
        assert op["x-service"] == contracts[event_type].producer()
    receives = {
        (op["x-queue"]["name"], op["channel"]["$ref"].removeprefix("#/channels/"))
        for op in document["operations"].values()
        if op["action"] == "receive"
    }
    assert receives == {(s.queue, t) for s in subscriptions() for t in s.event_types}
    history = document["channels"][HISTORY_STREAM_NAME]["messages"].values()
    assert {ref["$ref"].rsplit("/", 1)[1] for ref in history} == kept
    for event_type, message in document["components"]["messages"].items():
        assert message["x-personal-data"] == contracts[event_type].personal_data
        assert message["x-kept-in-history"] == (event_type in kept)


def test_it_covers_what_each_service_documents_itself(runtimes, document):
    """Each service's own /asyncapi.json (FastStream's) names its queues and routing keys:
    every one is in the platform's document."""
    queues = {
        op["x-queue"]["name"] for op in document["operations"].values() if op["action"] == "receive"
    }
    for service, runtime in runtimes.items():
        own = runtime.asyncapi()
        for channel in own["channels"].values():
            binding = channel["bindings"]["amqp"]
            if binding["is"] == "queue":
                assert binding["queue"]["name"] in queues, (service, channel["address"])
            else:
                assert channel["address"] in document["channels"], (service, channel["address"])


def test_the_catalogue_command_writes_the_catalogue_the_document_and_its_page(tmp_path):
    from typer.testing import CliRunner

    from nkohub_shared.cli import app

    catalogue, document = tmp_path / "events.md", tmp_path / "asyncapi.json"
    ran = CliRunner().invoke(
        app, ["catalogue", "--write", "--path", str(catalogue), "--asyncapi-path", str(document)]
    )
    assert ran.exit_code == 0, ran.output
    assert catalogue.read_text(encoding="utf-8") == render_catalogue()
    assert document.read_text(encoding="utf-8") == render_asyncapi_json()
    page = tmp_path / "asyncapi.html"
    assert page.read_text(encoding="utf-8") == render_asyncapi_html()
    assert f"wrote {document} and {page}" in ran.output
