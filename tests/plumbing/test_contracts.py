"""Bad configuration, tokens and envelopes are refused with an error that names the cause."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import jwt
import pytest

from nkohub_contracts import (
    MalformedEvent,
    UnknownEventType,
    decode_event,
    new_event,
)
from nkohub_shared.catalogue import CATALOGUE_PATH, render_catalogue
from nkohub_shared.keys import new_signing_key, private_key
from nkohub_shared.settings import ServiceSettings, SettingsError
from nkohub_shared.tokens import issue_token
from tests.support.isolation import (
    LINK_SECRET,
    PERSON_KEY_SECRET,
    STAFF_TOKEN_PRIVATE_KEY,
    STAFF_TOKEN_PUBLIC_KEY,
)
from tests.support.probe_service import ProbeRecorded

ROOT = Path(__file__).resolve().parents[2]


class _Settings(ServiceSettings):
    service_name = "probe"


def test_missing_and_malformed_settings_are_named(monkeypatch):
    for name in ("NKOHUB_MONGODB_URL", "NKOHUB_AMQP_URL", "NKOHUB_STAFF_TOKEN_PUBLIC_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NKOHUB_AMQP_URL", "http://not-amqp")
    monkeypatch.setenv("NKOHUB_LINK_SECRET", "CHANGE-ME-this-placeholder-is-public-0123456789")
    monkeypatch.setenv("NKOHUB_PERSON_KEY_SECRET", "x" * 48)
    with pytest.raises(SettingsError) as caught:
        _Settings.load(_env_file=None)
    message = str(caught.value)
    assert "NKOHUB_MONGODB_URL is missing" in message
    assert "NKOHUB_STAFF_TOKEN_PUBLIC_KEY is missing" in message
    assert "NKOHUB_AMQP_URL is malformed" in message
    assert "NKOHUB_LINK_SECRET is malformed: Value error, looks like a placeholder" in message
    assert "NKOHUB_PERSON_KEY_SECRET is malformed: Value error, has too little entropy" in message


def test_a_service_refuses_to_start_without_settings(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "nkohub_registry"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "NKOHUB_MONGODB_URL is missing" in result.stderr


def test_an_envelope_round_trips_with_cloudevents_attributes():
    envelope = new_event(ProbeRecorded(key="k1"))
    decoded, data = decode_event(envelope.model_dump_json().encode())
    assert decoded.specversion == "1.0"
    assert decoded.source == "/nkohub/events"
    assert decoded.subject == "k1"
    assert decoded.dataschema == "urn:nkohub:event:events.probe.recorded:v1"
    assert data == ProbeRecorded(key="k1")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"{not json", "malformed CloudEvents envelope"),
        (json.dumps({"specversion": "0.3"}).encode(), "specversion"),
    ],
)
def test_malformed_envelopes_are_refused_with_the_field(body, expected):
    with pytest.raises(MalformedEvent, match=expected):
        decode_event(body)


def test_data_not_matching_its_schema_names_the_field():
    envelope = new_event(ProbeRecorded(key="k")).model_dump(mode="json")
    envelope["data"] = {"fail_times": "many"}
    with pytest.raises(MalformedEvent) as caught:
        decode_event(envelope)
    assert "key" in str(caught.value) and "fail_times" in str(caught.value)


def test_an_unknown_event_type_is_refused():
    envelope = new_event(ProbeRecorded(key="k")).model_dump(mode="json")
    envelope["type"] = "events.probe.vanished"
    with pytest.raises(UnknownEventType, match=r"events\.probe\.vanished"):
        decode_event(envelope)


def test_the_event_catalogue_is_up_to_date():
    committed = (ROOT / CATALOGUE_PATH).read_text(encoding="utf-8")
    assert committed == render_catalogue(), "run `uv run nkohub catalogue --write`"


async def test_staff_endpoints_refuse_missing_bad_and_expired_tokens_and_wrong_roles(probe):
    producer = probe("producer")
    url = f"{producer.url}/staff-only"

    missing = httpx.get(url)
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == "Bearer"
    assert "authentication required" in missing.json()["error"]["message"]

    def answer(token: str) -> httpx.Response:
        return httpx.get(url, headers={"Authorization": f"Bearer {token}"})

    hour = timedelta(hours=1)
    forged = issue_token(new_signing_key()[0], sub="x", role="admin", ttl=hour)
    bad = answer(forged)
    assert bad.status_code == 401 and "invalid token" in bad.json()["error"]["message"]

    expired = issue_token(STAFF_TOKEN_PRIVATE_KEY, sub="x", role="staff", ttl=-hour / 720)
    old = answer(expired)
    assert old.status_code == 401 and "expired" in old.json()["error"]["message"]

    too_long = issue_token(STAFF_TOKEN_PRIVATE_KEY, sub="x", role="staff", ttl=hour * 24 * 30)
    assert "lives longer" in answer(too_long).json()["error"]["message"]
    for claim in ({"iss": "someone-else"}, {"aud": "another-platform"}):
        assert answer(_token(**claim)).status_code == 401, claim
    # The verifying side's public key does not sign: an HS256 token keyed with it is refused.
    symmetric = jwt.encode(_claims(), STAFF_TOKEN_PUBLIC_KEY, algorithm="HS256")
    assert answer(symmetric).status_code == 401

    assert answer(_token(role="guest")).status_code == 401, "an unknown role is not valid"

    good = issue_token(STAFF_TOKEN_PRIVATE_KEY, sub="librarian", role="staff", ttl=hour)
    ok = answer(good)
    assert ok.status_code == 200 and ok.json() == {"sub": "librarian", "role": "staff"}


def _claims(**overrides: object) -> dict[str, object]:
    now = datetime.now(UTC)
    claims = {"sub": "x", "role": "staff", "iss": "nkohub", "aud": "nkohub", "iat": now}
    return {**claims, "exp": now + timedelta(hours=1), **overrides}


def _token(**overrides: object) -> str:
    return jwt.encode(_claims(**overrides), private_key(STAFF_TOKEN_PRIVATE_KEY), "EdDSA")


def test_the_token_command_issues_a_verifiable_token():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "nkohub_shared.cli",
            "token",
            "--sub",
            "librarian",
            "--role",
            "admin",
        ],
        env={"NKOHUB_STAFF_TOKEN_PRIVATE_KEY": STAFF_TOKEN_PRIVATE_KEY, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    from nkohub_shared.tokens import verify_token

    principal = verify_token(STAFF_TOKEN_PUBLIC_KEY, result.stdout.strip())
    assert (principal.sub, principal.role.value) == ("librarian", "admin")


async def test_asyncapi_documents_what_a_service_publishes_and_consumes(probe):
    producer = probe("producer")
    consumer = probe("consumer")
    produced = httpx.get(f"{producer.url}/asyncapi.json").json()
    consumed = httpx.get(f"{consumer.url}/asyncapi.json").json()
    assert produced["asyncapi"].startswith("3.")
    published = [op for op in produced["operations"].values() if op["action"] == "send"]
    assert any("events.probe.recorded" in str(op) for op in published)
    assert "ProbeRecorded" in json.dumps(produced["components"])
    received = [op for op in consumed["operations"].values() if op["action"] == "receive"]
    assert any("probe.counter" in json.dumps(op) for op in received)
    assert "Handles events.probe.recorded" in json.dumps(consumed), "types a queue binds"


def test_public_base_url_defaults_to_the_service_port_and_can_be_set(monkeypatch):
    monkeypatch.setenv("NKOHUB_MONGODB_URL", "mongodb://db")
    monkeypatch.setenv("NKOHUB_AMQP_URL", "amqp://bus")
    monkeypatch.setenv("NKOHUB_STAFF_TOKEN_PUBLIC_KEY", STAFF_TOKEN_PUBLIC_KEY)
    monkeypatch.setenv("NKOHUB_LINK_SECRET", LINK_SECRET)
    monkeypatch.setenv("NKOHUB_PERSON_KEY_SECRET", PERSON_KEY_SECRET)

    class Events(ServiceSettings):
        service_name = "events"
        default_port = 8002

    assert str(Events.load(_env_file=None).public_base_url) == "http://localhost:8002/"
    assert str(Events.load(_env_file=None, http_port=9100).public_base_url).endswith(":9100/")
    public = Events.load(_env_file=None, public_base_url="https://nko.example.org/events")
    assert str(public.public_base_url) == "https://nko.example.org/events"
