"""The services connect to a MongoDB replica set by configuration alone: a URL naming every
member with ``replicaSet``, write concern ``majority`` and retryable writes is accepted by
the settings and reaches the driver whole; the Compose override gives each service such a
URL with its own user. Static: no replica set has run here (no ``mongod`` binary is
available from the registries this machine reaches; see docs/scaling.md)."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from pydantic import ValidationError
from pymongo.uri_parser import parse_uri

from nkohub_registry.settings import RegistrySettings
from nkohub_shared.storage.mongo import create_client
from tests.support.isolation import Sandbox
from tests.support.processes import ROOT

OVERRIDE = ROOT / "deploy" / "compose" / "mongo-replica-set.yml"
COMPOSE = ROOT / "docker-compose.yml"
MEMBERS = [("mongo", 27017), ("mongo-2", 27017), ("mongo-3", 27017)]
URL = (
    "mongodb://nkohub_registry:s3cret@mongo:27017,mongo-2:27017,mongo-3:27017/nkohub_registry"
    "?authSource=nkohub_registry&replicaSet=rs0&w=majority&retryWrites=true"
)


def _settings(sandbox: Sandbox, url: str) -> RegistrySettings:
    return RegistrySettings(**sandbox.settings("registry", mongodb_url=url))


async def test_a_replica_set_url_is_accepted_and_reaches_the_driver_whole(sandbox: Sandbox):
    settings = _settings(sandbox, URL)
    assert str(settings.mongodb_url) == URL
    client = create_client(str(settings.mongodb_url), timeout_ms=2000)  # connects lazily
    try:
        assert client.options.replica_set_name == "rs0"
        assert client.write_concern.document == {"w": "majority"}
        assert client.options.retry_writes is True
    finally:
        await client.close()
    assert parse_uri(str(settings.mongodb_url))["nodelist"] == MEMBERS


def test_an_atlas_style_srv_url_keeps_no_port(sandbox: Sandbox):
    url = "mongodb+srv://user:pw@cluster0.example.net/nkohub_registry?retryWrites=true&w=majority"
    assert str(_settings(sandbox, url).mongodb_url) == url


@pytest.mark.parametrize("url", ["postgres://db/x", "mongodb://mongo:99999/x"])
def test_other_urls_are_refused(sandbox: Sandbox, url: str):
    with pytest.raises((ValidationError, SystemExit)):
        _settings(sandbox, url)


def _load(path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_the_compose_override_gives_every_service_every_member_and_its_own_user():
    base, override = _load(COMPOSE), _load(OVERRIDE)
    apps = [
        name
        for name, service in base["services"].items()
        if isinstance(service.get("build"), dict) and "SERVICE" in service["build"].get("args", {})
    ]
    assert sorted(apps) == ["console", "events", "notifications", "publishing", "registry"]
    for name in apps:
        url = override["services"][name]["environment"]["NKOHUB_MONGODB_URL"]
        url = re.sub(r"\$\{(\w+):\?[^}]*\}", "pw", url)  # as Compose fills it from .env
        parsed = parse_uri(url)
        assert parsed["nodelist"] == MEMBERS, name
        assert parsed["username"] == f"nkohub_{name}" and parsed["database"] == f"nkohub_{name}"
        options = parsed["options"]
        assert options["replicaSet"] == "rs0" and options["retryWrites"] is True, name
        assert options["w"] == "majority" and options["authSource"] == f"nkohub_{name}", name
        base_url = base["services"][name]["environment"]["NKOHUB_MONGODB_URL"]
        assert base_url.startswith(
            f"mongodb://nkohub_{name}:${{NKOHUB_MONGO_{name.upper()}_PASSWORD"
        )


def test_every_member_runs_in_the_set_with_the_shared_key():
    override = _load(OVERRIDE)
    for member, _ in MEMBERS:
        service = override["services"][member]
        command = " ".join(service["entrypoint"])
        assert "--replSet rs0" in command and "--keyFile /data/keyfile" in command, member
        assert "NKOHUB_MONGO_REPLICA_SET_KEY" in service["environment"], member
    initiate = " ".join(override["services"]["mongo"]["healthcheck"]["test"])
    for member, port in MEMBERS:
        assert f"host: '{member}:{port}'" in initiate
    assert set(override["volumes"]) == {"mongo-data-2", "mongo-data-3"}
