"""`nkohub publishing …`: imports of the old blog into the publishing database.

The events of imported posts and views wait in the outbox; the running publishing
service's relay publishes them (it sweeps every few seconds).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

app = typer.Typer(help="The blog «Проект +»: imports.", no_args_is_help=True)
console = Console(stderr=True)

FileArg = Annotated[
    Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="file to import")
]


async def _with_context(work: Callable[[Any], Awaitable[Any]]) -> Any:
    from nkohub_publishing.app import build_runtime
    from nkohub_publishing.settings import PublishingSettings
    from nkohub_shared.storage.mongo import ensure_indexes

    runtime = build_runtime(PublishingSettings.load())
    try:
        await ensure_indexes(runtime.db, runtime.indexes)
        return await work(runtime.context)
    finally:
        await runtime.client.close()


def _print(report: dict[str, Any]) -> None:
    typer.echo(json.dumps(report, ensure_ascii=False, indent=2, default=str))


@app.command("import-blogger")
def import_blogger(file: FileArg) -> None:
    """Import a Blogger export (Atom XML): posts, labels as tags, dates, old URLs."""
    from nkohub_publishing import imports
    from nkohub_shared.errors import DomainError

    data = file.read_bytes()
    with Progress(
        TextColumn("[bold]Импорт записей"), BarColumn(), MofNCompleteColumn(), console=console
    ) as progress:
        task = progress.add_task("import", total=None)

        def step(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        try:
            report = asyncio.run(
                _with_context(lambda ctx: imports.import_blogger(ctx, data, progress=step))
            )
        except DomainError as exc:
            console.print(f"[red]{exc.message}")
            raise typer.Exit(1) from None
    _print(report.as_dict())


@app.command("import-views")
def import_views(file: FileArg) -> None:
    """Import historical views from a CSV (post URL or slug, date, views)."""
    from nkohub_publishing import imports
    from nkohub_shared.errors import DomainError

    data = file.read_bytes()
    try:
        report = asyncio.run(_with_context(lambda ctx: imports.import_views_csv(ctx, data)))
    except DomainError as exc:
        console.print(f"[red]{exc.message}")
        raise typer.Exit(1) from None
    _print(report)
