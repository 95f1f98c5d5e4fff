"""A meetup as the events service's events carry it (``MeetupSnapshot``), for the tests of
the services that consume them: the Glazov meetup of 28 March (18:00 local time) in the
library's hall of 65 seats, with whatever a test changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from nkohub_contracts.common import MeetupSnapshot, ProgramItem, Venue

MEETUP_STARTS = datetime(2030, 3, 28, 14, 0, tzinfo=UTC)  # 18:00 in Glazov
LIBRARY = Venue(name="ПНБ им. В.Г. Короленко", address="ул. Ленина, 1")


def meetup_snapshot(**changes: Any) -> MeetupSnapshot:
    """The meetup ``m-28`` (a talk and questions to the head of the city), ``changes``
    applied; it lasts two hours from ``starts_at`` unless ``ends_at`` is given."""
    starts = changes.get("starts_at", MEETUP_STARTS)
    values: dict[str, Any] = {
        "meetup_id": "m-28",
        "slug": "otkrytoe-obshchenie-28-03",
        "title": "Открытое общение: учредительные документы НКО",
        "kind": "meetup",
        "description": "Консультация юриста и вопросы главе города.",
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=2),
        "venue": LIBRARY,
        "capacity": 65,
        "program": [
            ProgramItem(position=1, kind="talk", title="Изменения в уставе", speaker_name="Юрист"),
            ProgramItem(position=2, kind="qa_session", title="Вопросы главе города"),
        ],
        "sequence": 0,
        **changes,
    }
    return MeetupSnapshot(**values)
