"""Fixtures of the notifications unit tests: pure rules only, no server."""

from __future__ import annotations

import pytest

from nkohub_notifications.domain.links import MailLinks
from nkohub_notifications.domain.rendering import Renderer
from nkohub_shared.links import LinkSigner

SECRET = "unit-test-secret-that-is-long-enough-0123456789"


class FakeClock:
    """Monotonic seconds that only move when told to."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def links() -> MailLinks:
    return MailLinks(
        signer=LinkSigner(SECRET),
        events_url="https://events.example.org/",
        own_url="https://notify.example.org",
    )


@pytest.fixture(scope="session")
def renderer() -> Renderer:
    return Renderer()
