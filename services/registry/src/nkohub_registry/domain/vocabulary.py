"""Controlled vocabularies with their Russian labels, and how the import reads them
from a code, a Russian name or an ОКОПФ code."""

from __future__ import annotations

import re
from enum import StrEnum

from nkohub_contracts.vocabulary import ACTIVITY_AREA_LABELS, LEGAL_FORM_LABELS
from nkohub_registry.domain.words import normalise

__all__ = ["ACTIVITY_AREA_LABELS", "LEGAL_FORM_LABELS"]


class LegalForm(StrEnum):
    ANO = "ano"
    FUND = "fund"
    PUBLIC_ORGANIZATION = "public_organization"
    PUBLIC_MOVEMENT = "public_movement"
    ASSOCIATION = "association"
    TOS = "tos"
    RELIGIOUS = "religious"
    OTHER = "other"


class ActivityArea(StrEnum):
    YOUTH = "youth"
    SPORT = "sport"
    CULTURE = "culture"
    EDUCATION = "education"
    URBAN_ENVIRONMENT = "urban_environment"
    ECOLOGY = "ecology"
    ANIMALS = "animals"
    LOCAL_HISTORY = "local_history"
    CHILDREN_FAMILY = "children_family"
    SOCIAL_SUPPORT = "social_support"
    HEALTH = "health"
    VETERANS = "veterans"
    OTHER = "other"


class Status(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    LIQUIDATED = "liquidated"


STATUS_LABELS = {
    "active": "действует",
    "suspended": "приостановлена",
    "liquidated": "ликвидирована",
}


class Source(StrEnum):
    IMPORTED = "imported"
    STAFF = "staff"
    SELF_REGISTERED = "self_registered"


class Need(StrEnum):
    LEGAL = "legal"
    REPORTING = "reporting"
    PREMISES = "premises"
    PR = "pr"
    GRANTS = "grants"
    OTHER = "other"


NEED_LABELS = {
    "legal": "юридическая помощь",
    "reporting": "отчётность и бухгалтерия",
    "premises": "помещение",
    "pr": "продвижение (PR)",
    "grants": "гранты и проектная работа",
    "other": "другое",
}


class SpecialistKind(StrEnum):
    LAWYER = "lawyer"
    TAX_INSPECTOR = "tax_inspector"
    ECONOMIST = "economist"
    ACCOUNTANT = "accountant"
    PR_SPECIALIST = "pr_specialist"
    ANIMAL_PROTECTION = "animal_protection"
    ECOLOGIST = "ecologist"
    PROJECT_EXPERT = "project_expert"


SPECIALIST_LABELS = {
    "lawyer": "юрист",
    "tax_inspector": "налоговый инспектор",
    "economist": "экономист",
    "accountant": "бухгалтер",
    "pr_specialist": "PR-специалист",
    "animal_protection": "специалист по защите животных",
    "ecologist": "эколог",
    "project_expert": "эксперт по проектам (грантам)",
}


class PersonRole(StrEnum):
    NGO_REPRESENTATIVE = "ngo_representative"
    OFFICIAL = "official"
    ACTIVIST = "activist"
    SPECIALIST = "specialist"
    LIBRARY_STAFF = "library_staff"
    MEDIA = "media"


PERSON_ROLE_LABELS = {
    "ngo_representative": "представитель НКО",
    "official": "представитель ОМС",
    "activist": "активист",
    "specialist": "специалист",
    "library_staff": "сотрудник библиотеки",
    "media": "СМИ",
}


# --- reading the vocabularies from imported tables ------------------------------------------

# ОКОПФ code prefixes of the legal forms (71400 is the АНО code itself).
_OKOPF_PREFIXES = (
    ("71400", LegalForm.ANO),
    ("704", LegalForm.FUND),
    ("202", LegalForm.PUBLIC_ORGANIZATION),
    ("203", LegalForm.PUBLIC_MOVEMENT),
    ("206", LegalForm.ASSOCIATION),
    ("716", LegalForm.RELIGIOUS),
)
# Word stems of the Russian names, checked in this order (a «фонд» may be «общественный»).
_LEGAL_FORM_WORDS = (
    (("автономн",), LegalForm.ANO),
    (("территориальн", "самоуправлен"), LegalForm.TOS),
    (("религиозн",), LegalForm.RELIGIOUS),
    (("фонд",), LegalForm.FUND),
    (("движени",), LegalForm.PUBLIC_MOVEMENT),
    (("ассоциац",), LegalForm.ASSOCIATION),
    (("союз",), LegalForm.ASSOCIATION),
    (("общественн",), LegalForm.PUBLIC_ORGANIZATION),
)
_LEGAL_FORM_ABBREVIATIONS = {"ано": LegalForm.ANO, "тос": LegalForm.TOS}
_AREA_BY_LABEL = {normalise(label): code for code, label in ACTIVITY_AREA_LABELS.items()}


def legal_form_of(value: str) -> tuple[str, str | None]:
    """(legal form code, ОКОПФ code if the value was one) from a code (``public_movement``),
    a Russian name or abbreviation (``Местная общественная организация``, ``АНО``) or an
    ОКОПФ code (``71400``); ``other`` when none fits."""
    raw = value.strip()
    if re.fullmatch(r"\d{5}", raw):
        form = next((f for p, f in _OKOPF_PREFIXES if raw.startswith(p)), LegalForm.OTHER)
        return form.value, raw
    text = normalise(raw.replace("_", " "))
    code = text.replace(" ", "_")
    if code in LegalForm.__members__.values():
        return code, None
    if text in _LEGAL_FORM_ABBREVIATIONS:
        return _LEGAL_FORM_ABBREVIATIONS[text].value, None
    for stems, form in _LEGAL_FORM_WORDS:
        if all(stem in text for stem in stems):
            return form.value, None
    return LegalForm.OTHER.value, None


def status_of(value: str) -> str | None:
    """A status code from a code or the Ministry's wording; ``None`` for an empty cell."""
    text = normalise(value)
    if not text:
        return None
    if text in Status.__members__.values():
        return text
    if "процесс" in text or "приостанов" in text or "реорганиз" in text:
        return Status.SUSPENDED.value
    if "ликвид" in text or "исключ" in text or "прекрат" in text or "прекращ" in text:
        return Status.LIQUIDATED.value
    return Status.ACTIVE.value


def activity_area_of(value: str) -> str:
    """An activity area code from its code (``local_history``) or its Russian label
    (``краеведение``); an unknown value is returned as a code-like word for the
    validation to refuse, naming it."""
    key = normalise(value)
    return _AREA_BY_LABEL.get(key, key.replace(" ", "_"))
