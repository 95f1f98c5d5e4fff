"""Erasure requests from the public form (152-ФЗ, ст. 14 and 21): someone gives an e-mail
address; every person the registry holds under it is mailed a signed link to the
confirmation page. Nothing is erased until they open it and confirm.

The answer on the page never says whether the address is known. An unknown address gets
no mail: the form must not let anyone send the library's letters to a stranger's box,
and there is nothing to erase. The request itself is kept without the address (its
pseudonymous key, when it was sent and its status), so staff see how many came.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

from nkohub_contracts import new_event
from nkohub_contracts.envelope import CloudEvent
from nkohub_contracts.registry import ErasureRequested
from nkohub_shared.ids import new_id
from nkohub_shared.limits import Limit
from nkohub_shared.text import Email

# A link asked for by the person lives a week (staff-issued links: 30 days).
REQUESTED_LINK_DAYS = 7
# A library's reading room shares one address; a person retries a few times at most.
PER_CLIENT = Limit("erasure-request-per-client", 10, 3600)
PER_ADDRESS = Limit("erasure-request-per-address", 3, 24 * 3600)
TOO_MANY_FROM_CLIENT = (
    "Слишком много запросов с вашего адреса. Попробуйте через час или обратитесь в библиотеку."
)
TOO_MANY_FOR_ADDRESS = (
    "По этому адресу уже отправляли запросы сегодня. Проверьте почту (и папку «Спам») "
    "или попробуйте завтра."
)


class Status(StrEnum):
    MAILED = "mailed"  # links to the people held under the address went out
    UNKNOWN = "unknown"  # nobody held under the address: nothing sent
    ERASED = "erased"  # a person it was sent to confirmed the erasure


STATUS_LABELS = {
    Status.MAILED: "письмо со ссылкой отправлено",
    Status.UNKNOWN: "адреса нет в реестре, письмо не отправлялось",
    Status.ERASED: "данные удалены по ссылке",
}


class ErasureRequestForm(BaseModel):
    """What the public form asks."""

    model_config = ConfigDict(extra="forbid")

    email: Email


@dataclass(frozen=True)
class Link:
    """A person's signed erasure link, and the address the registry holds for them (the
    mail goes there, not to what was typed)."""

    person_id: str
    email: str
    url: str
    expires_at: datetime


def new_request(
    person_key: str, links: list[Link], now: datetime | None = None
) -> tuple[dict[str, Any], list[CloudEvent]]:
    """The stored request (no address) and one event per person held under the address."""
    request_id = new_id()
    events = [
        new_event(
            ErasureRequested(
                request_id=request_id,
                person_id=link.person_id,
                person_key=person_key,
                email=link.email,
                erase_url=link.url,
                expires_at=link.expires_at,
            )
        )
        for link in links
    ]
    doc = {
        "_id": request_id,
        "person_key": person_key,
        "people": len(links),
        "status": (Status.MAILED if links else Status.UNKNOWN).value,
        "requested_at": now or datetime.now(UTC),
    }
    return doc, events


def request_view(doc: dict[str, Any]) -> dict[str, Any]:
    """Staff: a request without the address."""
    status = Status(doc["status"])
    return {
        "id": doc["_id"],
        "status": status.value,
        "status_label": STATUS_LABELS[status],
        "people": doc.get("people", 0),
        "requested_at": doc["requested_at"],
        "erased_at": doc.get("erased_at"),
    }
