"""Import of official data: the Ministry of Justice NGO listing or the registry's own
template (its export: Russian or code headers), upserted by ОГРН.

- a row is validated on its own: a broken row is reported (row number, reason) and the
  rest goes on; a file that is not a table gets one ``TableError``;
- an existing organization (same ОГРН) gets only the fields staff did not edit by hand,
  and only when they differ: the same file imported twice changes nothing, and neither
  does an exported file imported back;
- events (registered/updated/deactivated) go through the outbox with each write;
- the file is read in a thread (the event loop keeps serving), at most ``MAX_ROWS`` rows;
- a row marked «Проверено: нет» (a self-registration in an export) is refused: what a
  self-registration states becomes official only through staff approval;
- a public e-mail that belongs to a person who had their data erased is not stored.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from nkohub_registry.domain.organizations import OrganizationCreate, OrganizationPatch
from nkohub_registry.domain.table import VERIFIED, city_of, header_field, row_values
from nkohub_registry.domain.vocabulary import Source
from nkohub_registry.domain.words import normalise
from nkohub_registry.service.organizations import OrganizationService
from nkohub_registry.service.tables import MAX_ROWS, TableError, load_rows
from nkohub_shared.errors import Conflict


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

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped_other_city": self.skipped_other_city,
            "rejected": [{"row": r.row, "reason": r.reason} for r in self.rejected],
        }


def _reason(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "строка"
        message = str(err.get("msg", "")).removeprefix("Value error, ")
        parts.append(f"{where}: {message}")
    return "; ".join(parts)


async def import_table(
    organizations: OrganizationService,
    data: bytes,
    *,
    filename: str = "",
    city: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    max_rows: int = MAX_ROWS,
    actor: str | None = None,
) -> ImportReport:
    """Upsert every row by ОГРН; see the module docstring for the rules. ``actor``: the
    staff member who uploaded the file (each record it creates or changes says so)."""
    rows = await asyncio.to_thread(load_rows, data, filename, max_rows)
    if not rows:
        raise TableError("файл пуст: нет ни заголовка, ни строк")
    _, header_cells = rows[0]
    header = [header_field(c) for c in header_cells]
    if "ogrn" not in header or "full_name" not in header:
        raise TableError(
            "не найдены столбцы ОГРН (ogrn) и наименования (full_name): "
            "файл не похож на выгрузку Минюста или шаблон реестра"
        )
    run = _Import(organizations, normalise(city) if city else None, actor)
    body = rows[1:]
    for done, (number, cells) in enumerate(body, start=1):
        try:
            await run.row(number, row_values(header, cells))
        finally:
            if progress:
                progress(done, len(body))
    return run.report


class _Import:
    """One import run: its report and the ОГРН seen so far (a repeated one is refused)."""

    def __init__(
        self, organizations: OrganizationService, wanted_city: str | None, actor: str | None
    ) -> None:
        self.organizations = organizations
        self.actor = actor
        self.wanted_city = wanted_city
        self.report = ImportReport()
        self.seen: dict[str, int] = {}

    def _reject(self, number: int, reason: str) -> None:
        self.report.rejected.append(Rejected(number, reason))

    async def row(self, number: int, values: dict[str, Any]) -> None:
        row_city = city_of(values)
        if self.wanted_city and normalise(row_city or "") != self.wanted_city:
            self.report.skipped_other_city += 1
            return
        if row_city and "city" not in values:
            values["city"] = row_city
        if values.pop(VERIFIED, True) is not True:
            return self._reject(number, "Проверено: нет — данные самостоятельной регистрации")
        try:
            patch = OrganizationPatch.model_validate(values)
        except ValidationError as exc:
            return self._reject(number, _reason(exc))
        if not patch.ogrn:
            return self._reject(number, "ogrn: не указан ОГРН")
        if patch.public_email and await self.organizations.email_erased(patch.public_email):
            patch.public_email = None
            patch.model_fields_set.discard("public_email")
        if patch.ogrn in self.seen:
            return self._reject(
                number, f"ogrn: ОГРН {patch.ogrn} уже был в строке {self.seen[patch.ogrn]}"
            )
        try:
            changed = await self._upsert(patch.ogrn, patch)
        except ValidationError as exc:
            return self._reject(number, _reason(exc))
        except Conflict as exc:
            return self._reject(number, f"{exc.field}: {exc.message}")
        self.seen[patch.ogrn] = number
        if changed is None:
            self.report.created += 1
        elif changed:
            self.report.updated += 1
        else:
            self.report.unchanged += 1

    async def _upsert(self, ogrn: str, patch: OrganizationPatch) -> list[str] | None:
        """Create (``None``) or change the organization with this ОГРН (the changed fields)."""
        existing = await self.organizations.by_ogrn(ogrn)
        if existing is None:
            create = OrganizationCreate.model_validate(
                {"legal_form": "other", **patch.model_dump(exclude_unset=True)}
            )
            await self.organizations.create(
                create, source=Source.IMPORTED, actor=self.actor, action="imported"
            )
            return None
        _, changed = await self.organizations.change(
            existing["_id"], patch.changes(), by_hand=False, actor=self.actor, action="imported"
        )
        return changed
