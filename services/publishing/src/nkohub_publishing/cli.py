"""`nkohub publishing …`: imports of the old blog into the publishing database.

No relay runs here: the events of imported posts and views wait in the outbox until the
running publishing service's relay sweeps (every few seconds).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from nkohub_publishing.domain.limits import UPLOAD_MAX_BYTES
from nkohub_publishing.repository import PostRepository, ViewRepository, prepare_storage
from nkohub_publishing.service.imports import ImportService
from nkohub_publishing.service.posts import PostService
from nkohub_publishing.settings import PublishingSettings
from nkohub_shared.errors import DomainError
from nkohub_shared.privacy import use_person_key_secret
from nkohub_shared.storage.mongo import create_client
from nkohub_shared.storage.writer import Outbox

app = typer.Typer(help="The blog «Проект +»: imports.", no_args_is_help=True)
console = Console(stderr=True)

FileArg = Annotated[
    Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="file to import")
]
T = TypeVar("T")


async def _with_imports(work: Callable[[ImportService], Awaitable[T]]) -> T:
    settings = PublishingSettings.load()
    use_person_key_secret(settings.person_key_secret.get_secret_value())
    client = create_client(str(settings.mongodb_url))
    try:
        db = client[settings.database_name]
        await prepare_storage(db)
        outbox = Outbox()
        posts = PostService(PostRepository(db, outbox), settings.base_url)
        return await work(ImportService(posts, ViewRepository(db, outbox)))
    finally:
        await client.close()


def _read(file: Path) -> bytes:
    """The file's bytes, refused before reading when it is over the upload limit."""
    if file.stat().st_size > UPLOAD_MAX_BYTES:
        console.print(f"[red]the file is larger than {UPLOAD_MAX_BYTES // 2**20} MB")
        raise typer.Exit(1)
    return file.read_bytes()


def _run(work: Callable[[ImportService], Awaitable[T]]) -> T:
    try:
        return asyncio.run(_with_imports(work))
    except DomainError as exc:
        console.print(f"[red]{exc.message}")
        raise typer.Exit(1) from None


def _print(report: dict[str, Any]) -> None:
    typer.echo(json.dumps(report, ensure_ascii=False, indent=2, default=str))


@app.command("import-blogger")
def import_blogger(file: FileArg) -> None:
    """Import a Blogger export (Atom XML): posts, labels as tags, dates, old URLs."""
    data = _read(file)
    with Progress(
        TextColumn("[bold]Импорт записей"), BarColumn(), MofNCompleteColumn(), console=console
    ) as progress:
        task = progress.add_task("import", total=None)

        def step(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        report = _run(lambda imports: imports.import_blogger(data, progress=step))
    _print(report.as_dict())


@app.command("import-views")
def import_views(file: FileArg) -> None:
    """Import historical views from a CSV (post URL or slug, date, views)."""
    data = _read(file)
    _print(_run(lambda imports: imports.import_views_csv(data)))
