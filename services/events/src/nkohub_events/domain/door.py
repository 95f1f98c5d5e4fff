"""The public door: how often the public forms may be used, and how many places one client
or one address may hold (what a person who scripts the forms could otherwise take).

Two kinds of limit, both counted in the database so every replica shares them:

- rates (``nkohub_shared.limits.Limit``, per hour): each form per client address; the
  actions that mail an address (registering, cancelling, booking, cancelling a booking)
  per target address; questions and feedback per registration;
- holds: the active registrations one client address holds at one meetup, and the active
  consultation bookings one client address and one e-mail address hold at one meetup.

Staff (with a token) pass the door: the library's desk registers walk-ins from one
address. Refusals are ``RateLimited`` (429 with ``Retry-After``), in Russian.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from nkohub_shared.errors import Conflict
from nkohub_shared.limits import Limit, RateLimited
from nkohub_shared.privacy import normalise_email, pseudonym

Form = Literal[
    "registration", "registration-cancel", "booking", "booking-cancel", "question", "feedback"
]
HOUR = 3600
# A full hold frees when one of its places is cancelled; nobody knows when: an hour.
HOLD_RETRY_SECONDS = HOUR

TOO_MANY_FROM_CLIENT = "Слишком много попыток с вашего адреса. Пожалуйста, попробуйте позже."
TOO_MANY_TO_ADDRESS = (
    "На этот адрес электронной почты за последний час уже отправлено несколько писем. "
    "Пожалуйста, попробуйте позже."
)
TOO_MANY_FOR_REGISTRATION = (
    "Слишком много сообщений по этой регистрации. Пожалуйста, попробуйте позже."
)


@dataclass(frozen=True)
class DoorLimits:
    """The numbers (from the settings); see the service's README."""

    per_client_per_hour: int = 30
    mails_per_address_per_hour: int = 6
    per_registration_per_hour: int = 10
    registrations_per_client_per_meetup: int = 10
    bookings_per_client_per_meetup: int = 3
    bookings_per_address_per_meetup: int = 2

    def client(self, form: Form) -> Limit:
        return Limit(f"events-{form}-per-client", self.per_client_per_hour, HOUR)

    def address(self) -> Limit:
        """One budget for every action that mails an address, whatever the form."""
        return Limit("events-mail-per-address", self.mails_per_address_per_hour, HOUR)

    def registration(self, form: Form) -> Limit:
        return Limit(f"events-{form}-per-registration", self.per_registration_per_hour, HOUR)


def address_key(email: str) -> str:
    """The counted form of a target address, whatever its case and spaces."""
    return normalise_email(email)


def client_hold_id(meetup_id: str, client: str) -> str:
    """The hold of one client address at one meetup (the address as a pseudonym)."""
    return f"{meetup_id}:client:{pseudonym(client)}"


def address_hold_id(meetup_id: str, person_key: str) -> str:
    return f"{meetup_id}:address:{person_key}"


def too_many_seats(limit: int) -> RateLimited:
    return RateLimited(
        f"С вашего адреса уже зарегистрировано {limit} участников этой встречи. Если нужно "
        "больше мест, обратитесь к организатору.",
        retry_after=HOLD_RETRY_SECONDS,
        field="meetup_id",
    )


def too_many_bookings_from_client(limit: int) -> RateLimited:
    return RateLimited(
        f"С вашего адреса уже записано {limit} консультации на этой встрече. Если нужно "
        "больше, обратитесь к организатору.",
        retry_after=HOLD_RETRY_SECONDS,
        field="slot_id",
    )


def too_many_bookings_for_address(limit: int) -> Conflict:
    return Conflict(
        f"на этот адрес уже записано {limit} консультации на этой встрече",
        field="contact.email",
        limit=limit,
    )
