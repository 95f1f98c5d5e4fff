"""Dead letters are acted on per event type: ``replay --type`` and ``purge --type`` touch
only the letters of that type in a queue, the others stay (against the real broker, the
probe consumer in a process of its own). The rest of ``nkohub dead-letters`` — list,
show, replay and purge by id, the expiry policy, the readiness signal — is shown in
``tests/plumbing/test_dead_letters.py``; the depth metric in ``tests/plumbing/test_metrics.py``."""

from __future__ import annotations

from nkohub_contracts import new_event
from tests.plumbing.conftest import probe  # noqa: F401  (the fixture)
from tests.plumbing.test_dead_letters import (
    DEAD_LETTERS,
    QUEUE,
    TYPE,
    _ids_in,
    applied,
    depth,
    nkohub,
    publish,
    wait_for,
)
from tests.support.isolation import Sandbox
from tests.support.probe_service import ProbeRecorded

OTHER = "tests.probe.retired"


def _dead_letter(sandbox: Sandbox, key: str, event_type: str) -> str:
    """A letter as RabbitMQ leaves it: in the dead-letter queue, ``x-death`` naming the
    consumer queue and the original routing key (the event type)."""
    envelope = new_event(ProbeRecorded(key=key))
    death = {"queue": QUEUE, "reason": "delivery_limit", "routing-keys": [event_type]}
    publish(
        sandbox,
        envelope.model_dump_json().encode(),
        envelope.id,
        routing_key=DEAD_LETTERS,
        exchange="",
        headers={"x-death": [death]},
    )
    return envelope.id


def test_replay_and_purge_by_event_type(probe, sandbox: Sandbox):  # noqa: F811
    probe("consumer")
    for i in range(3):
        _dead_letter(sandbox, f"typed-{i}", TYPE)
    retired = [_dead_letter(sandbox, f"retired-{i}", OTHER) for i in range(2)]
    wait_for(lambda: depth(sandbox) == 5)
    listed = nkohub(sandbox, "list", "--by-type", "--queue", QUEUE).splitlines()
    assert f"  {TYPE}\t3" in listed and f"  {OTHER}\t2" in listed, listed

    assert f"replayed 3 from {DEAD_LETTERS}" in nkohub(sandbox, "replay", QUEUE, "--type", TYPE)
    wait_for(lambda: applied(sandbox) == {f"typed-{i}": 1 for i in range(3)})
    assert _ids_in(sandbox) == set(retired)

    output = nkohub(sandbox, "purge", QUEUE, "--type", TYPE, "--yes")
    assert f"purged 0 from {DEAD_LETTERS}" in output
    assert _ids_in(sandbox) == set(retired)
    output = nkohub(sandbox, "purge", QUEUE, "--type", OTHER, "--yes")
    assert f"purged 2 from {DEAD_LETTERS}" in output
    assert depth(sandbox) == 0
    assert sorted(applied(sandbox)) == sorted(f"typed-{i}" for i in range(3))
