"""Codes that events carry, with the Russian labels every service shows for them.

The registry owns these vocabularies; they live here because ``OrganizationPublic`` carries
the codes to other services (and other teams), which need the same labels.
"""

from __future__ import annotations

LEGAL_FORM_LABELS: dict[str, str] = {
    "ano": "АНО (автономная некоммерческая организация)",
    "fund": "фонд",
    "public_organization": "общественная организация",
    "public_movement": "общественное движение",
    "association": "ассоциация (союз)",
    "tos": "ТОС (территориальное общественное самоуправление)",
    "religious": "религиозная организация",
    "other": "иная",
}

ACTIVITY_AREA_LABELS: dict[str, str] = {
    "youth": "молодёжь",
    "sport": "спорт",
    "culture": "культура",
    "education": "образование и языки",
    "urban_environment": "городская среда",
    "ecology": "экология",
    "animals": "защита животных",
    "local_history": "краеведение",
    "children_family": "детство и семья",
    "social_support": "социальная поддержка",
    "health": "здоровье",
    "veterans": "ветераны",
    "other": "другое",
}


# Fields of a meetup whose change ``events.meetup.updated`` names (its ``changed``), with
# the words a person reads; those in ``MEETUP_CHANGES_TO_TELL`` are worth a message to the
# people registered (a new time or place), the others only refresh pages and posts.
MEETUP_CHANGE_LABELS: dict[str, str] = {
    "starts_at": "время начала",
    "ends_at": "время окончания",
    "venue": "место",
    "title": "название",
    "description": "описание",
    "program": "программа",
    "capacity": "число мест",
    "timezone": "часовой пояс",
}
MEETUP_CHANGES_TO_TELL: frozenset[str] = frozenset({"starts_at", "ends_at", "venue", "title"})


def meetup_changes_to_tell(changed: list[str]) -> list[str]:
    """The Russian labels of the changes worth telling registrants, in ``changed``'s order."""
    return [MEETUP_CHANGE_LABELS[c] for c in changed if c in MEETUP_CHANGES_TO_TELL]
