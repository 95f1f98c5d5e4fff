"""A mailing to 2,000 subscribers survives a SIGKILL in the middle: after the restart
every recipient has exactly one e-mail; those who unsubscribed while it was down are
suppressed, counted and never mailed; those left out from the start are counted."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from nkohub_notifications.app import create_app
from nkohub_notifications.domain.clock import now
from nkohub_notifications.domain.mailings import MailingDraft, Segment
from nkohub_notifications.domain.messages import Recipient
from nkohub_notifications.domain.subscribers import (
    SubscriberFields,
    SubscriberStatus,
    subscriber_document,
)
from tests.support.broker import wait_until
from tests.support.inprocess import running, staff_headers
from tests.support.processes import ServiceProcess

from .conftest import FAST, notifications_settings

RECIPIENTS = 2000
UNSUBSCRIBED = 50  # chose the topic, then unsubscribed: left out from the start
NO_CONSENT = 30  # chose it without consent: left out from the start
GONE_WHILE_DOWN = 20  # unsubscribe while the service is dead: suppressed
SENDERS = 4  # parallel SMTP connections: at most this many messages mid-hand-over


def _subscriber(i: int, *, status: SubscriberStatus, consent: bool) -> dict:
    fields = SubscriberFields(
        name=f"Подписчик {i}",
        email=f"r{i}@example.org",
        topics={"mailings": {"email": True}},
    )
    return subscriber_document(fields, status=status, source="staff", consent=consent)


@pytest.mark.slow
@pytest.mark.timeout(300)
async def test_sigkill_mid_mailing_mails_every_recipient_exactly_once(
    sandbox, smtp, mongo, tmp_path: Path
):
    smtp.count_only = False
    wanted = [_subscriber(i, status=SubscriberStatus.CONFIRMED, consent=True) for i in range(2000)]
    left_out = [
        _subscriber(5000 + i, status=SubscriberStatus.UNSUBSCRIBED, consent=False)
        for i in range(UNSUBSCRIBED)
    ] + [
        _subscriber(6000 + i, status=SubscriberStatus.CONFIRMED, consent=False)
        for i in range(NO_CONSENT)
    ]
    await mongo.subscribers.insert_many(wanted + left_out)

    env = sandbox.env(
        "notifications",
        **{**FAST, **smtp.settings()},
        mailing_rate_per_second=150,
        sender_workers=SENDERS,
        send_lease_seconds=3,
        mailing_lease_seconds=3,
    )
    process = ServiceProcess(
        "nkohub_notifications", env, log_path=tmp_path / "notifications.log"
    ).start()
    headers = staff_headers()
    try:
        async with httpx.AsyncClient(base_url=process.url, timeout=30) as client:
            created = await client.post(
                "/api/v1/staff/mailings",
                json={
                    "subject": "Итоги года",
                    "body": "Спасибо за год!",
                    "segment": {"kind": "topic", "topic": "mailings"},
                },
                headers=headers,
            )
            assert created.status_code == 201, created.text
            mailing_id = created.json()["id"]
            sending = await client.post(
                f"/api/v1/staff/mailings/{mailing_id}/send", json={}, headers=headers
            )
            assert sending.status_code == 202, sending.text

            await wait_until(lambda: smtp.received >= 300, timeout=60)
            assert process.kill() != 0  # SIGKILL mid-way
        at_kill = smtp.received
        mailing = await mongo.mailings.find_one({"_id": mailing_id})

        # while it is down, some whose e-mail has not left unsubscribe
        waiting = mongo.messages.find(
            {"mailing_id": mailing_id, "status": "queued"}, {"recipient_key": 1}
        ).limit(GONE_WHILE_DOWN)
        gone = [m["recipient_key"] async for m in waiting]
        assert len(gone) == GONE_WHILE_DOWN
        await mongo.subscribers.update_many(
            {"person_key": {"$in": gone}},
            {"$set": {"status": "unsubscribed", "mailing_consent": False}},
        )
        gone_addresses = {
            s["email"] async for s in mongo.subscribers.find({"person_key": {"$in": gone}})
        }

        process.start()

        async def finished() -> dict | None:
            doc = await mongo.mailings.find_one({"_id": mailing_id})
            return doc if doc["status"] == "sent" else None

        done = await wait_until(finished, timeout=180, every=0.5)
        await asyncio.sleep(0)
    finally:
        process.stop()

    mailed = Counter(rcpt for _, rcpts in smtp.envelopes for rcpt in rcpts)
    expected = {f"r{i}@example.org" for i in range(RECIPIENTS)} - gone_addresses
    twice = {a: n for a, n in mailed.items() if n > 1}
    assert not twice, f"mailed more than once: {twice}"
    # SMTP cannot be exactly-once: a message the sender had handed over (the server said
    # 354) when it was killed counts as sent, never twice, and is marked `unconfirmed` for
    # staff to see; it may not have arrived. Every other recipient got the mail, and of
    # the unconfirmed ones at most one per SMTP session had not arrived (the moment
    # between the record and the content); the others had (the server's 250 was in,
    # their outcome waited in a group write when the process was killed).
    unconfirmed = {
        m["to"] async for m in mongo.messages.find({"mailing_id": mailing_id, "unconfirmed": True})
    }
    missing = expected - set(mailed)
    assert len(unconfirmed & missing) <= SENDERS, unconfirmed & missing
    assert missing <= unconfirmed, f"lost without a trace: {sorted(missing - unconfirmed)}"
    assert set(mailed) <= expected, f"unexpected {set(mailed) - expected}"
    assert not gone_addresses & set(mailed)
    assert done["audience"] == {
        "included": RECIPIENTS,
        "no_consent": NO_CONSENT,
        "unsubscribed": UNSUBSCRIBED,
        "no_address": 0,
    }
    assert done["result"] == {
        "queued": 0,
        "sending": 0,
        "sent": RECIPIENTS - GONE_WHILE_DOWN,
        "failed": 0,
        "suppressed": GONE_WHILE_DOWN,
    }
    unconfirmed = await mongo.messages.count_documents(
        {"mailing_id": mailing_id, "unconfirmed": True}
    )
    print(
        f"killed after {at_kill} e-mails (fan-out done: {mailing['fanned_out']}); "
        f"{unconfirmed} counted sent after their hand-over"
    )


@pytest.mark.slow
async def test_a_fan_out_left_by_a_dead_process_is_taken_over_without_doubles(sandbox, smtp):
    app = create_app(notifications_settings(sandbox, smtp, mailing_lease_seconds=1.0))
    ctx = app.state.runtime.context
    people = [_subscriber(i, status=SubscriberStatus.CONFIRMED, consent=True) for i in range(12)]
    await ctx.runtime.db.subscribers.insert_many(people)
    draft = MailingDraft(
        subject="Тема", body="Текст", segment=Segment(kind="topic", topic="mailings")
    )
    mailing = await ctx.mailings.create(draft, author="librarian")
    await ctx.mailings.schedule(mailing["_id"], None, author="librarian")
    # what a process that died mid fan-out leaves: the mailing claimed (its lease running
    # out) and part of the recipients' messages queued
    at = now()
    claimed = await ctx.repositories.mailings.claim_due(at, at + timedelta(seconds=1))
    assert claimed is not None and claimed["status"] == "sending"
    await ctx.mailings.fan_out(claimed)
    await ctx.runtime.db.mailings.update_one(
        {"_id": mailing["_id"]}, {"$set": {"fanned_out": False, "fanout_lease": at}}
    )
    await ctx.runtime.db.messages.delete_many({"recipient_name": {"$in": ["Подписчик 0"]}})
    assert await ctx.runtime.db.messages.count_documents({"mailing_id": mailing["_id"]}) == 11

    async with running(app):

        async def done() -> bool:
            doc = await ctx.runtime.db.mailings.find_one({"_id": mailing["_id"]})
            return doc["status"] == "sent"

        await wait_until(done, timeout=30)
    mailed = Counter(rcpt for _, rcpts in smtp.envelopes for rcpt in rcpts)
    assert mailed == Counter({f"r{i}@example.org": 1 for i in range(12)})


@pytest.mark.slow
async def test_a_message_handed_over_by_a_sender_that_died_is_not_sent_again(sandbox, smtp, spy):
    app = create_app(notifications_settings(sandbox, smtp, send_lease_seconds=1.0))
    ctx = app.state.runtime.context
    message = ctx.notifier.email(
        cause="handed-over",
        recipient=Recipient.of("Мария", "maria@example.org"),
        template="subscription_confirm",
        context={"confirm_url": "https://notify.example.org/subscriptions/x/confirm"},
    )
    assert await ctx.notifier.queue([message]) == 1
    at = now()
    await ctx.repositories.messages.claim(message["_id"], at, at + timedelta(seconds=1))
    # the sender recorded the hand-over, wrote the content and died before the outcome
    assert await ctx.repositories.messages.mark_handed_over(message["_id"], at)

    async with running(app):

        async def settled() -> dict | None:
            doc = await ctx.runtime.db.messages.find_one({"_id": message["_id"]})
            return doc if doc["status"] == "sent" else None

        doc = await wait_until(settled, timeout=30)
        events = await spy.wait_for(
            lambda es: any(e["type"] == "notifications.message.sent" for e in es)
        )
    assert doc["unconfirmed"] is True and doc["attempts"] == 1
    assert doc["history"][-1]["outcome"] == "unconfirmed"
    assert smtp.messages == []  # not sent a second time
    [event] = [e for e in events if e["type"] == "notifications.message.sent"]
    assert event["data"]["message_id"] == message["_id"]
