"""One realistic example of every event type and version: the whole CloudEvents envelope,
as a subscriber receives it from the ``nkohub`` exchange (``EXAMPLES[type]``).

The catalogue (``docs/events.md``) and the platform's AsyncAPI document show them; the
platform's tests decode each with its model, so an example cannot drift from its contract,
and a contract without an example fails them. The story is one spring of the meetups
«Открытое общение» at the Korolenko library in Glazov; every id, key and address is made up.
"""

from __future__ import annotations

import copy
from typing import Any

from nkohub_contracts.base import base_type, major_version

__all__ = ["EXAMPLES", "example"]

Json = dict[str, Any]

SITE = "https://nko.glazov-library.ru"
MEETUP_ID = "5f0c9a2e8b7d4c1a9e3f6b2d7c8a1e40"
ORGANIZATION_ID = "0d6a4c1e9b2f4a7e8c3d5b1f6e2a9c47"
REGISTRATION_ID = "b7e4c2a19f3d4e8a8c6b5d2f1a0e9c74"
PERSON_KEY = "3c9f1e7a2b6d4f8e0a5c7b9d1e3f5a7c9b2d4f6e8a0c1e3b5d7f9a2c4e6b8d0f"
SPECIALIST_ID = "e2a7c4f19b3d4e6a8c0b2d4f6a8c0e21"
CONSULTATION_ID = "9a1c3e5b7d9f4b2a8c6e4d2f0b8a6c43"

VENUE: Json = {
    "name": "ПНБ им. В. Г. Короленко, конференц-зал",
    "address": "Глазов, ул. Ленина, 18",
}

MEETUP: Json = {
    "meetup_id": MEETUP_ID,
    "slug": "otkrytoe-obshchenie-granty-2026",
    "title": "Открытое общение: гранты 2026 года",
    "kind": "meetup",
    "description": "Встреча НКО Глазова с администрацией города: конкурсы грантов весны.",
    "starts_at": "2026-03-28T10:00:00Z",
    "ends_at": "2026-03-28T12:00:00Z",
    "timezone": "Europe/Samara",
    "venue": VENUE,
    "capacity": 65,
    "registration_opens_at": "2026-03-10T05:00:00Z",
    "registration_closes_at": "2026-03-28T08:00:00Z",
    "organizer_ids": [ORGANIZATION_ID],
    "topics": ["гранты", "отчётность"],
    "program": [
        {
            "position": 1,
            "kind": "talk",
            "title": "Президентские гранты: что изменилось",
            "starts_at": "2026-03-28T10:00:00Z",
            "speaker_name": "Ирина Соколова",
            "organization_id": None,
        },
        {
            "position": 2,
            "kind": "ngo_presentation",
            "title": "АНО «Доброе дело»: год проекта",
            "starts_at": "2026-03-28T10:40:00Z",
            "speaker_name": "Олег Кузнецов",
            "organization_id": ORGANIZATION_ID,
        },
        {
            "position": 3,
            "kind": "qa_session",
            "title": "Вопросы администрации",
            "starts_at": "2026-03-28T11:20:00Z",
            "speaker_name": None,
            "organization_id": None,
        },
    ],
    "public_url": f"{SITE}/meetups/{MEETUP_ID}",
    "sequence": 0,
}

PARTICIPANT: Json = {
    "person_key": PERSON_KEY,
    "name": "Мария Волкова",
    "email": "m.volkova@example.ru",
    "role": "ngo_representative",
    "organization_id": ORGANIZATION_ID,
    "organization_name": "АНО «Доброе дело»",
    "mailing_consent": True,
}

SPECIALIST: Json = {
    "specialist_id": SPECIALIST_ID,
    "name": "Светлана Игоревна Ложкина",
    "specialty": "accounting",
    "body": "Межрайонная ИФНС России № 2 по Удмуртской Республике",
    "email": "lozhkina@example.ru",
}

