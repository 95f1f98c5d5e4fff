"""Published event contracts never break silently."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest
from pydantic import BaseModel

from nkohub_contracts import IntegrationEvent, load_all_contracts
from nkohub_contracts.compatibility import breaking_changes, load_frozen

ROOT = Path(__file__).resolve().parents[3]
CONTRACTS = load_all_contracts()


@pytest.mark.parametrize("event_type", sorted(CONTRACTS))
def test_every_published_contract_is_compatible_with_its_frozen_schema(event_type):
    model = CONTRACTS[event_type]
    frozen = load_frozen(model, ROOT)
    assert frozen is not None, (
        f"{event_type} v{model.version} has no frozen schema: run "
        "`uv run nkohub catalogue --freeze --write` once it is ready to publish"
    )
    assert breaking_changes(frozen, model.model_json_schema()) == []


class _Inner(BaseModel):
    name: str


def _versions() -> tuple[type[IntegrationEvent], ...]:
    class V1(IntegrationEvent):
        type: ClassVar[str] = "events.compat.tested"
        key: str
        inner: _Inner
        note: str | None = None

    return (V1,)


def test_the_checker_finds_removed_retyped_and_newly_required_fields():
    (v1,) = _versions()
    frozen = v1.model_json_schema()
    schema = v1.model_json_schema()
    assert breaking_changes(frozen, schema) == []

    added_optional = {**schema, "properties": {**schema["properties"], "extra": {"type": "string"}}}
    assert breaking_changes(frozen, added_optional) == []

    removed = {
        **schema,
        "properties": {k: v for k, v in schema["properties"].items() if k != "key"},
    }
    assert "field key was removed" in breaking_changes(frozen, removed)

    retyped = {**schema, "properties": {**schema["properties"], "key": {"type": "integer"}}}
    assert "field key changed type: string -> integer" in breaking_changes(frozen, retyped)

    required = {**schema, "required": [*schema["required"], "note"]}
    assert "field note became required" in breaking_changes(frozen, required)

    inner = schema["$defs"]["_Inner"]
    nested = {
        **schema,
        "$defs": {"_Inner": {**inner, "properties": {"name": {"type": "boolean"}}}},
    }
    assert "field inner.name changed type: string -> boolean" in breaking_changes(frozen, nested)
