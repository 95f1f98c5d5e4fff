"""Self-registrations: proposals from anonymous callers, kept apart from official data.

An anonymous caller can only propose: the proposal is stored in its own collection, takes
no ОГРН/ИНН slot of the official records, and reaches the registry only when staff approve
it. When an official record with the same ОГРН (or ИНН) exists — before or after the
proposal — staff see the proposal as a conflict to resolve: approve (merge the fields they
choose into the official record) or reject. The public answer is always the same and names
nothing that exists.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from nkohub_contracts.registry import ProposalSubmitted
from nkohub_registry.domain.organizations import (
    OrganizationFacts,
    stored_values,
)
from nkohub_shared.errors import Conflict, InvalidInput
from nkohub_shared.ids import new_id

# The one answer to every accepted self-registration: it says nothing of other records.
ACCEPTED = {
    "status": "awaiting_approval",
    "message": (
        "Заявка принята. Сотрудники библиотеки проверят сведения и внесут организацию "
        "в реестр; при вопросах они свяжутся с вами по указанным контактам."
    ),
}

# Fields staff set, never a submitter: refused with 422 naming the field.
STAFF_ONLY_FIELDS = (
    "status",
    "status_reason",
    "leader_person_id",
    "socially_oriented",
    "support_registry",
    "hand_edited",
    "approved",
    "source",
    "needs",
    "grants",
    "id",
    "_id",
)


class ProposalStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class SelfRegistration(OrganizationFacts):
    """What an anonymous caller may send: the organization's public facts and contacts."""


PROPOSED_FIELDS = tuple(SelfRegistration.model_fields)
# Fields staff may take from a proposal into an official record (the ОГРН is the match).
MergeField = Literal[
    "full_name",
    "short_name",
    "legal_form",
    "opf_code",
    "inn",
    "kpp",
    "registered_on",
    "address",
    "city",
    "activity_areas",
    "okved",
    "description",
    "website",
    "social_links",
    "public_phone",
    "public_email",
]


class ProposalApproval(BaseModel):
    """Staff approve a proposal; with an official twin, ``fields`` names what to take from
    the proposal (default: only what the official record lacks)."""

    model_config = ConfigDict(extra="forbid")

    fields: list[MergeField] | None = Field(default=None, max_length=len(PROPOSED_FIELDS))


def _refusal(exc: ValidationError) -> InvalidInput:
    """A Russian 422 naming the first offending field (every one listed in ``fields``)."""
    fields = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "заявка"
        if err["type"] == "extra_forbidden":
            message = (
                "это поле заполняют сотрудники библиотеки"
                if str(err["loc"][0]) in STAFF_ONLY_FIELDS
                else "такого поля в заявке нет"
            )
        else:
            message = str(err.get("msg", "")).removeprefix("Value error, ")
        fields.append({"field": where, "message": message})
    summary = "; ".join(f"{f['field']}: {f['message']}" for f in fields)
    return InvalidInput(f"заявка не принята: {summary}", field=fields[0]["field"], fields=fields)


def parse_self_registration(payload: Any) -> SelfRegistration:
    """The body of a self-registration, or ``InvalidInput`` (422) naming the field."""
    if not isinstance(payload, dict):
        raise InvalidInput("заявка не принята: ожидается объект JSON", field="body")
    try:
        return SelfRegistration.model_validate(payload)
    except ValidationError as exc:
        raise _refusal(exc) from None


def new_proposal(data: SelfRegistration, now: datetime | None = None) -> dict[str, Any]:
    now = now or datetime.now(UTC)
    values = stored_values(data.model_dump())
    return {
        "_id": new_id(),
        **values,
        "status": ProposalStatus.PENDING.value,
        "organization_id": None,
        "reviewed_by": None,
        "reviewed_at": None,
        "created_at": now,
        "updated_at": now,
    }


def submitted_event(proposal: dict[str, Any]) -> ProposalSubmitted:
    """What staff's alert needs of a new proposal: no contacts, no person."""
    return ProposalSubmitted(
        proposal_id=proposal["_id"],
        name=proposal.get("short_name") or proposal["full_name"],
        full_name=proposal["full_name"],
        city=proposal.get("city"),
        activity_areas=list(proposal.get("activity_areas") or []),
        submitted_at=proposal["created_at"],
    )


def proposal_from_unapproved(org: dict[str, Any]) -> dict[str, Any]:
    """A self-registration that older versions stored as an unapproved organization, as a
    pending proposal (same id, same fields, same date); what staff set on it is kept too."""
    proposal = {f: org.get(f) for f in PROPOSED_FIELDS}
    return {
        "_id": org["_id"],
        **{k: v for k, v in proposal.items() if v is not None},
        "status": ProposalStatus.PENDING.value,
        "organization_id": None,
        "reviewed_by": None,
        "reviewed_at": None,
        "created_at": org.get("created_at"),
        "updated_at": org.get("updated_at"),
    }


def proposed_values(proposal: dict[str, Any]) -> dict[str, Any]:
    """The organization's fields as the proposal states them."""
    return {f: proposal.get(f) for f in PROPOSED_FIELDS if f in proposal}


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def merge_values(
    proposal: dict[str, Any], official: dict[str, Any], fields: list[str] | None
) -> dict[str, Any]:
    """What approving ``proposal`` changes in its official twin: the ``fields`` staff
    chose, or by default only the fields the official record lacks. Never the ОГРН."""
    proposed = proposed_values(proposal)
    proposed.pop("ogrn", None)
    if fields is None:
        return {f: v for f, v in proposed.items() if not _empty(v) and _empty(official.get(f))}
    return {f: proposed.get(f) for f in fields if f in proposed}


def require_pending(proposal: dict[str, Any]) -> None:
    if proposal.get("status") != ProposalStatus.PENDING.value:
        raise Conflict("заявка уже рассмотрена", field="status", status=proposal.get("status"))


def decided(
    status: ProposalStatus, *, by: str, organization_id: str | None, now: datetime | None = None
) -> dict[str, Any]:
    """The update recording staff's decision on a proposal."""
    now = now or datetime.now(UTC)
    return {
        "$set": {
            "status": status.value,
            "organization_id": organization_id,
            "reviewed_by": by,
            "reviewed_at": now,
            "updated_at": now,
        }
    }


def twin_ref(official: dict[str, Any] | None, proposal: dict[str, Any]) -> dict[str, Any] | None:
    """The official record a proposal collides with (staff only), and on which number."""
    if official is None:
        return None
    matched = "ogrn" if official.get("ogrn") == proposal.get("ogrn") else "inn"
    return {"id": official["_id"], "full_name": official.get("full_name"), "matched_on": matched}


def proposal_view(proposal: dict[str, Any], official: dict[str, Any] | None) -> dict[str, Any]:
    """Staff view: the proposed fields, the decision, and the official twin if any
    (``conflict``: a pending proposal whose ОГРН or ИНН an official record holds)."""
    twin = twin_ref(official, proposal)
    return {
        "id": proposal["_id"],
        **proposed_values(proposal),
        "status": proposal.get("status"),
        "verified": False,
        "official": twin,
        "conflict": twin is not None and proposal.get("status") == ProposalStatus.PENDING.value,
        "organization_id": proposal.get("organization_id"),
        "reviewed_by": proposal.get("reviewed_by"),
        "reviewed_at": proposal.get("reviewed_at"),
        "submitted_at": proposal.get("created_at"),
        "needs": proposal.get("needs"),
    }
