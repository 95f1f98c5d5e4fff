"""Checks that a contract did not break since it was published.

Published schemas are frozen in the platform's repository,
``docs/event-schemas/<type>.v<version>.json``
(``nkohub catalogue --freeze`` writes the missing ones). A current schema is compatible with
its frozen one when every field the frozen one has still exists with the same type, and no
field became required that was not required before (new optional fields are fine).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from nkohub_contracts.base import IntegrationEvent, base_type

__all__ = [
    "FROZEN_DIR",
    "breaking_changes",
    "flatten",
    "freeze",
    "frozen_path",
    "load_frozen",
]

FROZEN_DIR = Path("docs/event-schemas")

Flat = dict[str, tuple[str, bool]]  # path -> (type signature, required)


def frozen_path(model: type[IntegrationEvent], root: Path = Path()) -> Path:
    return root / FROZEN_DIR / f"{base_type(model.type)}.v{model.version}.json"


def _resolve(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = defs[node["$ref"].rsplit("/", 1)[-1]]
    return node


def _signature(node: dict[str, Any], defs: dict[str, Any]) -> str:
    node = _resolve(node, defs)
    if "anyOf" in node:
        return "|".join(sorted(_signature(n, defs) for n in node["anyOf"]))
    kind = node.get("type", "any")
    if kind == "array":
        return f"array[{_signature(node.get('items', {}), defs)}]"
    if kind == "string" and "format" in node:
        return f"string:{node['format']}"
    return str(kind)


def flatten(schema: dict[str, Any]) -> Flat:
    defs = schema.get("$defs", {})
    flat: Flat = {}

    def walk(node: dict[str, Any], prefix: str, required: bool) -> None:
        node = _resolve(node, defs)
        if "anyOf" in node:
            for option in node["anyOf"]:
                option = _resolve(option, defs)
                if option.get("type") == "object" or "properties" in option:
                    walk(option, prefix, False)
            return
        if node.get("type") == "array":
            walk(node.get("items", {}), f"{prefix}[]", required)
            return
        needed = set(node.get("required", []))
        for name, child in node.get("properties", {}).items():
            path = f"{prefix}.{name}" if prefix else name
            flat[path] = (_signature(child, defs), required and name in needed)
            walk(child, path, required and name in needed)

    walk(schema, "", True)
    return flat


def breaking_changes(frozen: dict[str, Any], current: dict[str, Any]) -> list[str]:
    old, new = flatten(frozen), flatten(current)
    problems = []
    for path, (signature, _) in old.items():
        if path not in new:
            problems.append(f"field {path} was removed")
        elif new[path][0] != signature:
            problems.append(f"field {path} changed type: {signature} -> {new[path][0]}")
    for path, (_, required) in new.items():
        if required and not old.get(path, ("", False))[1]:
            problems.append(f"field {path} became required")
    return problems


def load_frozen(model: type[IntegrationEvent], root: Path = Path()) -> dict[str, Any] | None:
    path = frozen_path(model, root)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def freeze(model: type[IntegrationEvent], root: Path = Path()) -> Path | None:
    """Write the frozen schema of a version that has none yet; never overwrite one."""
    path = frozen_path(model, root)
    if path.exists():
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(model.model_json_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n",
        encoding="utf-8",
    )
    return path
