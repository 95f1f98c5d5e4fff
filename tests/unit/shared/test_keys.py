"""Secrets are refused when weak or published; keys are fresh and of the right kind."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, SecretStr, ValidationError

from nkohub_shared.keys import (
    StrongSecret,
    env_block,
    new_secret,
    new_signing_key,
    private_key,
    public_key,
    public_of,
    secret_problem,
)


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("CHANGE-ME-this-placeholder-is-public-use-a-random-secret", "placeholder"),
        ("test-secret-that-is-long-enough-for-hs256-0123456789", "placeholder"),
        ("short-but-random-Xq9", "shorter than 32"),
        ("a" * 64, "too little entropy"),
        ("abababababababababababababababababababab", "too little entropy"),
        ("0123456789" * 4, "too little entropy"),
    ],
)
def test_weak_or_published_secrets_are_refused(value, why):
    problem = secret_problem(value)
    assert problem is not None and why in problem


def test_generated_secrets_pass_and_differ():
    values = {new_secret() for _ in range(200)}
    assert len(values) == 200
    assert all(secret_problem(v) is None for v in values)


class _Settings(BaseModel):
    link_secret: StrongSecret


def test_a_settings_field_names_the_problem():
    with pytest.raises(ValidationError) as refused:
        _Settings(link_secret=SecretStr("CHANGE-ME-" + "x" * 40))
    assert refused.value.errors()[0]["loc"] == ("link_secret",)
    assert "placeholder" in str(refused.value)
    assert _Settings(link_secret=SecretStr(new_secret())).link_secret


def test_signing_keys_pair_up_and_sign():
    private, public = new_signing_key()
    assert public_of(private) == public
    signature = private_key(private).sign(b"x")
    public_key(public).verify(signature, b"x")  # raises on a mismatch
    with pytest.raises(ValueError, match="32 bytes"):
        public_key("dG9vLXNob3J0")


def test_env_block_has_every_key_once():
    names = [line.split("=", 1)[0] for line in env_block().splitlines()]
    assert names == [
        "NKOHUB_STAFF_TOKEN_PRIVATE_KEY",
        "NKOHUB_STAFF_TOKEN_PUBLIC_KEY",
        "NKOHUB_LINK_SECRET",
        "NKOHUB_PERSON_KEY_SECRET",
        "NKOHUB_WEBHOOK_SECRET",
        "NKOHUB_RABBITMQ_PASSWORD",
        "NKOHUB_MONGO_ROOT_PASSWORD",
        "NKOHUB_MONGO_REGISTRY_PASSWORD",
        "NKOHUB_MONGO_EVENTS_PASSWORD",
        "NKOHUB_MONGO_NOTIFICATIONS_PASSWORD",
        "NKOHUB_MONGO_PUBLISHING_PASSWORD",
        "NKOHUB_MONGO_CONSOLE_PASSWORD",
    ]


def test_server_passwords_fit_into_connection_urls_unescaped():
    from urllib.parse import quote

    for line in env_block().splitlines():
        name, _, value = line.partition("=")
        if name.endswith("_PASSWORD"):
            assert quote(value, safe="") == value, name
            assert len(value) >= 32, name
