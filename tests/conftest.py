"""Fixtures every suite shares: the real servers and a sandbox (vhost + databases) per test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from nkohub_shared.privacy import use_person_key_secret
from tests.support.isolation import PERSON_KEY_SECRET, Sandbox, create_sandbox, destroy_sandbox
from tests.support.servers import NoServers, Servers, discover

# Person keys in the test process agree with those of the services it starts.
use_person_key_secret(PERSON_KEY_SECRET)


@pytest.fixture(scope="session")
def servers() -> Iterator[Servers]:
    try:
        found = discover()
    except NoServers as exc:
        pytest.exit(str(exc), returncode=3)
    yield found
    found.stop()


@pytest.fixture
def sandbox(servers: Servers) -> Iterator[Sandbox]:
    box = create_sandbox(servers)
    yield box
    destroy_sandbox(box)


@pytest.fixture
async def spy(sandbox: Sandbox) -> AsyncIterator[object]:
    from tests.support.broker import event_spy

    async with event_spy(sandbox.amqp_url) as watcher:
        yield watcher
