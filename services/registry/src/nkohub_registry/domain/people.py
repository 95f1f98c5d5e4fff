"""People (personal data under 152-ФЗ), their consents and erasure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from nkohub_contracts import new_event
from nkohub_contracts.envelope import CloudEvent
from nkohub_contracts.registry import PersonErased
from nkohub_registry.domain import audit
from nkohub_registry.domain.fields import LIST_MAX, Email, Id, Phone, Text
from nkohub_registry.domain.vocabulary import PERSON_ROLE_LABELS, PersonRole
from nkohub_shared.errors import Conflict
from nkohub_shared.ids import new_id
from nkohub_shared.privacy import person_key


class Consent(BaseModel):
    """The consent under which personal data is held (152-ФЗ)."""

    model_config = ConfigDict(extra="forbid")

    purpose: Text = Field(description="цель обработки")
    text_version: Text = Field(description="версия текста согласия")
    given_at: datetime
    source: Text = Field(description="как получено: бумажная анкета, веб-форма…")


class PersonCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    full_name: Text
    role: PersonRole
    organization_ids: Annotated[list[Id], Field(max_length=LIST_MAX)] = []
    email: Email | None = None
    phone: Phone | None = None
    processing_consent: Consent = Field(description="согласие на обработку персональных данных")
    publishing_consent: Consent | None = Field(
        default=None, description="согласие на публикацию контактов"
    )


def id_key(person_id: str) -> str:
    """The person key of someone without an e-mail address: an HMAC of their id (``id:``
    never occurs in an address, so it cannot collide with an address's key)."""
    return person_key(f"id:{person_id}")


def key_of(email: str | None, person_id: str) -> str:
    """A person's pseudonymous key: of their e-mail (as every service computes it), else of
    their id."""
    return person_key(email) if email else id_key(person_id)


def held_key(doc: dict[str, Any]) -> str:
    """The key a stored person is known by (records made before keys of ids: their id's)."""
    return doc.get("person_key") or id_key(doc["_id"])


def check_not_erased(erased_at: datetime | None, consent_given_at: datetime) -> None:
    """A person who had their data erased is entered again only with a consent given after
    the erasure: an old sign-in sheet or form cannot bring their data back."""
    if erased_at is None:
        return
    given = consent_given_at if consent_given_at.tzinfo else consent_given_at.replace(tzinfo=UTC)
    erased = erased_at if erased_at.tzinfo else erased_at.replace(tzinfo=UTC)
    if given <= erased:
        raise Conflict(
            "данные этого человека удалены по его просьбе; внести их снова можно только "
            "с согласием, данным после удаления",
            field="processing_consent",
        )


def new_person(data: PersonCreate, actor: str | None = None) -> dict[str, Any]:
    """A person's record; ``actor``: the staff member who entered it (its staff history)."""
    email = data.email.lower() if data.email else None
    person_id = new_id()
    now = datetime.now(UTC)
    doc = {
        "_id": person_id,
        "full_name": data.full_name,
        "role": data.role.value,
        "organization_ids": list(dict.fromkeys(data.organization_ids)),
        "email": email,
        "phone": data.phone,
        "person_key": key_of(email, person_id),
        "consents": {
            "processing": data.processing_consent.model_dump(),
            "publishing_contacts": (
                data.publishing_consent.model_dump() if data.publishing_consent else None
            ),
        },
        "created_at": now,
        "erased_at": None,
    }
    if actor is not None:
        doc[audit.HISTORY_FIELD] = [audit.entry(actor, "created", now)]
    return doc


def erasure(
    doc: dict[str, Any], requested_by: str, now: datetime | None = None
) -> tuple[dict[str, Any], CloudEvent]:
    """The update that removes a person's personal data, and the event telling the others
    (their pseudonymous key only: of their e-mail, or of their id when they had none)."""
    keys = [held_key(doc)]
    event = new_event(PersonErased(person_id=doc["_id"], person_keys=keys))
    update = {
        "$set": {
            "full_name": None,
            "email": None,
            "phone": None,
            "person_key": None,
            "consents": None,
            "erased_at": now or datetime.now(UTC),
            "erased_by": requested_by,
        }
    }
    return update, event


def person_view(doc: dict[str, Any]) -> dict[str, Any]:
    """Staff only: people's records are personal data."""
    consents = doc.get("consents") or {}
    return {
        "id": doc["_id"],
        "full_name": doc.get("full_name"),
        "role": doc.get("role"),
        "role_label": PERSON_ROLE_LABELS.get(doc.get("role") or ""),
        "organization_ids": doc.get("organization_ids", []),
        "email": doc.get("email"),
        "phone": doc.get("phone"),
        "processing_consent": consents.get("processing"),
        "publishing_consent": consents.get("publishing_contacts"),
        "erased": doc.get("erased_at") is not None,
        "erased_at": doc.get("erased_at"),
        "created_at": doc.get("created_at"),
        "staff_history": audit.history_of(doc),
    }


# --- the erasure link ---------------------------------------------------------------------

ERASURE_LINK_DAYS = 30


def erasure_link_expiry(now: datetime | None = None, days: int = ERASURE_LINK_DAYS) -> int:
    """When a link made now stops working (epoch seconds)."""
    return int(((now or datetime.now(UTC)) + timedelta(days=days)).timestamp())


def _masked(email: str) -> str:
    name, _, domain = email.partition("@")
    return f"{name[:1]}•••@{domain}"


def erasure_summary(doc: dict[str, Any]) -> list[str]:
    """What an erasure removes, in Russian, for the person's confirmation page (the e-mail
    masked: the page is reached by a link that could be forwarded)."""
    lines = ["ваши имя и фамилия" + (f" ({doc['full_name']})" if doc.get("full_name") else "")]
    if doc.get("email"):
        lines.append(f"адрес электронной почты ({_masked(doc['email'])})")
    if doc.get("phone"):
        lines.append("номер телефона")
    lines += [
        "ваши согласия на обработку и публикацию персональных данных",
        "отметки о вашем участии во встречах (число участников останется, без имён)",
        "ваши регистрации, вопросы и подписки в других разделах платформы",
    ]
    return lines
