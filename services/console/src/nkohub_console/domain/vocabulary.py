"""Words the pages show for the services' codes (the services own the codes; the
organization vocabularies come with the shared contracts)."""

from __future__ import annotations

from nkohub_contracts.vocabulary import ACTIVITY_AREA_LABELS, LEGAL_FORM_LABELS

PARTICIPANT_ROLES = {
    "ngo_representative": "представитель НКО",
    "official": "представитель ОМС",
    "activist": "активист",
    "specialist": "специалист",
    "media": "СМИ",
    "other": "другое",
}
SPECIALTIES = {
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
MEETUP_STATUSES = {
    "draft": "черновик",
    "scheduled": "опубликована",
    "completed": "завершена",
    "cancelled": "отменена",
}
MEETUP_KINDS = {
    "meetup": "митап",
    "unscheduled_meeting": "внеплановая встреча",
    "consultation_day": "день консультаций",
}
PROGRAM_KINDS = {
    "talk": "выступление",
    "ngo_presentation": "презентация НКО",
    "consultation_block": "консультации",
    "qa_session": "вопросы и ответы",
    "networking": "общение",
}
REGISTRATION_STATUSES = {
    "pending": "оформляется",
    "confirmed": "подтверждена",
    "waitlisted": "в листе ожидания",
    "cancelled": "отменена",
    "no_show": "не пришёл(ла)",
}
QUESTION_STATUSES = {
    "submitted": "ждёт модерации",
    "approved": "одобрен",
    "answered": "есть ответ",
    "rejected": "отклонён",
    "merged": "объединён",
}
POST_STATUSES = {
    "draft": "черновик",
    "scheduled": "запланирована",
    "published": "опубликована",
    "archived": "в архиве",
}
MESSAGE_STATUSES = {
    "queued": "в очереди",
    "sending": "отправляется",
    "sent": "отправлено",
    "failed": "не доставлено",
    "suppressed": "не отправлялось",
    "skipped": "пропущено",
}
LEGAL_FORMS = LEGAL_FORM_LABELS
ACTIVITY_AREAS = ACTIVITY_AREA_LABELS


def label(labels: dict[str, str], code: object) -> str:
    return labels.get(str(code), str(code or ""))
