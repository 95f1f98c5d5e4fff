"""MongoDB storage of the notifications service (its own database,
``nkohub_notifications``). Only this package touches a collection.

- ``messages`` (``MessageRepository``): every outbound message; the outbox of
  ``notifications.message.sent/failed``;
- ``subscribers`` (``SubscriberRepository``): recipients and their preferences;
- ``meetups``, ``registrations`` (``MeetupRepository``, ``RegistrationRepository``): the
  read model built from the events service's events;
- ``reminders`` (``ReminderRepository``): scheduled reminders;
- ``posts``, ``digests`` (``PostRepository``, ``DigestRepository``): the daily digest;
- ``erased_people`` (``ErasedPeopleRepository``): erased person keys (durable erasure);
- ``mailings`` (``MailingRepository``): mailings staff write; the outbox of
  ``notifications.mailing.*``;
- ``organizations``, ``organization_visits`` (``OrganizationRepository``): the registry's
  organizations (from its events) and which were seen at meetups: mailing segments;
- ``template_overrides``, ``template_history`` (``TemplateRepository``): staff's versions
  of the message templates and every save, restore and reset;
- ``alert_settings`` (``AlertSettingsRepository``): to whom staff alerts go, which kinds;
- ``consultation_slots`` (``ConsultationSlotRepository``): booked consultations, for the
  specialists' reminders.
- ``meetup_speakers`` (``SpeakerRepository``): speakers with a contact address, for the
  speakers' reminders;
- ``send_slots`` (``SendSlotRepository``): the sender's rate limits, shared by replicas.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pymongo import IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from nkohub_notifications.repository import (
    alerts,
    erased,
    mailings,
    messages,
    posts,
    readmodel,
    reminders,
    send_slots,
    speakers,
    specialists,
    subscribers,
    templates,
)
from nkohub_notifications.repository.alerts import AlertSettingsRepository
from nkohub_notifications.repository.erased import ErasedPeopleRepository
from nkohub_notifications.repository.mailings import MailingRepository
from nkohub_notifications.repository.messages import MessageRepository
from nkohub_notifications.repository.organizations import OrganizationRepository
from nkohub_notifications.repository.posts import DigestRepository, PostRepository
from nkohub_notifications.repository.readmodel import (
    KnownMeetup,
    MeetupRepository,
    RegistrationRepository,
)
from nkohub_notifications.repository.reminders import ReminderRepository
from nkohub_notifications.repository.send_slots import SendSlotRepository
from nkohub_notifications.repository.speakers import SpeakerRepository
from nkohub_notifications.repository.specialists import ConsultationSlotRepository
from nkohub_notifications.repository.subscribers import SubscriberRepository
from nkohub_notifications.repository.templates import TemplateRepository
from nkohub_shared.storage.writer import Outbox

INDEXES: dict[str, list[IndexModel]] = {
    messages.COLLECTION: messages.INDEXES,
    subscribers.COLLECTION: subscribers.INDEXES,
    readmodel.REGISTRATIONS: readmodel.REGISTRATION_INDEXES,
    reminders.COLLECTION: reminders.INDEXES,
    posts.POSTS: posts.POST_INDEXES,
    mailings.COLLECTION: mailings.INDEXES,
    templates.HISTORY: templates.HISTORY_INDEXES,
    specialists.COLLECTION: specialists.INDEXES,
    speakers.COLLECTION: speakers.INDEXES,
}
OUTBOX_COLLECTIONS: list[str] = [messages.COLLECTION, mailings.COLLECTION]


@dataclass(frozen=True)
class Repositories:
    messages: MessageRepository
    subscribers: SubscriberRepository
    meetups: MeetupRepository
    registrations: RegistrationRepository
    reminders: ReminderRepository
    posts: PostRepository
    digests: DigestRepository
    erased: ErasedPeopleRepository
    mailings: MailingRepository
    organizations: OrganizationRepository
    templates: TemplateRepository
    alert_settings: AlertSettingsRepository
    consultation_slots: ConsultationSlotRepository
    speakers: SpeakerRepository
    send_slots: SendSlotRepository

    @classmethod
    def of(cls, db: AsyncDatabase[dict[str, Any]], outbox: Outbox) -> Repositories:
        return cls(
            messages=MessageRepository(db[messages.COLLECTION], outbox),
            subscribers=SubscriberRepository(db[subscribers.COLLECTION]),
            meetups=MeetupRepository(db[readmodel.MEETUPS]),
            registrations=RegistrationRepository(db[readmodel.REGISTRATIONS]),
            reminders=ReminderRepository(db[reminders.COLLECTION]),
            posts=PostRepository(db[posts.POSTS]),
            digests=DigestRepository(db[posts.DIGESTS]),
            erased=ErasedPeopleRepository(db[erased.COLLECTION]),
            mailings=MailingRepository(db[mailings.COLLECTION], outbox),
            organizations=OrganizationRepository(db),
            templates=TemplateRepository(db[templates.OVERRIDES], db[templates.HISTORY]),
            alert_settings=AlertSettingsRepository(db[alerts.COLLECTION]),
            consultation_slots=ConsultationSlotRepository(db[specialists.COLLECTION]),
            speakers=SpeakerRepository(db[speakers.COLLECTION]),
            send_slots=SendSlotRepository(db[send_slots.COLLECTION]),
        )


__all__ = [
    "INDEXES",
    "OUTBOX_COLLECTIONS",
    "AlertSettingsRepository",
    "ConsultationSlotRepository",
    "DigestRepository",
    "ErasedPeopleRepository",
    "KnownMeetup",
    "MailingRepository",
    "MeetupRepository",
    "MessageRepository",
    "OrganizationRepository",
    "PostRepository",
    "RegistrationRepository",
    "ReminderRepository",
    "Repositories",
    "SendSlotRepository",
    "SpeakerRepository",
    "SubscriberRepository",
    "TemplateRepository",
]
