"""The public forms' errors in Russian, next to the field they concern."""

from __future__ import annotations

from pydantic import ValidationError

MESSAGES = {
    "name": {
        "missing": "Напишите, как к вам обращаться.",
        "string_too_short": "Напишите, как к вам обращаться.",
        "string_too_long": "Слишком длинно: не больше 100 знаков.",
        "value_error": "Имя пишется без ссылок и разметки (без < > / : @ & # % = ?).",
    },
    "email": {
        "missing": "Укажите адрес электронной почты.",
        "value_error": "Проверьте адрес: он должен выглядеть как name@example.ru.",
    },
    "topics": {
        "missing": "Выберите хотя бы одну тему.",
        "too_short": "Выберите хотя бы одну тему.",
    },
    "consent": {
        "missing": "Без согласия на рассылку мы не можем вам писать.",
        "literal_error": "Без согласия на рассылку мы не можем вам писать.",
    },
}
FALLBACK = "Проверьте это поле."


def subscribe_errors(exc: ValidationError) -> dict[str, str]:
    """The first error of each field of the subscription form, as a Russian sentence."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        field = str(error["loc"][0]) if error.get("loc") else "form"
        if field in errors:
            continue
        kind = str(error.get("type", ""))
        if kind == "value_error" and field == "email" and not error.get("input"):
            kind = "missing"
        errors[field] = MESSAGES.get(field, {}).get(kind, FALLBACK)
    return errors
