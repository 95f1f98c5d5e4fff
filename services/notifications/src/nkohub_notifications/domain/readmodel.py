"""States of the local read model of meetups and registrations (from the events service's
events): who is registered for what, so updates, reminders and thank-yous reach them."""

from __future__ import annotations

from enum import StrEnum


class RegistrationState(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"  # final: a late event cannot undo it


class MeetupState(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    COMPLETED = "completed"


# Who hears about a meetup's changes or its cancellation.
REGISTERED = (RegistrationState.CONFIRMED, RegistrationState.WAITLISTED)
