"""``nkohub registry …``: the registry's commands.

``nkohub registry import FILE [--city Глазов]`` runs the import use case of the service
(``service.imports``) against the registry's own database (the same settings —
``NKOHUB_MONGODB_URL`` etc.). With no relay running here (``Outbox()``), its events wait
in the outbox of the written documents: the running service's relay publishes them on
its next sweep (every few seconds), or the service does at its next start. No HTTP or
staff token is needed; the HTTP upload (``POST /api/v1/organizations/import``) runs the
same use case.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from nkohub_registry.repository import (
    ErasedRepository,
    HistoryRepository,
    OrganizationRepository,
    PeopleRepository,
    prepare,
)
from nkohub_registry.service.imports import ImportReport, import_table
from nkohub_registry.service.organizations import OrganizationService
from nkohub_registry.service.tables import MAX_UPLOAD_BYTES, TableError
from nkohub_registry.settings import RegistrySettings
from nkohub_shared.privacy import use_person_key_secret
from nkohub_shared.storage.mongo import create_client
from nkohub_shared.storage.writer import Outbox

app = typer.Typer(help="Реестр НКО: импорт официальных данных.", no_args_is_help=True)
console = Console()


async def _run(path: Path, city: str | None, progress: Progress) -> ImportReport:
    settings = RegistrySettings.load()
    use_person_key_secret(settings.person_key_secret.get_secret_value())
    client = create_client(str(settings.mongodb_url))
    try:
        db = client[settings.database_name]
        await prepare(db)
        outbox = Outbox()  # no relay here: the running service's sweep publishes
        organizations = OrganizationService(
            OrganizationRepository(db, outbox),
            PeopleRepository(db, outbox),
            HistoryRepository(db),
            ErasedRepository(db),
        )
        task = progress.add_task(f"Импорт {path.name}", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        if path.stat().st_size > MAX_UPLOAD_BYTES:
            raise TableError(f"файл больше {MAX_UPLOAD_BYTES // (1024 * 1024)} МБ")
        return await import_table(
            organizations, path.read_bytes(), filename=path.name, city=city, progress=advance
        )
    finally:
        await client.close()


@app.command("import")
def import_file(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="CSV или XLSX")
    ],
    city: Annotated[
        str | None, typer.Option(help="взять только организации этого города, напр. Глазов")
    ] = None,
) -> None:
    """Import a Ministry of Justice NGO listing or the registry's template (upsert by ОГРН)."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        try:
            report = asyncio.run(_run(file, city, progress))
        except TableError as exc:
            console.print(f"[red]Ошибка:[/red] {exc.message}")
            raise typer.Exit(2) from None
    table = Table(title="Итог импорта")
    table.add_column("создано")
    table.add_column("обновлено")
    table.add_column("без изменений")
    table.add_column("другой город")
    table.add_column("отклонено")
    table.add_row(
        str(report.created),
        str(report.updated),
        str(report.unchanged),
        str(report.skipped_other_city),
        str(len(report.rejected)),
    )
    console.print(table)
    for rejected in report.rejected:
        console.print(f"  строка {rejected.row}: {rejected.reason}")
    console.print(
        "События уйдут в шину при следующем проходе ретранслятора работающего сервиса "
        "(или при его запуске)."
    )
