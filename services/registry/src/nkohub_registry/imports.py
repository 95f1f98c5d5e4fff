"""Import of official data: the Ministry of Justice NGO listing or the registry's own
template (CSV in UTF-8 or windows-1251, or XLSX), upserted by ОГРН.

- a row is validated on its own: a broken row is reported (row number, reason) and the
  rest goes on; a file that is not a table gets one ``TableError``;
- an existing organization (same ОГРН) gets only the fields staff did not edit by hand,
  and only when they differ: the same file imported twice changes nothing;
- events (registered/updated/deactivated) go through the outbox with each write.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from charset_normalizer import from_bytes
from pydantic import ValidationError

from nkohub_registry.domain.organizations import OrganizationCreate, OrganizationPatch, normalise
from nkohub_registry.domain.vocabulary import ACTIVITY_AREA_LABELS, Source
from nkohub_registry.service import RegistryService
from nkohub_shared.errors import Conflict

MAX_ROWS = 100_000


class TableError(ValueError):
    """The file is not a table the registry can read (one clear message)."""


# Column names (normalised) → field. Ministry of Justice listing and our own template.
COLUMNS: dict[str, str] = {
    "full_name": "full_name",
    "name": "full_name",
    "полное наименование": "full_name",
    "наименование": "full_name",
    "short_name": "short_name",
    "сокращенное наименование": "short_name",
    "ogrn": "ogrn",
    "огрн": "ogrn",
    "inn": "inn",
    "инн": "inn",
    "kpp": "kpp",
    "кпп": "kpp",
    "egrul_date": "registered_on",
    "registered_on": "registered_on",
    "regdate": "registered_on",
    "дата регистрации": "registered_on",
    "address": "address",
    "адрес": "address",
    "city": "city",
    "город": "city",
    "region": "region",
    "регион": "region",
    "opf": "legal_form",
    "legal_form": "legal_form",
    "организационно правовая форма": "legal_form",
    "опф": "legal_form",
    "opf_code": "opf_code",
    "okopf": "opf_code",
    "status": "status",
    "статус": "status",
    "activity_areas": "activity_areas",
    "направления деятельности": "activity_areas",
    "okved": "okved",
    "оквэд": "okved",
    "description": "description",
    "описание": "description",
    "website": "website",
    "сайт": "website",
    "social_links": "social_links",
    "public_phone": "public_phone",
    "public_email": "public_email",
    "socially_oriented": "socially_oriented",
    "support_registry": "support_registry",
}
LIST_FIELDS = {"activity_areas", "okved", "social_links"}
BOOL_FIELDS = {"socially_oriented", "support_registry"}
_CITY_IN_ADDRESS = re.compile(r"(?:^|[\s,])г(?:ород|\.)?\s*([А-ЯЁA-Z][А-ЯЁа-яёA-Za-z\-]+)")
_AREA_BY_LABEL = {normalise(label): code for code, label in ACTIVITY_AREA_LABELS.items()}


@dataclass
class Rejected:
    row: int
    reason: str


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped_other_city: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    created_ids: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped_other_city": self.skipped_other_city,
            "rejected": [{"row": r.row, "reason": r.reason} for r in self.rejected],
        }


# --- reading tables -------------------------------------------------------------------------


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM) or a Cyrillic single-byte encoding, detected."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data, cp_isolation=["cp1251", "koi8_r", "cp866", "utf_8"]).best()
    if best is None:
        raise TableError("не удалось определить кодировку файла (ожидается UTF-8 или windows-1251)")
    return str(best)


def read_rows(data: bytes, filename: str = "") -> Iterator[tuple[int, list[Any]]]:
    """(row number as the user sees it, cells) for every non-empty row, header first."""
    if data[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx"):
        yield from _xlsx_rows(data)
        return
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise TableError("формат XLS не поддерживается: сохраните файл как XLSX или CSV")
    if b"\x00" in data[:4096]:
        raise TableError("файл не похож на таблицу CSV или XLSX")
    text = decode_text(data)
    header_line = text.lstrip().split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=header_line.count)  # the header's separator
    for number, cells in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
        if any(str(c).strip() for c in cells):
            yield number, cells


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise TableError(f"файл XLSX не читается: {exc.__class__.__name__}") from None
    sheet = book.worksheets[0]
    for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
        if any(c is not None and str(c).strip() for c in cells):
            yield number, list(cells)
    book.close()


# --- mapping a row to fields ----------------------------------------------------------------


def _header_field(name: Any) -> str | None:
    key = normalise(str(name or "")).replace("_", " ")
    return COLUMNS.get(key) or COLUMNS.get(key.replace(" ", "_"))


def legal_form_of(value: str) -> tuple[str, str | None]:
    """(legal form code, ОКОПФ code if the value was one) from a name, a code or ОКОПФ."""
    raw = value.strip()
    if re.fullmatch(r"\d{5}", raw):
        code = raw
        if code == "71400":
            return "ano", code
        if code.startswith("704"):
            return "fund", code
        if code.startswith("202"):
            return "public_organization", code
        if code.startswith("203"):
            return "public_movement", code
        if code.startswith("206"):
            return "association", code
        if code.startswith("716"):
            return "religious", code
        return "other", code
    text = normalise(raw.replace("_", " "))
    if text in {"ano", "fund", "public organization", "public movement", "association", "tos"}:
        return text.replace(" ", "_"), None
    if text in {"religious", "other"}:
        return text, None
    if "автономн" in text or text == "ано":
        return "ano", None
    if ("территориальн" in text and "самоуправлен" in text) or text == "тос":
        return "tos", None
    if "религиозн" in text:
        return "religious", None
    if "фонд" in text:
        return "fund", None
    if "движени" in text:
        return "public_movement", None
    if "ассоциац" in text or "союз" in text:
        return "association", None
    if "общественн" in text:
        return "public_organization", None
    return "other", None


def status_of(value: str) -> str | None:
    text = normalise(value)
    if not text:
        return None
    if text in {"active", "suspended", "liquidated"}:
        return text
    if "процесс" in text or "приостанов" in text or "реорганиз" in text:
        return "suspended"
    if "ликвид" in text or "исключ" in text or "прекрат" in text:
        return "liquidated"
    return "active"


def _date(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%Y-%m-%dT%H:%M:%S", "%d.%m.%y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return text  # pydantic names the field


def _bool(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    text = normalise(str(value))
    if text in {"да", "true", "1", "yes", "д"}:
        return True
    if text in {"нет", "false", "0", "no", "н"}:
        return False
    return text


def _area(value: str) -> str:
    key = normalise(value)
    return _AREA_BY_LABEL.get(key, key.replace(" ", "_"))


def city_of(values: dict[str, Any]) -> str | None:
    if values.get("city"):
        return str(values["city"]).strip()
    match = _CITY_IN_ADDRESS.search(str(values.get("address") or ""))
    return match.group(1) if match else None


def row_values(header: list[str | None], cells: list[Any]) -> dict[str, Any]:
    """Raw cells of a row → candidate field values (not validated yet)."""
    values: dict[str, Any] = {}
    for name, cell in zip(header, cells, strict=False):
        if name is None or cell is None:
            continue
        if isinstance(cell, float) and cell.is_integer():
            cell = int(cell)
        text = cell if isinstance(cell, date | bool) else str(cell).strip()
        if text == "":
            continue
        if name == "legal_form":
            values["legal_form"], code = legal_form_of(str(text))
            if code:
                values.setdefault("opf_code", code)
        elif name == "status":
            values["status"] = status_of(str(text))
        elif name == "registered_on":
            values[name] = _date(text)
        elif name in BOOL_FIELDS:
            values[name] = _bool(text)
        elif name in LIST_FIELDS:
            items = [i.strip() for i in re.split(r"[;,\n]", str(text)) if i.strip()]
            values[name] = [_area(i) for i in items] if name == "activity_areas" else items
        elif name in {"ogrn", "inn", "opf_code"}:
            values[name] = str(text).split(".")[0] if isinstance(cell, int | float) else text
        else:
            values[name] = text
    values.pop("region", None)
    return {k: v for k, v in values.items() if v is not None}


def _reason(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "строка"
        message = str(err.get("msg", "")).removeprefix("Value error, ")
        parts.append(f"{where}: {message}")
    return "; ".join(parts)


# --- the import -----------------------------------------------------------------------------


async def import_table(
    service: RegistryService,
    data: bytes,
    *,
    filename: str = "",
    city: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Upsert every row by ОГРН; see the module docstring for the rules."""
    rows = list(read_rows(data, filename))
    if not rows:
        raise TableError("файл пуст: нет ни заголовка, ни строк")
    if len(rows) > MAX_ROWS + 1:
        raise TableError(f"слишком много строк: больше {MAX_ROWS}")
    _, header_cells = rows[0]
    header = [_header_field(c) for c in header_cells]
    if "ogrn" not in header or "full_name" not in header:
        raise TableError(
            "не найдены столбцы ОГРН (ogrn) и наименования (full_name): "
            "файл не похож на выгрузку Минюста или шаблон реестра"
        )
    wanted_city = normalise(city) if city else None
    report = ImportReport()
    seen: dict[str, int] = {}
    body = rows[1:]
    for done, (number, cells) in enumerate(body, start=1):
        try:
            await _import_row(service, number, header, cells, wanted_city, seen, report)
        finally:
            if progress:
                progress(done, len(body))
    return report


