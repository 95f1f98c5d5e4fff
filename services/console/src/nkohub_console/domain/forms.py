"""What a form shows back after a refusal: the message next to each field it names, and
what the person typed (never lost)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# Messages of the services' refusals that reach people often, in Russian.
KNOWN_MESSAGES = {
    "Field required": "обязательное поле",
    "field required": "обязательное поле",
    "the meetup must end after it starts": "встреча должна закончиться после начала",
    "reserved seats must be fewer than the capacity": "резерв должен быть меньше числа мест",
    "registration must close after it opens": "регистрация должна закрыться после открытия",
    "a meetup in the past cannot be published; complete it instead": (
        "прошедшую встречу нельзя опубликовать — завершите её"
    ),
    "the meetup has not started yet": "встреча ещё не началась",
    "a draft meetup cannot be completed": "черновик нельзя завершить",
}


def russian(message: str) -> str:
    return KNOWN_MESSAGES.get(message, message)


@dataclass
class FormErrors:
    """Field → message; ``general`` for what names no field."""

    fields: dict[str, str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def add(self, name: str | None, message: str) -> None:
        message = russian(message)
        if name:
            self.fields.setdefault(name, message)
        else:
            self.general.append(message)

    def __bool__(self) -> bool:
        return bool(self.fields or self.general)

    def get(self, name: str) -> str | None:
        return self.fields.get(name)


def from_refusal(
    field_name: str | None,
    message: str,
    fields: Iterable[Mapping[str, Any]] = (),
    aliases: Mapping[str, str] | None = None,
) -> FormErrors:
    """The errors of a service's refusal (``{"error": {field, message, fields}}``), with
    its field names mapped to the form's (``aliases``: service field → form field)."""
    aliases = aliases or {}
    errors = FormErrors()
    listed = list(fields)
    for item in listed:
        name = str(item.get("field") or "")
        errors.add(aliases.get(name, name) or None, str(item.get("message") or ""))
    if not listed:
        errors.add(aliases.get(field_name or "", field_name), message)
    return errors
