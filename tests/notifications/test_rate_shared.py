"""The sender's rate limit holds for all replicas together: send slots are taken in the
service's MongoDB, so two senders against one database send at most the configured rate
between them, and everything eventually. Time is a controllable clock: a sleep moves it
to the slot's start at once, and the slots handed out are compared exactly."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import AsyncMongoClient

from nkohub_notifications.app import create_app
from nkohub_notifications.domain import Recipient
from nkohub_notifications.domain.rate import Pace
from nkohub_notifications.repository.send_slots import COLLECTION, SendSlotRepository
from nkohub_notifications.service.sending_rate import Pacing, SendingRate
from tests.support.broker import wait_until
from tests.support.inprocess import running
from tests.support.isolation import Sandbox
from tests.support.notifications_smtp import SmtpRecorder, address

from .conftest import notifications_settings

RATE = 5  # e-mails per second: K = 5 per one-second window
START = 1_800_000_000.0  # the controllable clock's epoch seconds


class VirtualClock:
    """Moves only when someone sleeps: to the end of that sleep, never back."""

    def __init__(self, at: float = START) -> None:
        self.at = at

    def __call__(self) -> float:
        return self.at

    async def sleep(self, seconds: float) -> None:
        self.at = max(self.at, self.at + seconds)
        await asyncio.sleep(0)


def recording(moments: list[float]) -> type[SendingRate]:
    class Recording(SendingRate):
        async def wait(self) -> float | None:
            starts = await super().wait()
            if starts is not None:
                moments.append(starts)
            return starts

    return Recording


async def test_two_replicas_take_different_slots_of_one_line(sandbox: Sandbox):
    """Two processes' worth of clients (two connections) interleaving their takes."""
    clients = [AsyncMongoClient(sandbox.servers.mongodb_url, tz_aware=True) for _ in range(2)]
    try:
        db = sandbox.database("notifications")
        a, b = (SendSlotRepository(client[db][COLLECTION]) for client in clients)
        pace = Pace(RATE)
        now = pace.slot_at(START)
        taken = await asyncio.gather(*(r.take("email@5", now) for r in [a, b] * 10))
        assert sorted(taken) == list(range(now, now + 20))
        # a later moment skips the slots that passed unused: no saved-up burst
        later = now + 1000
        assert await b.take("email@5", later) == later
        assert await a.take("email@5", later - 500) == later + 1
        # another rate is another line
        assert await a.take("email@10", 7) == 7
    finally:
        for client in clients:
            await client.close()


async def test_two_senders_share_the_rate_and_send_everything(sandbox: Sandbox):
    count = 100  # more than one sender has in flight (2 sessions × 32), so both send
    recorder = SmtpRecorder().start()
    clock = VirtualClock()
    moments: dict[str, list[float]] = {"a": [], "b": []}
    apps = {}
    for name in moments:
        settings = notifications_settings(
            sandbox, recorder, email_rate_per_second=RATE, sender_workers=2
        )
        app = create_app(settings)
        ctx = app.state.runtime.context
        ctx.sender.pacing = Pacing.of(
            settings,
            ctx.repositories.send_slots,
            clock=clock,
            sleep=clock.sleep,
            rate=recording(moments[name]),
        )
        apps[name] = app
    try:
        async with contextlib.AsyncExitStack() as stack:
            for app in apps.values():
                await stack.enter_async_context(running(app))
            ctx = apps["a"].state.runtime.context
            people = [f"rate-{i}@example.org" for i in range(count)]
            queued = [
                ctx.notifier.email(
                    cause=f"rate-{i}",
                    recipient=Recipient.of(f"Получатель {i}", email),
                    template="subscription_confirm",
                    context={"confirm_url": f"https://notify.example.org/s/{i}/confirm"},
                )
                for i, email in enumerate(people)
            ]
            assert await ctx.notifier.queue(queued) == count
            for app in apps.values():
                app.state.runtime.context.sender.wake()
            mails = await recorder.wait_count(count, timeout=120)
            await wait_until(lambda: _all_sent(ctx.runtime.db, count))
    finally:
        recorder.stop()

    assert sorted(address(m) for m in mails) == sorted(people), "each once, all of them"
    together = sorted(moments["a"] + moments["b"])
    assert len(together) == count
    first = Pace(RATE).slot_at(START)
    # one sequence of slots for both: no slot twice, none skipped
    assert together == [Pace(RATE).start_of(first + i) for i in range(count)]
    per_window = Counter(int(moment) for moment in together)
    assert max(per_window.values()) == RATE
    assert sum(per_window.values()) == count
    # both replicas sent (else the sharing would not be shown)
    assert moments["a"] and moments["b"], {k: len(v) for k, v in moments.items()}


async def _all_sent(db: Any, count: int) -> bool:
    return await db.messages.count_documents({"status": "sent"}) == count


async def test_a_sender_whose_claim_ran_out_while_it_waited_for_its_slot_does_not_send(
    sandbox: Sandbox,
):
    """The lease sweep takes the claim back while the sender waits for its send slot (a
    long queue of slots, a stalled process); the sender must then not hand the message
    over, or it and the next claimant would both send it."""
    recorder = SmtpRecorder().start()
    settings = notifications_settings(sandbox, recorder, email_rate_per_second=RATE)
    app = create_app(settings)
    ctx = app.state.runtime.context
    waits: list[float] = []

    class ClaimRunsOut(SendingRate):
        async def wait(self) -> float | None:
            starts = await super().wait()
            waits.append(starts or 0.0)
            if len(waits) == 1:  # the lease expires meanwhile, and the sweep frees it
                messages = ctx.runtime.db.messages
                past = datetime.now(UTC) - timedelta(seconds=1)
                await messages.update_many({"status": "sending"}, {"$set": {"lease_until": past}})
                await ctx.repositories.messages.release_expired_leases(datetime.now(UTC))
                assert await messages.count_documents({"status": "queued"}) == 1
            return starts

    ctx.sender.pacing = Pacing.of(settings, ctx.repositories.send_slots, rate=ClaimRunsOut)
    try:
        async with running(app):
            message = ctx.notifier.email(
                cause="claim-runs-out",
                recipient=Recipient.of("Анна", "claim@example.org"),
                template="subscription_confirm",
                context={"confirm_url": "https://notify.example.org/s/c/confirm"},
            )
            assert await ctx.notifier.queue([message]) == 1
            await wait_until(lambda: _all_sent(ctx.runtime.db, 1), timeout=60)
            doc = await ctx.runtime.db.messages.find_one({"_id": message["_id"]})
    finally:
        recorder.stop()
    assert [address(m) for m in recorder.messages] == ["claim@example.org"], "once"
    assert len(waits) == 2 and doc["attempts"] == 2
    assert doc["status"] == "sent"
