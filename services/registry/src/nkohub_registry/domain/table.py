"""The registry's table of organizations: the columns of its export (the import
template, with Russian headers) and how a row of an imported table — that template, its
code headers, or the Ministry of Justice listing — becomes field values."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from nkohub_registry.domain.proposals import PROPOSED_FIELDS
from nkohub_registry.domain.vocabulary import activity_area_of, legal_form_of, status_of
from nkohub_registry.domain.words import normalise
from nkohub_shared.tables import FORMULA_LEADS, Column

# The export's columns: the identifier, then every field a caller may set except the
# leader (a person: personal data), in the order of the form, then whether it is verified.
EXPORT_COLUMNS: tuple[Column, ...] = (
    Column("_id", "Идентификатор"),
    Column("full_name", "Полное наименование"),
    Column("short_name", "Сокращённое наименование"),
    Column("legal_form", "Организационно-правовая форма"),
    Column("opf_code", "Код ОКОПФ"),
    Column("ogrn", "ОГРН"),
    Column("inn", "ИНН"),
    Column("kpp", "КПП"),
    Column("registered_on", "Дата регистрации"),
    Column("address", "Адрес"),
    Column("city", "Город"),
    Column("activity_areas", "Направления деятельности"),
    Column("okved", "ОКВЭД"),
    Column("description", "Описание"),
    Column("website", "Сайт"),
    Column("social_links", "Социальные сети"),
    Column("public_phone", "Публичный телефон"),
    Column("public_email", "Публичный e-mail"),
    Column("status", "Статус"),
    Column("socially_oriented", "Социально ориентированная"),
    Column("support_registry", "В реестре получателей поддержки"),
    Column("verified", "Проверено"),
)
# «Проверено»: да for official records (imported, entered or approved by staff), нет for
# what a self-registration states and staff have not approved. An import skips rows
# marked нет: a proposal's values never become official data through a table.
VERIFIED = "verified"
PROPOSAL_COLUMNS: tuple[Column, ...] = tuple(
    c for c in EXPORT_COLUMNS if c.key in {"_id", VERIFIED, *PROPOSED_FIELDS}
)

# Header (normalised) → field: the template's code headers, the Ministry of Justice
# listing's headers, and the export's Russian headers. Other columns are ignored.
HEADER_FIELDS: dict[str, str] = {
    **{c.key: c.key for c in EXPORT_COLUMNS if c.key != "_id"},
    "name": "full_name",
    "наименование": "full_name",
    "egrul_date": "registered_on",
    "regdate": "registered_on",
    "region": "region",
    "регион": "region",
    "opf": "legal_form",
    "опф": "legal_form",
    "okopf": "opf_code",
    **{normalise(c.title): c.key for c in EXPORT_COLUMNS if c.key != "_id"},
}
LIST_FIELDS = {"activity_areas", "okved", "social_links"}
BOOL_FIELDS = {"socially_oriented", "support_registry", VERIFIED}
_LIST_SEPARATORS = re.compile(r"[;,\n]")
_CITY_IN_ADDRESS = re.compile(r"(?:^|[\s,])г(?:ород|\.)?\s*([А-ЯЁA-Z][А-ЯЁа-яёA-Za-z\-]+)")
_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%Y-%m-%dT%H:%M:%S", "%d.%m.%y")


def header_field(name: Any) -> str | None:
    """The field a column header names, or ``None`` for a column the import ignores."""
    key = normalise(str(name or "")).replace("_", " ")
    return HEADER_FIELDS.get(key) or HEADER_FIELDS.get(key.replace(" ", "_"))


def unescape_formula(text: str) -> str:
    """A cell as it was before the export escaped it (``'=…`` → ``=…``), so an exported
    file imports back unchanged."""
    return text[1:] if text.startswith("'") and text[1:2].startswith(FORMULA_LEADS) else text


def date_of(value: Any) -> Any:
    """A date from a spreadsheet date or ``2015-03-12`` / ``12.03.2015`` / ``12.03.15``;
    any other text is returned as it is, for the validation to refuse naming the field."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return text


def bool_of(value: Any) -> Any:
    """да/нет, true/false, 1/0, yes/no; other text is returned for the validation to refuse."""
    if isinstance(value, bool):
        return value
    text = normalise(str(value))
    if text in {"да", "true", "1", "yes", "д"}:
        return True
    if text in {"нет", "false", "0", "no", "н"}:
        return False
    return text


def city_of(values: dict[str, Any]) -> str | None:
    """The city column, else the city named in the address (``г. Глазов``)."""
    if values.get("city"):
        return str(values["city"]).strip()
    match = _CITY_IN_ADDRESS.search(str(values.get("address") or ""))
    return match.group(1) if match else None


def row_values(header: list[str | None], cells: list[Any]) -> dict[str, Any]:
    """Raw cells of a row → candidate field values (validated by the caller)."""
    values: dict[str, Any] = {}
    for name, cell in zip(header, cells, strict=False):
        if name is None or cell is None:
            continue
        if isinstance(cell, float) and cell.is_integer():
            cell = int(cell)
        text = cell if isinstance(cell, date | bool) else unescape_formula(str(cell)).strip()
        if text == "":
            continue
        if name == "legal_form":
            values["legal_form"], code = legal_form_of(str(text))
            if code:
                values.setdefault("opf_code", code)
        elif name == "status":
            values["status"] = status_of(str(text))
        elif name == "registered_on":
            values[name] = date_of(text)
        elif name in BOOL_FIELDS:
            values[name] = bool_of(text)
        elif name in LIST_FIELDS:
            items = [i.strip() for i in _LIST_SEPARATORS.split(str(text)) if i.strip()]
            values[name] = (
                [activity_area_of(i) for i in items] if name == "activity_areas" else items
            )
        elif name in {"ogrn", "inn", "opf_code"}:
            values[name] = str(text).split(".")[0] if isinstance(cell, int | float) else text
        else:
            values[name] = text
    values.pop("region", None)
    return {k: v for k, v in values.items() if v is not None}
