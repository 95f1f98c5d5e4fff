"""MongoDB storage of the events service (its own database, `nkohub_events`): queries,
writes and indexes only. Writes that record events go through the shared ``EventWriter``.

Collections: ``meetups`` (with the seat ledger's counters), ``registrations``, ``attendances``,
``specialists``, ``slots`` (consultations are bookings embedded in their slot),
``consultation_quotas`` (per NGO, contact address and client address at a meetup),
``registration_holds`` (a client address's registrations at a meetup), ``questions``,
``feedback``, ``erased_people`` (keys of erased people), and read models fed by other
services' events: ``organizations`` (registry), ``posts`` and ``post_views`` (publishing).
"""

from pymongo import ASCENDING, DESCENDING, IndexModel

INDEXES: dict[str, list[IndexModel]] = {
    "meetups": [
        IndexModel([("slug", ASCENDING)], unique=True),
        IndexModel([("status", ASCENDING), ("starts_at", ASCENDING)]),
    ],
    "registrations": [
        IndexModel([("meetup_id", ASCENDING), ("email_key", ASCENDING)], unique=True),
        IndexModel([("meetup_id", ASCENDING), ("short_code", ASCENDING)]),
        IndexModel([("status", ASCENDING), ("created_at", ASCENDING)]),
        IndexModel([("person_key", ASCENDING)]),
        # the waitlist: a meetup's waitlisted registrations in their numbers' order
        IndexModel(
            [("meetup_id", ASCENDING), ("status", ASCENDING), ("waitlist_position", ASCENDING)]
        ),
    ],
    "attendances": [
        IndexModel([("meetup_id", ASCENDING)]),
        IndexModel([("person_key", ASCENDING)]),
    ],
    "slots": [
        IndexModel([("meetup_id", ASCENDING), ("starts_at", ASCENDING)]),
        IndexModel([("booking.consultation_id", ASCENDING)]),
    ],
    "questions": [IndexModel([("meetup_id", ASCENDING), ("submitted_at", DESCENDING)])],
    "feedback": [IndexModel([("meetup_id", ASCENDING)])],
    "organizations": [IndexModel([("ogrn", ASCENDING)])],
    "posts": [IndexModel([("published_at", ASCENDING)])],
    "post_views": [IndexModel([("period_start", ASCENDING)])],
}
OUTBOX_COLLECTIONS: list[str] = [
    "meetups",
    "registrations",
    "attendances",
    "slots",
    "questions",
    "feedback",
]
