"""Reminders to specialists the day before: their slots and who booked them, exactly once
per specialist and meetup with two replicas' schedulers and explicit runs racing."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from nkohub_contracts.common import Specialist
from nkohub_contracts.events import ConsultationBooked, ConsultationCancelled
from tests.support.broker import wait_until
from tests.support.notifications_smtp import parts

from .conftest import handled, none_queued, participant, start_service

ANNA = Specialist(
    specialist_id="s-anna", name="Иванова Анна", specialty="юрист", email="anna@example.org"
)
OLEG = Specialist(
    specialist_id="s-oleg", name="Олег Налогов", specialty="налоги", email="oleg@example.org"
)


def booking(specialist: Specialist, starts_at: datetime, meetup_id: str, org: str, who: str):
    return ConsultationBooked(
        consultation_id=uuid.uuid4().hex,
        slot_id=uuid.uuid4().hex,
        meetup_id=meetup_id,
        specialist=specialist,
        starts_at=starts_at,
        duration_minutes=30,
        organization_name=org,
        contact=participant(name=who),
    )


async def test_each_specialist_is_reminded_once_with_their_slots(sandbox, smtp):
    """Two replicas (their schedulers idle after the first look, so that the runs below
    are the race), three runs at once, then two more."""
    idle = {"scheduler_poll_seconds": 3600, "prefetch_count": 1}
    async with start_service(sandbox, smtp, **idle) as service:
        await _reminded_once(sandbox, smtp, service, idle)


async def _reminded_once(sandbox, smtp, service, idle) -> None:
    tomorrow = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=20)
    meetup_id = f"m-{uuid.uuid4().hex[:8]}"
    bookings = [
        booking(ANNA, tomorrow, meetup_id, "АНО «Добрые дела»", "Петров Пётр"),
        booking(ANNA, tomorrow + timedelta(minutes=30), meetup_id, "Фонд «Свет»", "Сидорова Ольга"),
        booking(ANNA, tomorrow + timedelta(minutes=60), meetup_id, "АНО «Отмена»", "Отменов Ян"),
        booking(OLEG, tomorrow, meetup_id, "АНО «Добрые дела»", "Петров Пётр"),
        # in three days: not yet
        booking(OLEG, tomorrow + timedelta(days=3), "m-later", "АНО «Позже»", "Поздний Пётр"),
    ]
    cancelled = bookings[2]
    async with start_service(sandbox, smtp, **idle) as replica:
        envelopes = [await service.publish(b) for b in bookings]
        last = await service.publish(
            ConsultationCancelled(
                **cancelled.model_dump(exclude={"contact", "question"}),
                contact=cancelled.contact,
                cancelled_by="participant",
            )
        )
        for envelope in [*envelopes, last]:
            await wait_until(lambda e=envelope: handled(service, e))
        await asyncio.gather(
            service.ctx.specialists.send_due(),
            replica.ctx.specialists.send_due(),
            service.ctx.specialists.send_due(),
        )
        await wait_until(lambda: none_queued(service))
        await asyncio.gather(service.ctx.specialists.send_due(), replica.ctx.specialists.send_due())

    reminders = await service.messages(template="specialist_reminder")
    assert sorted(m["to"] for m in reminders) == ["anna@example.org", "oleg@example.org"]
    sent = smtp.with_subject("Напоминание: консультации")
    [to_anna] = [m for m in sent if "anna@example.org" in str(m["To"])]
    text = parts(to_anna)["text/plain"].get_content()
    assert "Здравствуйте, Иванова Анна!" in text
    assert "АНО «Добрые дела» (Петров Пётр)" in text and "Фонд «Свет» (Сидорова Ольга)" in text
    assert "Отменов" not in text, "a cancelled slot is not in the reminder"
    assert "@" not in text.split("--")[0].replace("anna@example.org", ""), "no addresses"
    assert len([m for m in sent if "oleg@example.org" in str(m["To"])]) == 1
    assert len(sent) == 2
