"""Organizations: input models, the stored document, search words, public/staff views,
the events a change records, and the refusal of a twin (same ОГРН or ИНН)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from nkohub_contracts import new_event
from nkohub_contracts.common import OrganizationPublic
from nkohub_contracts.envelope import CloudEvent
from nkohub_contracts.registry import (
    OrganizationDeactivated,
    OrganizationRegistered,
    OrganizationUpdated,
)
from nkohub_registry.domain import audit
from nkohub_registry.domain.fields import (
    LIST_MAX,
    Email,
    Id,
    LongText,
    Number,
    Okved,
    OpfCode,
    Phone,
    Text,
    Url,
)
from nkohub_registry.domain.identifiers import validate_inn, validate_kpp, validate_ogrn
from nkohub_registry.domain.vocabulary import (
    ACTIVITY_AREA_LABELS,
    LEGAL_FORM_LABELS,
    STATUS_LABELS,
    ActivityArea,
    LegalForm,
    Source,
    Status,
)
from nkohub_registry.domain.words import normalise
from nkohub_shared.errors import Conflict, InvalidInput
from nkohub_shared.ids import new_id

# Fields a caller may set; the order is the order of exports.
EDITABLE_FIELDS = (
    "full_name",
    "short_name",
    "legal_form",
    "opf_code",
    "ogrn",
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
    "leader_person_id",
    "status",
    "socially_oriented",
    "support_registry",
)
# Fields carried by ``OrganizationPublic`` (what other services hear about).
EVENT_FIELDS = tuple(f for f in OrganizationPublic.model_fields if f != "organization_id")
DEACTIVATED = {Status.SUSPENDED.value, Status.LIQUIDATED.value}


Areas = Annotated[list[ActivityArea], Field(max_length=LIST_MAX)]
Okveds = Annotated[list[Okved], Field(max_length=LIST_MAX)]
Links = Annotated[list[Url], Field(max_length=LIST_MAX)]


class OrganizationInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("ogrn", check_fields=False)
    @classmethod
    def _ogrn(cls, value: str | None) -> str | None:
        return None if value is None else validate_ogrn(value)

    @field_validator("inn", check_fields=False)
    @classmethod
    def _inn(cls, value: str | None) -> str | None:
        return None if value is None else validate_inn(value)

    @field_validator("kpp", check_fields=False)
    @classmethod
    def _kpp(cls, value: str | None) -> str | None:
        return None if value is None else validate_kpp(value)

    @field_validator("activity_areas", "okved", "social_links", check_fields=False)
    @classmethod
    def _unique(cls, value: list[Any] | None) -> list[Any] | None:
        return None if value is None else list(dict.fromkeys(value))


class OrganizationFacts(OrganizationInput):
    """An organization's public facts and contacts: what anyone may propose, and what staff
    and imports enter along with the fields only they set (``OrganizationCreate``)."""

    full_name: Text
    short_name: Text | None = None
    legal_form: LegalForm
    opf_code: OpfCode | None = None
    ogrn: Number = Field(description="ОГРН, 13 цифр с контрольной")
    inn: Number | None = Field(default=None, description="ИНН юрлица, 10 цифр с контрольной")
    kpp: Number | None = None
    registered_on: date | None = None
    address: Text | None = None
    city: Text | None = None
    activity_areas: Areas = []
    okved: Okveds = []
    description: LongText | None = None
    website: Url | None = None
    social_links: Links = []
    public_phone: Phone | None = None
    public_email: Email | None = None


class OrganizationCreate(OrganizationFacts):
    """A new organization entered by staff or imported (official data)."""

    leader_person_id: Id | None = None
    status: Status = Status.ACTIVE
    socially_oriented: bool = True
    support_registry: bool = False


class OrganizationPatch(OrganizationInput):
    """A staff edit; only the fields sent are changed (``null`` clears an optional one)."""

    full_name: Text | None = None
    short_name: Text | None = None
    legal_form: LegalForm | None = None
    opf_code: OpfCode | None = None
    ogrn: Number | None = None
    inn: Number | None = None
    kpp: Number | None = None
    registered_on: date | None = None
    address: Text | None = None
    city: Text | None = None
    activity_areas: Areas | None = None
    okved: Okveds | None = None
    description: LongText | None = None
    website: Url | None = None
    social_links: Links | None = None
    public_phone: Phone | None = None
    public_email: Email | None = None
    leader_person_id: Id | None = None
    status: Status | None = None
    socially_oriented: bool | None = None
    support_registry: bool | None = None
    status_reason: Text | None = None

    def changes(self) -> dict[str, Any]:
        """The fields sent, as stored values (``status_reason`` excluded)."""
        sent = {f: getattr(self, f) for f in self.model_fields_set if f != "status_reason"}
        for required in ("full_name", "legal_form", "ogrn", "status"):
            if required in sent and sent[required] is None:
                raise InvalidInput(f"{required} не может быть пустым", field=required)
        return stored_values(sent)


def stored_values(values: dict[str, Any]) -> dict[str, Any]:
    """Values as MongoDB keeps them: enums as strings, dates as ISO strings."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, list):
            value = [str(v) if hasattr(v, "value") else v for v in value]
        elif hasattr(value, "value"):
            value = value.value
        out[key] = value
    return out


