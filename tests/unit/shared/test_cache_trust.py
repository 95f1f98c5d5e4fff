"""How long a cached answer is trusted (``nkohub_shared.web.caching``) and what a note does
(``nkohub_shared.bus.cachenotes``), without servers: the clock's states, its epochs, and
notes handed to ``receive`` as the broker would."""

from __future__ import annotations

import json
import time

from starlette.responses import Response

from nkohub_shared.bus.cachenotes import CacheNotes, CachePolicy
from nkohub_shared.storage.writeclock import WriteClock
from nkohub_shared.web.caching import ResponseCache


def _page() -> Response:
    return Response(b"<p>page</p>", media_type="text/html")


def _note(sender: str, changed: dict[str, list[str]] | None = None) -> bytes:
    return json.dumps({"from": sender, "changed": changed or {}}).encode()


def test_a_listening_clock_trusts_an_entry_for_the_long_time_to_live_only_in_its_epoch():
    clock = WriteClock(ttl_seconds=3600, fallback_ttl_seconds=10)
    now = time.monotonic()
    assert not clock.listening
    assert clock.fresh(now, clock.epoch, now + 3600, now + 5)  # within the fallback
    assert not clock.fresh(now, clock.epoch, now + 3600, now + 11)  # past it, not listening

    clock.heard_itself(trust_seconds=60)
    assert clock.listening and clock.epoch == 1
    assert clock.fresh(now, 1, now + 3600, now + 11)  # listening: the long time to live
    assert not clock.fresh(now, 0, now + 3600, now + 11)  # read before it listened
    assert not clock.fresh(now, 1, now + 3600, now + 3601)  # the long one ends too
    clock.heard_itself(trust_seconds=60)
    assert clock.epoch == 1  # still the same spell

    clock.deaf()
    assert not clock.listening
    assert not clock.fresh(now, 1, now + 3600, now + 11)
    clock.heard_itself(trust_seconds=60)
    assert clock.epoch == 2  # a new spell: what was read before it is not trusted
    assert not clock.fresh(now, 1, now + 3600, now + 11)


def test_a_cached_page_lives_long_only_while_the_notes_flow():
    clock = WriteClock(ttl_seconds=3600, fallback_ttl_seconds=0)
    cache = ResponseCache(clock=clock)
    cache.store("d", ("/",), cache.stamp("d", ("c",)), _page())
    assert cache.lookup("d", ("c",), ("/",)) is None  # not listening: fallback 0 s
    clock.heard_itself(trust_seconds=60)
    cache.store("d", ("/",), cache.stamp("d", ("c",)), _page())
    assert cache.lookup("d", ("c",), ("/",)) is not None
    clock.deaf()
    assert cache.lookup("d", ("c",), ("/",)) is None
    assert cache.stale("d", ("c",), ("/",)) is not None  # may still be revalidated


def test_notes_of_others_move_the_counters_and_own_notes_prove_the_path():
    clock = WriteClock(ttl_seconds=3600, fallback_ttl_seconds=5)
    notes = CacheNotes("publishing", clock, CachePolicy(trust_seconds=30))
    assert notes.exchange.name == "nkohub.cache.publishing"
    assert notes.queue.name == f"nkohub.cache.publishing.{notes.sender}"

    notes.receive(_note("another-replica", {"db": ["posts", "slugs"]}))
    assert clock.stamp("db", ("posts", "slugs", "files")) == (1, 1, 0)
    assert notes.heard == 1 and not clock.listening

    notes.receive(_note(notes.sender, {"db": ["posts"]}))  # own: no counter moves
    assert clock.stamp("db", ("posts",)) == (1,) and clock.listening and notes.heard == 1

    notes.receive(b"not json")
    notes.receive(json.dumps({"changed": {}}).encode())
    assert clock.stamp("db", ("posts",)) == (1,) and notes.heard == 1


def test_a_write_here_is_pending_for_the_next_note_and_a_heard_one_is_not():
    clock = WriteClock()
    notes = CacheNotes("events", clock, CachePolicy())
    clock.moved("db", "meetups")
    clock.moved("db", "meetups")
    clock.heard("db", ["registrations"])
    assert notes._pending == {("db", "meetups")}
