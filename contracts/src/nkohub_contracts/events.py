"""Integration events published by the events service (meetups and everything around them)."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from nkohub_contracts.base import IntegrationEvent
from nkohub_contracts.common import MeetupSnapshot, Part, Participant, Specialist

__all__ = [
    "AttendanceRecorded",
    "ConsultationBooked",
    "ConsultationCancelled",
    "ConsultationCompleted",
    "FeedbackReceived",
    "MeetupCancelled",
    "MeetupCompleted",
    "MeetupFigures",
    "MeetupScheduled",
    "MeetupUpdated",
    "QuestionAnswered",
    "QuestionSubmitted",
    "RegistrationCancelled",
    "RegistrationConfirmed",
    "RegistrationPromoted",
    "RegistrationWaitlisted",
    "SpeakerContact",
    "SpeakersListed",
]


class MeetupScheduled(IntegrationEvent):
    """A meetup was published: registration may open, announcements may go out."""

    type: ClassVar[str] = "events.meetup.scheduled"
    meetup: MeetupSnapshot
    actor: str | None = None  # the staff account that did it (its token's sub)

    def subject(self) -> str:
        return self.meetup.meetup_id


class MeetupUpdated(IntegrationEvent):
    """A scheduled meetup changed; ``changed`` names the fields (e.g. starts_at, venue),
    ``meetup`` is the whole meetup after the change with a higher ``sequence``."""

    type: ClassVar[str] = "events.meetup.updated"
    meetup: MeetupSnapshot
    changed: list[str]
    actor: str | None = None  # the staff account that did it (its token's sub)

    def subject(self) -> str:
        return self.meetup.meetup_id


class MeetupCancelled(IntegrationEvent):
    """A meetup was cancelled; it accepts no registrations."""

    type: ClassVar[str] = "events.meetup.cancelled"
    meetup: MeetupSnapshot
    reason: str | None = None
    actor: str | None = None  # the staff account that did it (its token's sub)

    def subject(self) -> str:
        return self.meetup.meetup_id


class MeetupFigures(Part):
    participants: int  # distinct people checked in
    attendances: int
    organizations: int  # distinct organizations that took part
    consultations: int  # consultations completed
    registrations_confirmed: int
    no_shows: int


class MeetupCompleted(IntegrationEvent):
    """A meetup took place and was closed by staff, with its figures."""

    type: ClassVar[str] = "events.meetup.completed"
    meetup: MeetupSnapshot
    figures: MeetupFigures
    organization_ids: list[str] = []
    recorded_after_the_fact: bool = False
    actor: str | None = None  # the staff account that did it (its token's sub)

    def subject(self) -> str:
        return self.meetup.meetup_id


class SpeakerContact(Part):
    """A program item whose speaker staff gave a contact e-mail (staff only)."""

    position: int
    title: str
    starts_at: datetime | None = None
    speaker_name: str | None = None
    email: str


class SpeakersListed(IntegrationEvent):
    """The contact e-mails of a meetup's speakers, the whole list after every change of a
    published meetup (an empty list: none, or erased). Personal data: only the queues bound
    to it receive it, never the history stream; it exists for the speakers' reminders."""

    type: ClassVar[str] = "events.meetup.speakers_listed"
    personal_data: ClassVar[bool] = True
    meetup_id: str
    starts_at: datetime  # the meetup's start when the list was made
    status: str  # the meetup's status: scheduled, cancelled, completed
    speakers: list[SpeakerContact] = []

    def subject(self) -> str:
        return self.meetup_id


class _RegistrationEvent(IntegrationEvent):
    personal_data: ClassVar[bool] = True

    registration_id: str
    meetup: MeetupSnapshot
    participant: Participant
    short_code: str | None = None  # six characters to give at the door for check-in

    def subject(self) -> str:
        return self.registration_id


class RegistrationConfirmed(_RegistrationEvent):
    """A seat is confirmed (at registration, or when staff confirm it)."""

    type: ClassVar[str] = "events.registration.confirmed"


class RegistrationWaitlisted(_RegistrationEvent):
    """The meetup is full: the person waits at ``position`` (1 = next)."""

    type: ClassVar[str] = "events.registration.waitlisted"
    position: int


class RegistrationPromoted(_RegistrationEvent):
    """A freed seat went to this waitlisted person: their registration is confirmed."""

    type: ClassVar[str] = "events.registration.promoted"


class RegistrationCancelled(_RegistrationEvent):
    """A registration was cancelled by the participant or by staff."""

    type: ClassVar[str] = "events.registration.cancelled"
    cancelled_by: str  # participant, staff
    previous_status: str  # confirmed, waitlisted


class AttendanceRecorded(IntegrationEvent):
    """A person was checked in at a meetup (at the door, or from a sign-in sheet)."""

    type: ClassVar[str] = "events.attendance.recorded"
    attendance_id: str
    meetup_id: str
    meetup_title: str
    meetup_starts_at: datetime
    person_key: str
    role: str
    organization_id: str | None = None
    registration_id: str | None = None
    checked_in_at: datetime
    recorded_after_the_fact: bool = False

    def subject(self) -> str:
        return self.attendance_id


class _ConsultationEvent(IntegrationEvent):
    personal_data: ClassVar[bool] = True  # the specialist's e-mail, the contact's

    consultation_id: str
    slot_id: str
    meetup_id: str | None = None
    specialist: Specialist
    starts_at: datetime
    duration_minutes: int
    organization_id: str | None = None
    organization_name: str | None = None

    def subject(self) -> str:
        return self.consultation_id


class ConsultationBooked(_ConsultationEvent):
    """An NGO booked a consultation slot; ``contact`` is who to tell."""

    type: ClassVar[str] = "events.consultation.booked"
    contact: Participant
    question: str | None = None


class ConsultationCancelled(_ConsultationEvent):
    """A booked consultation was cancelled; the slot is free again."""

    type: ClassVar[str] = "events.consultation.cancelled"
    contact: Participant
    cancelled_by: str  # participant, staff


class ConsultationCompleted(_ConsultationEvent):
    """A specialist gave the consultation (live or recorded after the fact)."""

    type: ClassVar[str] = "events.consultation.completed"
    given_on: date
    recorded_after_the_fact: bool = False


class QuestionSubmitted(IntegrationEvent):
    """A registered participant asked a question before the meetup (awaits moderation)."""

    type: ClassVar[str] = "events.question.submitted"
    question_id: str
    meetup_id: str
    addressed_to: str | None = None
    text: str

    def subject(self) -> str:
        return self.question_id


class QuestionAnswered(IntegrationEvent):
    """Staff recorded the answer given to an approved question."""

    type: ClassVar[str] = "events.question.answered"
    question_id: str
    meetup_id: str
    addressed_to: str | None = None
    text: str
    answer: str

    def subject(self) -> str:
        return self.question_id


class FeedbackReceived(IntegrationEvent):
    """A participant rated a completed meetup (1–5)."""

    type: ClassVar[str] = "events.feedback.received"
    feedback_id: str
    meetup_id: str
    rating: int
    has_comment: bool

    def subject(self) -> str:
        return self.feedback_id
