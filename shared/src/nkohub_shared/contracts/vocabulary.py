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