# --- search --------------------------------------------------------------------------------


def search_words(doc: dict[str, Any]) -> list[str]:
    words: list[str] = []
    for field in ("full_name", "short_name"):
        if doc.get(field):
            words.extend(normalise(doc[field]).split())
    return list(dict.fromkeys(words))


def search_fields(doc: dict[str, Any]) -> dict[str, Any]:
    """The derived fields the search and sort use; recomputed on every name change."""
    return {
        "search_words": search_words(doc),
        "sort_name": normalise(doc.get("short_name") or doc["full_name"]),
    }


def query_words(q: str) -> list[str]:
    return normalise(q).split()[:8]


@dataclass
class OrganizationFilter:
    """Search criteria of the organization list (and of its export)."""

    q: str | None = None
    activity_area: str | None = None
    legal_form: str | None = None
    status: str | None = None
    city: str | None = None
    source: str | None = None
    never_came: bool = False
    include_unapproved: bool = False
    awaiting_approval: bool = False

    def seen_by(self, staff: bool) -> OrganizationFilter:
        """Staff see every organization; the public sees approved ones, and may not
        filter by staff-only criteria (source, awaiting approval)."""
        if staff:
            self.include_unapproved = True
        else:
            self.source = None
            self.awaiting_approval = False
            self.include_unapproved = False
        return self


# --- documents and views --------------------------------------------------------------------


def new_document(
    values: dict[str, Any],
    *,
    source: Source,
    hand_edited: list[str],
    approved: bool = True,
    actor: str | None = None,
    action: str = "created",
) -> dict[str, Any]:
    """A new organization; ``actor``: the staff member who entered it (its staff history
    starts with ``action``)."""
    now = datetime.now(UTC)
    doc = {
        "_id": new_id(),
        **{f: None for f in EDITABLE_FIELDS},
        "activity_areas": [],
        "okved": [],
        "social_links": [],
        "status": Status.ACTIVE.value,
        "socially_oriented": True,
        "support_registry": False,
        **values,
        "source": source.value,
        "approved": approved,
        "hand_edited": sorted(hand_edited),
        "needs": None,
        "grants": [],
        "created_at": now,
        "updated_at": now,
    }
    if actor is not None:
        doc[audit.HISTORY_FIELD] = [audit.entry(actor, action, now)]
    doc.update(search_fields(doc))
    return doc


def public_event_record(doc: dict[str, Any]) -> OrganizationPublic:
    return OrganizationPublic(
        organization_id=doc["_id"], **{f: doc.get(f) for f in EVENT_FIELDS if f in doc}
    )


def registered_event(doc: dict[str, Any], actor: str | None = None) -> CloudEvent:
    return new_event(
        OrganizationRegistered(
            organization=public_event_record(doc), source=doc["source"], actor=actor
        )
    )


def change_events(
    before: dict[str, Any],
    after: dict[str, Any],
    changed: list[str],
    reason: str | None = None,
    actor: str | None = None,
) -> list[CloudEvent]:
    """``updated`` when fields other services know changed; ``deactivated`` when the status
    went from active to suspended/liquidated. Nothing for an unapproved self-registration."""
    if not after.get("approved", True):
        return []
    events: list[CloudEvent] = []
    public_changed = [f for f in changed if f in EVENT_FIELDS]
    if public_changed:
        events.append(
            new_event(
                OrganizationUpdated(
                    organization=public_event_record(after), changed=public_changed, actor=actor
                )
            )
        )
    if after["status"] in DEACTIVATED and before.get("status") not in DEACTIVATED:
        events.append(
            new_event(
                OrganizationDeactivated(
                    organization_id=after["_id"], status=after["status"], reason=reason, actor=actor
                )
            )
        )
    return events


