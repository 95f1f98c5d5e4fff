"""People (personal data under 152-ФЗ), their consents and erasure."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from nkohub_registry.domain.fields import Email, Phone, Text
from nkohub_registry.domain.vocabulary import PERSON_ROLE_LABELS, PersonRole
from nkohub_shared.contracts import new_event
from nkohub_shared.contracts.envelope import CloudEvent
from nkohub_shared.contracts.registry import PersonErased
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
    organization_ids: list[str] = []
    email: Email | None = None
    phone: Phone | None = None
    processing_consent: Consent = Field(description="согласие на обработку персональных данных")
    publishing_consent: Consent | None = Field(
        default=None, description="согласие на публикацию контактов"
    )


def new_person(data: PersonCreate) -> dict[str, Any]:
    email = data.email.lower() if data.email else None
    return {
        "_id": new_id(),
        "full_name": data.full_name,
        "role": data.role.value,
        "organization_ids": list(dict.fromkeys(data.organization_ids)),
        "email": email,
        "phone": data.phone,
        "person_key": person_key(email) if email else None,
        "consents": {
            "processing": data.processing_consent.model_dump(),
            "publishing_contacts": (
                data.publishing_consent.model_dump() if data.publishing_consent else None
            ),
        },
        "created_at": datetime.now(UTC),
        "erased_at": None,
    }


def erasure(
    doc: dict[str, Any], requested_by: str, now: datetime | None = None
) -> tuple[dict[str, Any], CloudEvent]:
    """The update that removes a person's personal data, and the event telling the others
    (pseudonymous keys only)."""
    keys = [doc["person_key"]] if doc.get("person_key") else []
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
    }
