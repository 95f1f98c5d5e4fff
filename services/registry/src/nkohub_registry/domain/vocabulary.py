"""Controlled vocabularies with their Russian labels."""

from __future__ import annotations

from enum import StrEnum

from nkohub_shared.contracts.vocabulary import ACTIVITY_AREA_LABELS, LEGAL_FORM_LABELS

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
