"""Codes that events carry, with the Russian labels every service shows for them.

The producing service owns each vocabulary; the labels live here because events carry the
codes to other services (and other teams), which need the same words. A code missing here
(a newer producer's) reads as itself with ``label``.
"""

from __future__ import annotations

__all__ = [
    "ACTIVITY_AREA_LABELS",
    "CANCELLED_BY_LABELS",
    "CHANNEL_LABELS",
    "LEGAL_FORM_LABELS",
    "MEETUP_CHANGES_TO_TELL",
    "MEETUP_CHANGE_LABELS",
    "MEETUP_KIND_LABELS",
    "ORGANIZATION_SOURCE_LABELS",
    "ORGANIZATION_STATUS_LABELS",
    "PARTICIPANT_ROLE_LABELS",
    "PROGRAM_ITEM_KIND_LABELS",
    "REGISTRATION_STATUS_LABELS",
    "SPECIALTY_LABELS",
    "VOCABULARIES",
    "label",
    "meetup_changes_to_tell",
]

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


# ``MeetupSnapshot.kind`` and ``ProgramItem.kind`` (the events service).
MEETUP_KIND_LABELS: dict[str, str] = {
    "meetup": "митап",
    "unscheduled_meeting": "внеплановая встреча",
    "consultation_day": "день консультаций",
}
PROGRAM_ITEM_KIND_LABELS: dict[str, str] = {
    "talk": "выступление",
    "ngo_presentation": "презентация НКО",
    "consultation_block": "консультации",
    "qa_session": "вопросы и ответы",
    "networking": "общение",
}

# ``Participant.role`` and ``AttendanceRecorded.role``.
PARTICIPANT_ROLE_LABELS: dict[str, str] = {
    "ngo_representative": "представитель НКО",
    "official": "представитель ОМС",
    "activist": "активист",
    "specialist": "специалист",
    "media": "СМИ",
    "other": "другое",
}

# ``Specialist.specialty`` (consultation events).
SPECIALTY_LABELS: dict[str, str] = {
    "lawyer": "юрист",
    "tax_inspector": "налоговый инспектор",
    "economist": "экономист",
    "accountant": "бухгалтер",
    "pr": "PR-специалист",
    "animal_protection": "специалист по защите животных",
    "ecologist": "эколог",
    "project_expert": "эксперт по проектам и грантам",
    "other": "другое",
}

# ``RegistrationCancelled`` / ``ConsultationCancelled``: who cancelled, and the registration's
# status before.
CANCELLED_BY_LABELS: dict[str, str] = {"participant": "участник", "staff": "сотрудник"}
REGISTRATION_STATUS_LABELS: dict[str, str] = {
    "confirmed": "подтверждена",
    "waitlisted": "в листе ожидания",
}

# ``OrganizationPublic.status``, ``OrganizationDeactivated.status`` and
# ``OrganizationRegistered.source`` (the registry).
ORGANIZATION_STATUS_LABELS: dict[str, str] = {
    "active": "действует",
    "suspended": "приостановлена",
    "liquidated": "ликвидирована",
}
ORGANIZATION_SOURCE_LABELS: dict[str, str] = {
    "imported": "импорт",
    "staff": "внесена сотрудником",
    "self_registered": "самостоятельная регистрация",
}

# ``MessageSent.channel`` / ``MessageFailed.channel`` (notifications).
CHANNEL_LABELS: dict[str, str] = {
    "email": "электронная почта",
    "webhook": "вебхук",
    "telegram": "Telegram",
}

VOCABULARIES: dict[str, dict[str, str]] = {
    "legal_form": LEGAL_FORM_LABELS,
    "activity_area": ACTIVITY_AREA_LABELS,
    "meetup_change": MEETUP_CHANGE_LABELS,
    "meetup_kind": MEETUP_KIND_LABELS,
    "program_item_kind": PROGRAM_ITEM_KIND_LABELS,
    "participant_role": PARTICIPANT_ROLE_LABELS,
    "specialty": SPECIALTY_LABELS,
    "cancelled_by": CANCELLED_BY_LABELS,
    "registration_status": REGISTRATION_STATUS_LABELS,
    "organization_status": ORGANIZATION_STATUS_LABELS,
    "organization_source": ORGANIZATION_SOURCE_LABELS,
    "channel": CHANNEL_LABELS,
}


def label(vocabulary: str, code: str) -> str:
    """The Russian label of ``code`` in a vocabulary of ``VOCABULARIES``; the code itself
    when this package does not know it (a newer producer's)."""
    return VOCABULARIES[vocabulary].get(code, code)
