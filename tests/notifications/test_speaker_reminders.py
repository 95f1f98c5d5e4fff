"""Reminders to speakers the day before: their program items with times and the meetup's
place, exactly once per speaker and meetup with two replicas' schedulers and explicit runs
racing; an erased speaker is forgotten, a cancelled meetup reminds nobody."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from nkohub_contracts.events import MeetupScheduled, SpeakerContact, SpeakersListed
from nkohub_contracts.registry import PersonErased
from nkohub_shared.privacy import person_key
from tests.support.broker import wait_until
from tests.support.notifications_smtp import parts

from .conftest import handled, meetup, none_queued, start_service

OLGA = "o.smirnova@example.org"
IVAN = "ivan@example.org"
IDLE = {"scheduler_poll_seconds": 3600, "prefetch_count": 1}


def listed(m, status: str = "scheduled", **contacts: list[SpeakerContact]) -> SpeakersListed:
    return SpeakersListed(
        meetup_id=m.meetup_id,
        starts_at=m.starts_at,
        status=status,
        speakers=[c for items in contacts.values() for c in items],
    )


def item(position: int, title: str, at: datetime | None, name: str, email: str):
    return SpeakerContact(
        position=position, title=title, starts_at=at, speaker_name=name, email=email
    )


async def test_each_speaker_is_reminded_once_with_their_items(sandbox, smtp):
    async with (
        start_service(sandbox, smtp, **IDLE) as service,
        start_service(sandbox, smtp, **IDLE) as replica,
    ):
        m = meetup(starts_in=timedelta(hours=20))
        later = meetup(starts_in=timedelta(days=3))
        start = m.starts_at
        events = [
            MeetupScheduled(meetup=m),
            listed(
                m,
                olga=[
                    item(1, "Городские субсидии", start, "Ольга Смирнова", OLGA),
                    item(
                        3,
                        "Отчётность",
                        start + timedelta(minutes=50),
                        "Ольга Смирнова",
                        OLGA.upper(),
                    ),
                ],
                ivan=[item(2, "Опыт НКО", None, "Иван Петров", IVAN)],
            ),
            listed(later, olga=[item(1, "Позже", None, "Ольга Смирнова", OLGA)]),
        ]
        envelopes = [await service.publish(e) for e in events]
        again = await service.publish(events[1], envelopes[1])  # a redelivery
        for envelope in [*envelopes, again]:
            await wait_until(lambda e=envelope: handled(service, e))
        await asyncio.gather(
            service.ctx.speakers.send_due(),
            replica.ctx.speakers.send_due(),
            service.ctx.speakers.send_due(),
        )
        await wait_until(lambda: none_queued(service))
        await asyncio.gather(service.ctx.speakers.send_due(), replica.ctx.speakers.send_due())
        await wait_until(lambda: none_queued(service))

        reminders = await service.messages(template="speaker_reminder")
        assert sorted(r["to"] for r in reminders) == [IVAN, OLGA]
        sent = smtp.with_subject("Напоминание: ваше выступление")
        assert len(sent) == 2
        [to_olga] = [s for s in sent if OLGA in str(s["To"])]
        text = parts(to_olga)["text/plain"].get_content()
        assert "Здравствуйте, Ольга Смирнова!" in text
        assert f"на встрече «{m.title}»" in text
        assert "— Городские субсидии" in text and "— Отчётность" in text
        assert "Опыт НКО" not in text and "Позже" not in text, "only her items of this meetup"
        assert "Где: ПНБ им. В.Г. Короленко, г. Глазов, ул. Ленина, 1" in text


async def test_an_erased_or_cancelled_speaker_is_not_reminded(service, smtp):
    m = meetup(starts_in=timedelta(hours=20))
    cancelled = meetup(starts_in=timedelta(hours=20))
    envelopes = [
        await service.publish(MeetupScheduled(meetup=m)),
        await service.publish(listed(m, olga=[item(1, "Субсидии", None, "Ольга Смирнова", OLGA)])),
        await service.publish(
            listed(cancelled, "cancelled", ivan=[item(1, "Опыт", None, "Иван", IVAN)])
        ),
    ]
    for envelope in envelopes:
        await wait_until(lambda e=envelope: handled(service, e))
    assert await service.db.meetup_speakers.count_documents({"speaker_key": person_key(OLGA)})
    erased = await service.publish(
        PersonErased(person_id=uuid.uuid4().hex, person_keys=[person_key(OLGA)])
    )
    await wait_until(lambda: handled(service, erased))
    assert await service.db.meetup_speakers.count_documents({"speaker_key": person_key(OLGA)}) == 0
    # the list again, written before the erasure (a late redelivery): still forgotten
    late = listed(m, olga=[item(1, "Субсидии", None, "Ольга", OLGA)])
    original = await service.db.processed_events.find_one({"event_id": envelopes[1].id})
    assert original is not None
    await service.ctx.speakers.listed(late, envelopes[1])
    assert await service.ctx.speakers.send_due() == 0
    assert await service.messages(template="speaker_reminder") == []
    assert datetime.now(UTC) < m.starts_at
