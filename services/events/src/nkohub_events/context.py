"""``EventsContext``: what routes, pages, consumers and the background job of the events
service use, built once from its runtime."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import Counter

from nkohub_events.domain.links import ParticipantLinks
from nkohub_events.repository.attendances import AttendanceRepository
from nkohub_events.repository.consultations import (
    QuotaRepository,
    SlotRepository,
    SpecialistRepository,
)
from nkohub_events.repository.erasures import ErasureRepository
from nkohub_events.repository.meetups import MeetupRepository
from nkohub_events.repository.organizations import OrganizationRepository
from nkohub_events.repository.posts import PostRepository
from nkohub_events.repository.questions import FeedbackRepository, QuestionRepository
from nkohub_events.repository.registrations import RegistrationRepository
from nkohub_events.repository.seats import SeatRepository
from nkohub_events.service.attendance import AttendanceService
from nkohub_events.service.consultations import ConsultationService
from nkohub_events.service.door import PublicDoor
from nkohub_events.service.erasure import ErasedPeople, ErasureService
from nkohub_events.service.meetups import MeetupService
from nkohub_events.service.organizations import OrganizationService
from nkohub_events.service.posts import PostReadModel
from nkohub_events.service.printouts import PrintoutService
from nkohub_events.service.questions import QuestionService
from nkohub_events.service.registrations import RegistrationService
from nkohub_events.service.report import ReportService
from nkohub_events.settings import EventsSettings
from nkohub_shared.links import LinkSigner
from nkohub_shared.runtime import ServiceRuntime
from nkohub_shared.storage.organizations import OrganizationReadModel


@dataclass(frozen=True)
class EventsContext:
    runtime: ServiceRuntime[EventsSettings, EventsContext]
    links: ParticipantLinks
    meetups: MeetupService
    registrations: RegistrationService
    attendance: AttendanceService
    consultations: ConsultationService
    questions: QuestionService
    organizations: OrganizationService
    organization_read_model: OrganizationReadModel  # fed by the registry's events
    posts: PostReadModel
    reports: ReportService
    erasure: ErasureService
    printouts: PrintoutService
    # ``nkohub_registrations_total{outcome}``: confirmed, waitlisted, pending,
    # already_registered, walk_in (refusals are the route's 4xx in the HTTP metrics)
    registration_outcomes: Counter

    @classmethod
    def of(cls, runtime: ServiceRuntime[EventsSettings, EventsContext]) -> EventsContext:
        settings = runtime.settings
        db, outbox = runtime.db, runtime.outbox
        base_url = str(settings.public_base_url)

        meetup_store = MeetupRepository(db, outbox)
        registration_store = RegistrationRepository(db, outbox)
        attendance_store = AttendanceRepository(db, outbox)
        slot_store = SlotRepository(db, outbox)
        specialist_store = SpecialistRepository(db)
        question_store = QuestionRepository(db, outbox)
        feedback_store = FeedbackRepository(db, outbox)
        organization_store = OrganizationRepository(db)
        post_store = PostRepository(db)
        tombstones = ErasureRepository(db)

        door = PublicDoor(runtime.rate_limits, settings.door)
        erased = ErasedPeople(tombstones)
        organizations = OrganizationService(organization_store)
        registrations = RegistrationService(
            registration_store,
            SeatRepository(db),
            meetup_store,
            organizations,
            door=door,
            holds=QuotaRepository(db, "registration_holds"),
            erased=erased,
            consent_version=settings.consent_text_version,
            public_base_url=base_url,
        )
        meetups = MeetupService(
            meetup_store,
            registration_store,
            attendance_store,
            slot_store,
            organization_store,
            registrations,
            public_base_url=base_url,
            timezone=settings.venue_timezone,
        )
        return cls(
            runtime=runtime,
            registration_outcomes=runtime.metrics.counter(
                "nkohub_registrations", "Registrations answered, by outcome", ["outcome"]
            ),
            links=ParticipantLinks(LinkSigner(settings.link_secret.get_secret_value()), base_url),
            meetups=meetups,
            registrations=registrations,
            attendance=AttendanceService(
                attendance_store, registration_store, meetup_store, organization_store, erased
            ),
            consultations=ConsultationService(
                specialist_store,
                slot_store,
                QuotaRepository(db),
                meetups,
                organizations,
                door=door,
                erased=erased,
                default_limit=settings.consultations_per_organization,
            ),
            questions=QuestionService(
                question_store, feedback_store, meetups, registrations, door=door
            ),
            organizations=organizations,
            organization_read_model=organization_store.read_model,
            posts=PostReadModel(post_store),
            reports=ReportService(
                meetup_store,
                attendance_store,
                slot_store,
                post_store,
                organization_store,
                timezone=settings.venue_timezone,
            ),
            erasure=ErasureService(
                tombstones,
                registration_store,
                attendance_store,
                slot_store,
                specialist_store,
                question_store,
                feedback_store,
                meetup_store,
                public_base_url=base_url,
            ),
            printouts=PrintoutService(
                meetup_store,
                registration_store,
                consent_version=settings.consent_text_version,
                font_dir=settings.pdf_font_dir,
            ),
        )