def diff(doc: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if doc.get(k) != v}


@dataclass(frozen=True)
class Change:
    """What one change of an organization writes: the MongoDB update and its events."""

    values: dict[str, Any]  # the changed fields' new values
    update: dict[str, Any]
    events: list[CloudEvent]

    @property
    def fields(self) -> list[str]:
        """The names of the changed fields, sorted."""
        return sorted(self.values)


def plan_change(
    doc: dict[str, Any],
    values: dict[str, Any],
    *,
    by_hand: bool,
    reason: str | None = None,
    now: datetime | None = None,
    actor: str | None = None,
    action: str = "updated",
) -> Change | None:
    """The change of ``doc`` to ``values``; ``None`` when nothing would change.

    A staff edit (``by_hand``) is remembered in ``hand_edited``; an import
    (``by_hand=False``) leaves every field staff edited by hand as it is. ``actor``: the
    staff member behind the change, recorded in the staff history (as ``action``) and
    named by its events."""
    wanted = values
    if not by_hand:
        protected = set(doc.get("hand_edited") or [])
        wanted = {k: v for k, v in values.items() if k not in protected}
    changed = diff(doc, wanted)
    if not changed:
        return None
    fields = sorted(changed)
    after = {**doc, **changed}
    now = now or datetime.now(UTC)
    update: dict[str, Any] = {"$set": {**changed, **search_fields(after), "updated_at": now}}
    if by_hand:
        update["$addToSet"] = {"hand_edited": {"$each": fields}}
    update = audit.push(update, audit.entry(actor, action, now) if actor else None)
    return Change(changed, update, change_events(doc, after, fields, reason, actor))


def approval(doc: dict[str, Any], now: datetime | None = None, actor: str | None = None) -> Change:
    """Staff approve a self-registration: it becomes public and is announced."""
    now = now or datetime.now(UTC)
    after = {**doc, "approved": True, "updated_at": now}
    update = audit.push(
        {"$set": {"approved": True, "updated_at": now}},
        audit.entry(actor, "approved", now) if actor else None,
    )
    return Change({"approved": True}, update, [registered_event(after, actor)])


class DuplicateOrganization(Conflict):
    """Another organization has this ОГРН or ИНН: a 409 naming it."""

    def __init__(self, field: str, existing: dict[str, Any]) -> None:
        label = "ОГРН" if field == "ogrn" else "ИНН"
        name = existing.get("full_name")
        super().__init__(
            f"организация с таким {label} уже есть: «{name}»",
            field=field,
            existing={"id": existing.get("_id"), "full_name": name},
        )


PUBLIC_FIELDS = (
    "full_name",
    "short_name",
    "legal_form",
    "ogrn",
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
    "status",
    "socially_oriented",
    "support_registry",
)


def public_view(doc: dict[str, Any], history: dict[str, Any] | None = None) -> dict[str, Any]:
    """What anyone may see: official data, public contacts, labels; no personal data."""
    view: dict[str, Any] = {"id": doc["_id"], **{f: doc.get(f) for f in PUBLIC_FIELDS}}
    view["legal_form_label"] = LEGAL_FORM_LABELS.get(doc.get("legal_form") or "", None)
    view["activity_area_labels"] = [ACTIVITY_AREA_LABELS[a] for a in doc.get("activity_areas", [])]
    view["status_label"] = STATUS_LABELS.get(doc.get("status") or "")
    if history is not None:
        view["history"] = history
    return view


def staff_view(doc: dict[str, Any], history: dict[str, Any] | None = None) -> dict[str, Any]:
    view = public_view(doc, history)
    view.update(
        opf_code=doc.get("opf_code"),
        leader_person_id=doc.get("leader_person_id"),
        source=doc.get("source"),
        approved=doc.get("approved", True),
        hand_edited=doc.get("hand_edited", []),
        needs=doc.get("needs"),
        created_at=doc.get("created_at"),
        updated_at=doc.get("updated_at"),
        staff_history=audit.history_of(doc),
    )
    return view
