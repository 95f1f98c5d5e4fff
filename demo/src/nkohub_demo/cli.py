"""``nkohub demo season-2019``: the library's 2019 season on a running platform."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Annotated

import httpx
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from nkohub_demo.season import LABELS, PASSPORT, DemoRefused, Endpoints, Season, _meetups, _rows
from nkohub_shared.settings import ENV_PREFIX
from nkohub_shared.tokens import Role, issue_token

app = typer.Typer(help="Demonstrations on a running platform.", no_args_is_help=True)
console = Console()


@app.command("season-2019")
def season_2019(
    registry: Annotated[str, typer.Option(help="registry service URL")] = "http://127.0.0.1:8001",
    events: Annotated[str, typer.Option(help="events service URL")] = "http://127.0.0.1:8002",
    publishing: Annotated[
        str, typer.Option(help="publishing service URL")
    ] = "http://127.0.0.1:8004",
    token: Annotated[
        str | None, typer.Option(help="staff token (default: one signed with the private key)")
    ] = None,
    key: Annotated[
        str | None,
        typer.Option(envvar=f"{ENV_PREFIX}STAFF_TOKEN_PRIVATE_KEY", show_default=False),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
) -> None:
    """Bring in the Glazov library's 2019 season from the files the demo ships, through the
    public HTTP APIs, then print the practice report for 2019."""
    if token is None:
        if not key:
            console.print(f"[red]give --token, or set {ENV_PREFIX}STAFF_TOKEN_PRIVATE_KEY[/red]")
            raise typer.Exit(2)
        token = issue_token(key, sub="demo-season-2019", role=Role.STAFF, ttl=timedelta(hours=2))
    endpoints = Endpoints(registry.rstrip("/"), events.rstrip("/"), publishing.rstrip("/"), token)
    try:
        report = asyncio.run(_run(endpoints))
    except DemoRefused as exc:
        console.print(f"[red]refused:[/red] {exc}")
        raise typer.Exit(3) from None
    figures = report["indicators"]
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False))
        return
    table = Table(title=f"Практика «Открытое общение»: итоги {report['from']} — {report['to']}")
    table.add_column("показатель")
    table.add_column("по записям системы", justify="right")
    table.add_column("паспорт практики", justify="right")
    for key, label in LABELS.items():
        table.add_row(label, str(figures[key]), str(PASSPORT[key]))
    console.print(table)
    differing = [k for k in PASSPORT if figures[k] != PASSPORT[k]]
    if differing:
        console.print(f"[red]differs from the passport: {', '.join(differing)}[/red]")
        raise typer.Exit(1)


async def _run(endpoints: Endpoints) -> dict:
    organizations = _rows("organizations.csv")
    steps = 1 + len(_rows("needs-survey.csv")) + len(_meetups()["meetups"]) + 2
    async with httpx.AsyncClient(timeout=120) as client:
        season = Season(endpoints, client)
        await season.check_empty_or_ours()
        with Progress(
            TextColumn("{task.description:<28}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=console,
            transient=False,
        ) as progress:
            task = progress.add_task("сезон 2019", total=steps)

            def step(description: str, advance: int) -> None:
                progress.update(task, description=description, advance=advance)

            await season.organizations(step)
            await season.needs(step)
            step("ждём: НКО в сервисе встреч", 0)
            await season.wait_for_events_read_model(len(organizations))
            await season.meetups(step)
            await season.blog(step)
            step("ждём: события блога", 0)
            return await season.report()
