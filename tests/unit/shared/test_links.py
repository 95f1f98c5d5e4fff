"""Participant links: one purpose's token is worthless for another, any text is safe."""

from __future__ import annotations

import pytest

from nkohub_shared.errors import Forbidden
from nkohub_shared.links import LinkSigner, Purpose, registration_cancel_path
from nkohub_shared.privacy import sign

SECRET = "k" * 16 + "Z9x" * 8


def test_tokens_are_the_hmac_of_purpose_and_value():
    signer = LinkSigner(SECRET)
    assert signer.token(Purpose.REGISTRATION, "r1") == sign(SECRET, "registration", "r1")
    assert signer.valid(Purpose.REGISTRATION, "r1", signer.token(Purpose.REGISTRATION, "r1"))


def test_a_token_is_worthless_for_another_purpose_value_or_secret():
    signer = LinkSigner(SECRET)
    token = signer.token(Purpose.REGISTRATION, "r1")
    assert not signer.valid(Purpose.CONSULTATION, "r1", token)
    assert not signer.valid(Purpose.REGISTRATION, "r2", token)
    assert not LinkSigner(SECRET + "x").valid(Purpose.REGISTRATION, "r1", token)


@pytest.mark.parametrize("token", [None, "", "ёжик", "\x00", "a" * 5000])
def test_any_text_is_refused_without_an_error(token):
    assert LinkSigner(SECRET).valid(Purpose.UNSUBSCRIBE, "s1", token) is False
    with pytest.raises(Forbidden) as refused:
        LinkSigner(SECRET).require(Purpose.UNSUBSCRIBE, "s1", token)
    assert refused.value.field == "token"


def test_a_link_carries_its_query_and_token():
    signer = LinkSigner(SECRET)
    url = signer.link(
        "https://nko.example/", registration_cancel_path("r1"), Purpose.REGISTRATION, "r1"
    )
    token = signer.token(Purpose.REGISTRATION, "r1")
    assert url == f"https://nko.example/registrations/r1/cancel?token={token}"


def test_an_expiring_link_works_until_its_moment_and_its_expiry_cannot_be_moved():
    from datetime import UTC, datetime

    signer = LinkSigner(SECRET)
    expires = int(datetime(2026, 12, 30, tzinfo=UTC).timestamp())
    token = signer.expiring(Purpose.ERASURE, "p1", expires)
    before = datetime(2026, 12, 29, tzinfo=UTC)
    after = datetime(2026, 12, 31, tzinfo=UTC)
    assert signer.valid_until(Purpose.ERASURE, "p1", expires, token, now=before)
    assert not signer.valid_until(Purpose.ERASURE, "p1", expires, token, now=after)
    assert not signer.valid_until(Purpose.ERASURE, "p1", expires + 86400, token, now=before)
    assert not signer.valid_until(Purpose.ERASURE, "p1", None, token, now=before)
    assert not signer.valid(Purpose.ERASURE, "p1", token), "not a token of the bare value"