ORGANIZATION: Json = {
    "organization_id": ORGANIZATION_ID,
    "full_name": "Автономная некоммерческая организация «Доброе дело»",
    "short_name": "АНО «Доброе дело»",
    "legal_form": "ano",
    "ogrn": "1181832012345",
    "inn": "1829012345",
    "city": "Глазов",
    "activity_areas": ["social_support", "volunteering"],
    "status": "active",
    "socially_oriented": True,
    "website": "https://dobroe-delo-glazov.ru",
    "public_email": "info@dobroe-delo-glazov.ru",
    "public_phone": "+7 (34141) 5-12-34",
    "description": "Помогаем пожилым людям и семьям в трудной ситуации.",
}

CONSULTATION: Json = {
    "consultation_id": CONSULTATION_ID,
    "slot_id": "4e6a8c0b2d4f4a6c8e0a2c4e6b8d0f13",
    "meetup_id": MEETUP_ID,
    "specialist": SPECIALIST,
    "starts_at": "2026-03-28T12:15:00Z",
    "duration_minutes": 30,
    "organization_id": ORGANIZATION_ID,
    "organization_name": "АНО «Доброе дело»",
}

MAILING_COUNTS: Json = {
    "included": 212,
    "no_consent": 37,
    "unsubscribed": 9,
    "no_address": 14,
    "sent": 0,
    "failed": 0,
    "suppressed": 0,
}


def _meetup(**changes: Any) -> Json:
    return {**copy.deepcopy(MEETUP), **changes}


def _registration(**fields: Any) -> Json:
    return {
        "registration_id": REGISTRATION_ID,
        "meetup": _meetup(),
        "participant": copy.deepcopy(PARTICIPANT),
        "short_code": "K5VBW4",
        **fields,
    }


def _envelope(event_id: str, event_type: str, time: str, subject: str, data: Json) -> Json:
    return {
        "specversion": "1.0",
        "id": event_id,
        "source": f"/nkohub/{event_type.split('.', 1)[0]}",
        "type": event_type,
        "time": time,
        "subject": subject,
        "datacontenttype": "application/json",
        "dataschema": f"urn:nkohub:event:{base_type(event_type)}:v{major_version(event_type)}",
        "data": data,
    }