async def _import_row(
    service: RegistryService,
    number: int,
    header: list[str | None],
    cells: list[Any],
    wanted_city: str | None,
    seen: dict[str, int],
    report: ImportReport,
) -> None:
    values = row_values(header, cells)
    row_city = city_of(values)
    if wanted_city and normalise(row_city or "") != wanted_city:
        report.skipped_other_city += 1
        return
    if row_city and "city" not in values:
        values["city"] = row_city
    try:
        patch = OrganizationPatch.model_validate(values)
    except ValidationError as exc:
        report.rejected.append(Rejected(number, _reason(exc)))
        return
    if not patch.ogrn:
        report.rejected.append(Rejected(number, "ogrn: не указан ОГРН"))
        return
    if patch.ogrn in seen:
        report.rejected.append(
            Rejected(number, f"ogrn: ОГРН {patch.ogrn} уже был в строке {seen[patch.ogrn]}")
        )
        return
    existing = await service.organizations.by_ogrn(patch.ogrn)
    try:
        if existing is None:
            try:
                create = OrganizationCreate.model_validate(
                    {"legal_form": "other", **patch.model_dump(exclude_unset=True)}
                )
            except ValidationError as exc:
                report.rejected.append(Rejected(number, _reason(exc)))
                return
            doc = await service.create(create, source=Source.IMPORTED)
            seen[patch.ogrn] = number
            report.created += 1
            report.created_ids.append(doc["_id"])
            return
        _, changed = await service.change(existing["_id"], patch.changes(), by_hand=False)
    except Conflict as exc:
        report.rejected.append(Rejected(number, f"{exc.field}: {exc.message}"))
        return
    seen[patch.ogrn] = number
    if changed:
        report.updated += 1
    else:
        report.unchanged += 1
