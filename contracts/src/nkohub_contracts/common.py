"""Value types several contracts share."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

__all__ = [
    "MeetupSnapshot",
    "OrganizationPublic",
    "Part",
    "Participant",
    "ProgramItem",
    "Specialist",
    "Venue",
]


class Part(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Venue(Part):
    name: str
    address: str | None = None


class ProgramItem(Part):
    position: int
    kind: str  # talk, ngo_presentation, consultation_block, qa_session, networking
    title: str
    starts_at: datetime | None = None
    speaker_name: str | None = None
    organization_id: str | None = None


class MeetupSnapshot(Part):
    """What a subscriber needs to show, announce or invite to a meetup."""

    meetup_id: str
    slug: str
    title: str
    kind: str  # meetup, unscheduled_meeting, consultation_day
    description: str = ""
    starts_at: datetime
    ends_at: datetime
    timezone: str = "Europe/Samara"
    venue: Venue
    capacity: int
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None
    organizer_ids: list[str] = []
    topics: list[str] = []
    program: list[ProgramItem] = []
    public_url: str | None = None
    sequence: int = 0  # iCalendar SEQUENCE: grows with every update


class Participant(Part):
    """The person behind a registration, as much as a message to them needs."""

    person_key: str  # pseudonymous key of the e-mail: the same person, the same key
    name: str
    email: str
    role: str  # ngo_representative, official, activist, specialist, media, other
    organization_id: str | None = None
    organization_name: str | None = None
    mailing_consent: bool = False


class Specialist(Part):
    specialist_id: str
    name: str
    specialty: str
    body: str | None = None  # e.g. the tax inspectorate
    email: str | None = None  # to tell them of bookings


class OrganizationPublic(Part):
    """Public fields of an organization: safe to show on public pages."""

    organization_id: str
    full_name: str
    short_name: str | None = None
    legal_form: str
    ogrn: str
    inn: str | None = None
    city: str | None = None
    activity_areas: list[str] = []
    status: str = "active"  # active, suspended, liquidated
    socially_oriented: bool = True
    website: str | None = None
    public_email: str | None = None
    public_phone: str | None = None
    description: str | None = None