_ALL: list[Json] = [
    # ------------------------------------------------------------------ registry
    _envelope(
        "6b1f0d3e-2a4c-4e8b-9d7f-1c3a5e7b9d02",
        "registry.organization.registered",
        "2026-02-16T07:42:11.204Z",
        ORGANIZATION_ID,
        {"organization": ORGANIZATION, "source": "staff", "actor": "librarian-anna"},
    ),
    _envelope(
        "8d3b2f5a-4c6e-4a0d-8f9b-3e5c7a9d1f24",
        "registry.organization.updated",
        "2026-03-02T09:15:40.518Z",
        ORGANIZATION_ID,
        {
            "organization": {**ORGANIZATION, "public_phone": "+7 (34141) 5-43-21"},
            "changed": ["public_phone"],
            "actor": "librarian-anna",
        },
    ),
    _envelope(
        "1e7c9a3b-5d2f-4b8e-a0c6-4f8a2c6e0b35",
        "registry.organization.deactivated",
        "2026-05-12T11:03:27.090Z",
        "7a2c4e6b8d0f4a1c3e5b7d9f0a2c4e68",
        {
            "organization_id": "7a2c4e6b8d0f4a1c3e5b7d9f0a2c4e68",
            "status": "liquidated",
            "reason": "Исключена из ЕГРЮЛ 05.05.2026",
            "actor": "librarian-anna",
        },
    ),
    _envelope(
        "3a9e1c5d-7b2f-4d6a-8e0c-5b1d3f7a9c46",
        "registry.person.erased",
        "2026-06-01T08:20:05.731Z",
        "c4e6a8b0d2f44e6a8c0b2d4f6a8c0e57",
        {"person_id": "c4e6a8b0d2f44e6a8c0b2d4f6a8c0e57", "person_keys": [PERSON_KEY]},
    ),
    _envelope(
        "6d8f0a2c-4e6b-4c8d-a0f2-7c9e1b3d5f80",
        "registry.erasure.requested",
        "2026-05-31T17:42:10.204Z",
        "c4e6a8b0d2f44e6a8c0b2d4f6a8c0e57",
        {
            "request_id": "8a0c2e4f6b8d4a0c2e4f6b8d0a2c4e61",
            "person_id": "c4e6a8b0d2f44e6a8c0b2d4f6a8c0e57",
            "person_key": PERSON_KEY,
            "email": "anna.volkova@example.org",
            "erase_url": (
                "https://nko.glazov.example/people/c4e6a8b0d2f44e6a8c0b2d4f6a8c0e57/erase"
                "?expires=1780854130&token=Zm9vYmFyYmF6cXV4cXV1eDEyMzQ1Njc4"
            ),
            "expires_at": "2026-06-07T17:42:10Z",
        },
    ),
    _envelope(
        "1d3f5b7a-9c2e-4d6f-8a1b-3c5e7a9b1d93",
        "registry.proposal.submitted",
        "2026-04-02T15:12:44.908Z",
        "a3c5e7f9b1d34f6a8c0e2b4d6f8a1c35",
        {
            "proposal_id": "a3c5e7f9b1d34f6a8c0e2b4d6f8a1c35",
            "name": "АНО «Серебряный возраст»",
            "full_name": "Автономная некоммерческая организация «Серебряный возраст»",
            "city": "Глазов",
            "activity_areas": ["social_support", "veterans"],
            "submitted_at": "2026-04-02T15:12:44.871000Z",
        },
    ),
    # ------------------------------------------------------------------ events: meetups
    _envelope(
        "0f2d4b6a-8c1e-4a3f-9b5d-7e9c1a3f5b61",
        "events.meetup.scheduled",
        "2026-03-06T06:30:12.447Z",
        MEETUP_ID,
        {"meetup": _meetup(), "actor": "librarian-anna"},
    ),
    _envelope(
        "4e6a8c0b-2d4f-4a6c-9e1b-5d7f9b1c3e82",
        "events.meetup.speakers_listed",
        "2026-03-06T06:30:12.447Z",
        MEETUP_ID,
        {
            "meetup_id": MEETUP_ID,
            "starts_at": "2026-03-28T10:00:00Z",
            "status": "scheduled",
            "speakers": [
                {
                    "position": 1,
                    "title": "Президентские гранты: что изменилось",
                    "starts_at": "2026-03-28T10:00:00Z",
                    "speaker_name": "Ирина Соколова",
                    "email": "i.sokolova@example.org",
                }
            ],
        },
    ),
    _envelope(
        "2b4d6f8a-0c3e-4b5a-8d7f-9a1c3e5b7d72",
        "events.meetup.updated",
        "2026-03-20T12:05:58.112Z",
        MEETUP_ID,
        {
            "meetup": _meetup(
                venue={"name": "ПНБ им. В. Г. Короленко, большой зал", "address": VENUE["address"]},
                capacity=80,
                sequence=1,
            ),
            "changed": ["venue", "capacity"],
            "actor": "librarian-anna",
        },
    ),
    _envelope(
        "4c6e8a0b-2d5f-4c7a-9e1b-1b3d5f7a9c83",
        "events.meetup.cancelled",
        "2026-04-21T05:48:30.960Z",
        "8b0d2f4a6c8e4b1d3f5a7c9e1b3d5f94",
        {
            "meetup": _meetup(
                meetup_id="8b0d2f4a6c8e4b1d3f5a7c9e1b3d5f94",
                slug="otkrytoe-obshchenie-aprel-2026",
                title="Открытое общение: апрель",
                starts_at="2026-04-25T10:00:00Z",
                ends_at="2026-04-25T12:00:00Z",
                public_url=f"{SITE}/meetups/8b0d2f4a6c8e4b1d3f5a7c9e1b3d5f94",
                sequence=2,
            ),
            "reason": "Зал библиотеки закрыт на ремонт",
            "actor": "librarian-anna",
        },
    ),
    _envelope(
        "6e8a0c2d-4f7b-4e9c-8a3d-3d5f7b9c1e94",
        "events.meetup.completed",
        "2026-03-28T13:10:44.305Z",
        MEETUP_ID,
        {
            "meetup": _meetup(sequence=2),
            "figures": {
                "participants": 48,
                "attendances": 48,
                "organizations": 21,
                "consultations": 6,
                "registrations_confirmed": 57,
                "no_shows": 11,
            },
            "organization_ids": [ORGANIZATION_ID, "1b3d5f7a9c0e4b2d4f6a8c0e2b4d6f85"],
            "recorded_after_the_fact": False,
            "actor": "librarian-anna",
        },
    ),
    # ------------------------------------------------------------------ events: registrations
    _envelope(
        "8a0c2e4f-6b9d-4a1e-9c5f-5f7b9d1e3a05",
        "events.registration.confirmed",
        "2026-03-12T15:21:09.876Z",
        REGISTRATION_ID,
        _registration(),
    ),
    _envelope(
        "0c2e4a6b-8d1f-4c3a-8e7b-7b9d1f3a5c16",
        "events.registration.waitlisted",
        "2026-03-26T17:44:51.233Z",
        "f1a3c5e7b9d04f2a4c6e8b0d2f4a6c27",
        _registration(
            registration_id="f1a3c5e7b9d04f2a4c6e8b0d2f4a6c27",
            participant={
                **PARTICIPANT,
                "person_key": "7e9a1c3e5b7d9f0a2c4e6b8d0f1a3c5e7b9d1f3a5c7e9b0d2f4a6c8e0b2d4f6a",
                "name": "Пётр Лебедев",
                "email": "lebedev.p@example.ru",
                "role": "activist",
                "organization_id": None,
                "organization_name": None,
                "mailing_consent": False,
            },
            short_code="QXJ3TM",
            position=3,
        ),
    ),
    _envelope(
        "2e4a6c8d-0f3b-4e5c-9a9d-9d1f3b5c7e27",
        "events.registration.promoted",
        "2026-03-27T08:02:16.640Z",
        REGISTRATION_ID,
        _registration(),
    ),
    _envelope(
        "4a6c8e0f-2b5d-4a7e-8c1f-1f3b5d7e9a38",
        "events.registration.cancelled",
        "2026-03-27T07:59:03.418Z",
        "d5f7a9c1e3b54d7f9a1c3e5b7d9f1a49",
        _registration(
            registration_id="d5f7a9c1e3b54d7f9a1c3e5b7d9f1a49",
            participant={
                **PARTICIPANT,
                "person_key": "1f3b5d7e9a0c2e4b6d8f0a1c3e5b7d9f2a4c6e8b0d1f3a5c7e9b2d4f6a8c0e1b",
                "name": "Елена Морозова",
                "email": "morozova.e@example.ru",
                "organization_id": None,
                "organization_name": "Клуб «Серебряный возраст»",
                "mailing_consent": False,
            },
            short_code="M7RZPA",
            cancelled_by="participant",
            previous_status="confirmed",
        ),
    ),
    _envelope(
        "6c8e0a2b-4d7f-4c9a-9e3b-3b5d7f9a1c49",
        "events.attendance.recorded",
        "2026-03-28T09:47:35.021Z",
        "a3c5e7b9d1f34a5c7e9b1d3f5a7c9e50",
        {
            "attendance_id": "a3c5e7b9d1f34a5c7e9b1d3f5a7c9e50",
            "meetup_id": MEETUP_ID,
            "meetup_title": MEETUP["title"],
            "meetup_starts_at": MEETUP["starts_at"],
            "person_key": PERSON_KEY,
            "role": "ngo_representative",
            "organization_id": ORGANIZATION_ID,
            "registration_id": REGISTRATION_ID,
            "checked_in_at": "2026-03-28T09:47:34Z",
            "recorded_after_the_fact": False,
        },
    ),
    # ------------------------------------------------------------------ events: consultations
    _envelope(
        "8e0a2c4d-6f9b-4e1c-8a5d-5d7f9b1c3e5a",
        "events.consultation.booked",
        "2026-03-18T10:33:47.552Z",
        CONSULTATION_ID,
        {
            **CONSULTATION,
            "contact": PARTICIPANT,
            "question": "Как сдать отчёт по форме ОН0001 впервые?",
        },
    ),
    _envelope(
        "0a2c4e6f-8b1d-4a3e-9c7f-7f9b1d3e5a6b",
        "events.consultation.cancelled",
        "2026-03-25T14:12:20.009Z",
        CONSULTATION_ID,
        {**CONSULTATION, "contact": PARTICIPANT, "cancelled_by": "staff"},
    ),
    _envelope(
        "2c4e6a8b-0d3f-4c5a-8e9b-9b1d3f5a7c7c",
        "events.consultation.completed",
        "2026-03-28T12:50:02.688Z",
        CONSULTATION_ID,
        {**CONSULTATION, "given_on": "2026-03-28", "recorded_after_the_fact": False},
    ),
    # ------------------------------------------------------------------ events: questions, feedback
    _envelope(
        "4e6a8c0d-2f5b-4e7c-9a1d-1d3f5b7c9e8d",
        "events.question.submitted",
        "2026-03-24T18:26:14.395Z",
        "b9d1f3a5c7e94b1d3f5a7c9e1b3d5f9e",
        {
            "question_id": "b9d1f3a5c7e94b1d3f5a7c9e1b3d5f9e",
            "meetup_id": MEETUP_ID,
            "addressed_to": "Управление социальной политики администрации города",
            "text": "Будет ли в этом году городской конкурс субсидий для СО НКО?",
        },
    ),
    _envelope(
        "6a8c0e2f-4b7d-4a9e-8c3f-3f5b7d9e1a9e",
        "events.question.answered",
        "2026-03-28T11:41:37.150Z",
        "b9d1f3a5c7e94b1d3f5a7c9e1b3d5f9e",
        {
            "question_id": "b9d1f3a5c7e94b1d3f5a7c9e1b3d5f9e",
            "meetup_id": MEETUP_ID,
            "addressed_to": "Управление социальной политики администрации города",
            "text": "Будет ли в этом году городской конкурс субсидий для СО НКО?",
            "answer": "Да: приём заявок с 15 апреля по 15 мая, положение опубликуют в апреле.",
        },
    ),
    _envelope(
        "8c0e2a4b-6d9f-4c1a-9e5b-5b7d9f1a3caf",
        "events.feedback.received",
        "2026-03-29T07:05:49.263Z",
        "d1f3a5c7e9b14d3f5a7c9e1b3d5f7ab0",
        {
            "feedback_id": "d1f3a5c7e9b14d3f5a7c9e1b3d5f7ab0",
            "meetup_id": MEETUP_ID,
            "rating": 5,
            "has_comment": True,
        },
    ),
    # ------------------------------------------------------------------ notifications
    _envelope(
        "0e2a4c6d-8f1b-4e3c-8a7d-7d9f1b3c5ec1",
        "notifications.message.sent",
        "2026-03-12T15:21:12.931Z",
        "f3a5c7e9b1d34f5a7c9e1b3d5f7a9cd2",
        {
            "message_id": "f3a5c7e9b1d34f5a7c9e1b3d5f7a9cd2",
            "channel": "email",
            "template": "registration_confirmed",
            "recipient_key": PERSON_KEY,
            "cause_event_id": "8a0c2e4f-6b9d-4a1e-9c5f-5f7b9d1e3a05",
            "sent_at": "2026-03-12T15:21:12Z",
            "attempts": 1,
        },
    ),
    _envelope(
        "2a4c6e8f-0b3d-4a5e-9c9f-9f1b3d5e7ae3",
        "notifications.message.failed",
        "2026-03-26T17:45:30.117Z",
        "a5c7e9b1d3f54a7c9e1b3d5f7a9c1ef4",
        {
            "message_id": "a5c7e9b1d3f54a7c9e1b3d5f7a9c1ef4",
            "channel": "email",
            "template": "registration_waitlisted",
            "recipient_key": "7e9a1c3e5b7d9f0a2c4e6b8d0f1a3c5e7b9d1f3a5c7e9b0d2f4a6c8e0b2d4f6a",
            "cause_event_id": "0c2e4a6b-8d1f-4c3a-8e7b-7b9d1f3a5c16",
            "reason": "550 5.1.1 mailbox unavailable",
            "attempts": 1,
        },
    ),
    _envelope(
        "4c6e8a0b-2d5f-4c7a-8e1b-1b3d5f7a9cf5",
        "notifications.mailing.scheduled",
        "2026-03-09T11:00:05.481Z",
        "c7e9b1d3f5a74c9e1b3d5f7a9c1e3a06",
        {
            "mailing_id": "c7e9b1d3f5a74c9e1b3d5f7a9c1e3a06",
            "title": "Открытое общение 28 марта: гранты 2026 года",
            "topic": "meetups",
            "segment": "organizations",
            "send_at": "2026-03-10T05:00:00Z",
            "counts": MAILING_COUNTS,
        },
    ),
    _envelope(
        "6e8a0c2d-4f7b-4e9c-9a3d-3d5f7b9c1a17",
        "notifications.mailing.sent",
        "2026-03-10T05:06:41.774Z",
        "c7e9b1d3f5a74c9e1b3d5f7a9c1e3a06",
        {
            "mailing_id": "c7e9b1d3f5a74c9e1b3d5f7a9c1e3a06",
            "title": "Открытое общение 28 марта: гранты 2026 года",
            "topic": "meetups",
            "segment": "organizations",
            "started_at": "2026-03-10T05:00:01Z",
            "finished_at": "2026-03-10T05:06:41Z",
            "counts": {**MAILING_COUNTS, "sent": 207, "failed": 3, "suppressed": 2},
        },
    ),
    # ------------------------------------------------------------------ publishing
    _envelope(
        "8a0c2e4f-6b9d-4a1e-8c5f-5f7b9d1e3b28",
        "publishing.post.published",
        "2026-03-30T06:00:00.812Z",
        "e9b1d3f5a7c94e1b3d5f7a9c1e3a5b39",
        {
            "post_id": "e9b1d3f5a7c94e1b3d5f7a9c1e3a5b39",
            "slug": "itogi-otkrytogo-obshcheniya-28-marta",
            "title": "Итоги «Открытого общения» 28 марта",
            "category": "meetups",
            "tags": ["Открытое общение", "гранты"],
            "excerpt": "48 участников из 21 НКО, шесть консультаций и ответы администрации.",
            "url": f"{SITE}/2026/03/itogi-otkrytogo-obshcheniya-28-marta.html",
            "published_at": "2026-03-30T06:00:00Z",
            "actor": "librarian-anna",
        },
    ),
    _envelope(
        "0c2e4a6b-8d1f-4c3a-9e7b-7b9d1f3a5d4a",
        "publishing.post.unpublished",
        "2026-04-02T13:37:22.560Z",
        "1b3d5f7a9c0e4b3d5f7a9c1e3a5b7d5b",
        {
            "post_id": "1b3d5f7a9c0e4b3d5f7a9c1e3a5b7d5b",
            "slug": "konkurs-subsidiy-chernovik",
            "published_at": "2026-04-01T06:00:00Z",
            "actor": "librarian-anna",
        },
    ),
    _envelope(
        "2e4a6c8d-0f3b-4e5c-8a9d-9d1f3b5c7f6c",
        "publishing.views.counted",
        "2026-03-30T09:00:03.044Z",
        "2026-03-30T08:00:00+00:00",
        {
            "period_start": "2026-03-30T08:00:00Z",
            "period_end": "2026-03-30T09:00:00Z",
            "views": 143,
            "posts": [
                {"post_id": "e9b1d3f5a7c94e1b3d5f7a9c1e3a5b39", "views": 128},
                {"post_id": "3d5f7a9c1e2a4d5f7a9c1e3a5b7d9f7d", "views": 15},
            ],
        },
    ),
    _envelope(
        "4a6c8e0f-2b5d-4a7e-9c1f-1f3b5d7e9b8e",
        "publishing.grant.deadline_approaching",
        "2026-03-17T04:00:00.337Z",
        "5f7a9c1e3b4d4f7a9c1e3a5b7d9f1b8f",
        {
            "competition_id": "5f7a9c1e3b4d4f7a9c1e3a5b7d9f1b8f",
            "name": "Первый конкурс Фонда президентских грантов 2026 года",
            "operator": "Фонд президентских грантов",
            "closes_at": "2026-03-31T20:59:59Z",
            "days_left": 14,
            "url": "https://xn--80afcdbalict6afooklqi5o.xn--p1ai/",
            "max_amount": 10000000,
            "reminder_days": 14,
        },
    ),
    _envelope(
        "6c8e0a2b-4d6f-4b8a-9e1c-3b5d7f9a1c2e",
        "publishing.file.uploaded",
        "2026-03-02T08:15:42.120Z",
        "7b9d1f3a5c7e4a9b8d0f2a4c6e8b0d1f",
        {
            "file_id": "7b9d1f3a5c7e4a9b8d0f2a4c6e8b0d1f",
            "name": "Жизнеспособность проекта.pdf",
            "title": "Жизнеспособность проекта: памятка для НКО",
            "content_type": "application/pdf",
            "kind": "pdf",
            "size": 1843712,
            "sha256": "5d41402abc4b2a76b9719d911017c5925d41402abc4b2a76b9719d911017c592",
            "url": f"{SITE}/files/7b9d1f3a5c7e4a9b8d0f2a4c6e8b0d1f/"
            "%D0%96%D0%B8%D0%B7%D0%BD%D0%B5%D1%81%D0%BF%D0%BE%D1%81%D0%BE%D0%B1%D0%BD%D0%BE"
            "%D1%81%D1%82%D1%8C-%D0%BF%D1%80%D0%BE%D0%B5%D0%BA%D1%82%D0%B0.pdf",
            "width": None,
            "height": None,
            "actor": "c1e3a5b7d9f14b3d8f0a2c4e6b8d0f12",
        },
    ),
    _envelope(
        "8e0a2c4d-6f8b-4d0c-8a3e-5d7f9b1c3e4a",
        "publishing.file.deleted",
        "2026-05-20T11:02:09.874Z",
        "7b9d1f3a5c7e4a9b8d0f2a4c6e8b0d1f",
        {
            "file_id": "7b9d1f3a5c7e4a9b8d0f2a4c6e8b0d1f",
            "sha256": "5d41402abc4b2a76b9719d911017c5925d41402abc4b2a76b9719d911017c592",
            "actor": "c1e3a5b7d9f14b3d8f0a2c4e6b8d0f12",
        },
    ),
]

EXAMPLES: dict[str, Json] = {envelope["type"]: envelope for envelope in _ALL}


def example(event_type: str) -> Json:
    """A copy of the example envelope of a type (KeyError for a type without one)."""
    return copy.deepcopy(EXAMPLES[event_type])
