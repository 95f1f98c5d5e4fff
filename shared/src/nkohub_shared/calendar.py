"""iCalendar (RFC 5545) for meetups, built with ``icalendar``; used by the events service's
``.ics`` endpoints and by the notifications service's invitations, so both say the same.

UIDs are stable (``<meetup id>@nkohub``); ``SEQUENCE`` comes from the meetup snapshot and
grows with every update; a cancelled meetup is ``STATUS:CANCELLED`` (and, in an e-mail,
``METHOD:CANCEL``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from enum import StrEnum

from icalendar import Calendar, Event, vText

from nkohub_contracts.common import MeetupSnapshot

PRODID = "-//nkohub//meetups//RU"


class Method(StrEnum):
    PUBLISH = "PUBLISH"  # feeds and downloads
    REQUEST = "REQUEST"  # an invitation attached to an e-mail
    CANCEL = "CANCEL"  # the meetup is off


def meetup_uid(meetup_id: str) -> str:
    return f"{meetup_id}@nkohub"


def meetup_event(
    meetup: MeetupSnapshot, *, cancelled: bool = False, organizer_email: str | None = None
) -> Event:
    event = Event()
    event.add("uid", meetup_uid(meetup.meetup_id))
    event.add("dtstamp", datetime.now(UTC))
    event.add("dtstart", meetup.starts_at.astimezone(UTC))
    event.add("dtend", meetup.ends_at.astimezone(UTC))
    event.add("summary", meetup.title)
    if meetup.description:
        event.add("description", meetup.description)
    location = ", ".join(p for p in (meetup.venue.name, meetup.venue.address) if p)
    event.add("location", vText(location))
    event.add("sequence", meetup.sequence)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if meetup.public_url:
        event.add("url", meetup.public_url)
    if organizer_email:
        event.add("organizer", f"mailto:{organizer_email}")
    return event


def calendar_of(
    meetups: Iterable[tuple[MeetupSnapshot, bool]],
    *,
    method: Method = Method.PUBLISH,
    name: str | None = None,
    organizer_email: str | None = None,
) -> bytes:
    """An ``.ics`` document of ``(meetup, cancelled)`` pairs."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method.value)
    if name:
        calendar.add("x-wr-calname", name)
    for meetup, cancelled in meetups:
        calendar.add_component(
            meetup_event(meetup, cancelled=cancelled, organizer_email=organizer_email)
        )
    return calendar.to_ical()


def meetup_invitation(
    meetup: MeetupSnapshot, *, cancelled: bool = False, organizer_email: str | None = None
) -> bytes:
    """The invitation e-mails carry: ``METHOD:REQUEST``, or ``METHOD:CANCEL`` when off."""
    method = Method.CANCEL if cancelled else Method.REQUEST
    return calendar_of([(meetup, cancelled)], method=method, organizer_email=organizer_email)
