"""Organizations as registrations and bookings name them: a registry id (which must be
known and not liquidated), an ОГРН (matched to the registry when it knows it) or a name
typed by a person (kept as typed)."""

from __future__ import annotations

from typing import Any

from nkohub_shared.errors import InvalidInput


def fields_of(org: dict[str, Any]) -> dict[str, Any]:
    """What a registration or booking stores of a registry organization."""
    return {
        "organization_id": org["_id"],
        "organization_ogrn": org.get("ogrn"),
        "organization_name": org.get("short_name") or org.get("full_name"),
    }


def typed(ogrn: str | None, name: str | None) -> dict[str, Any]:
    return {"organization_id": None, "organization_ogrn": ogrn, "organization_name": name}


def chosen(organization_id: str, org: dict[str, Any] | None) -> dict[str, Any]:
    """An organization chosen from the registry by id."""
    if org is None:
        raise InvalidInput(
            f"no organization {organization_id!r} in the registry", field="organization_id"
        )
    if org.get("status", "active") == "liquidated":
        raise InvalidInput("the organization is liquidated", field="organization_id")
    return fields_of(org)


def known_view(org: dict[str, Any]) -> dict[str, Any]:
    return {
        "organization_id": org["_id"],
        "full_name": org.get("full_name"),
        "short_name": org.get("short_name"),
        "ogrn": org.get("ogrn"),
        "status": org.get("status", "active"),
    }
