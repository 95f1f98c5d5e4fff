"""The ``nkohub`` command. Services add their own sub-commands through the
``nkohub.cli`` entry-point group (e.g. ``nkohub registry import FILE``)."""

from __future__ import annotations

from datetime import timedelta
from importlib.metadata import entry_points
from pathlib import Path
from typing import Annotated

import typer

from nkohub_contracts import load_all_contracts
from nkohub_contracts.compatibility import freeze as freeze_schema
from nkohub_shared.asyncapi import (
    ASYNCAPI_PAGE_PATH,
    ASYNCAPI_PATH,
    render_asyncapi,
    render_asyncapi_html,
    render_asyncapi_json,
)
from nkohub_shared.catalogue import CATALOGUE_PATH, render_catalogue
from nkohub_shared.cli_backup import backup as backup_command
from nkohub_shared.cli_backup import restore as restore_command
from nkohub_shared.cli_dead_letters import app as dead_letters_app
from nkohub_shared.keys import env_block
from nkohub_shared.settings import ENV_PREFIX
from nkohub_shared.tokens import Role, issue_token

app = typer.Typer(help="nkohub: the platform of a city's NGO community.", no_args_is_help=True)
app.add_typer(dead_letters_app, name="dead-letters")
app.command(name="backup")(backup_command)
app.command(name="restore")(restore_command)


@app.command()
def token(
    sub: Annotated[str, typer.Option(help="who the token is for, e.g. librarian")],
    role: Annotated[Role, typer.Option(help="admin or staff")] = Role.STAFF,
    hours: Annotated[float, typer.Option(min=0.01, max=168, help="lifetime in hours")] = 12.0,
    key: Annotated[
        str | None,
        typer.Option(
            envvar=f"{ENV_PREFIX}STAFF_TOKEN_PRIVATE_KEY",
            help="Ed25519 private key (base64url)",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Print a staff token signed with NKOHUB_STAFF_TOKEN_PRIVATE_KEY (services verify it
    with the public key; a token may live no longer than they allow, 12 h by default)."""
    if not key:
        typer.echo(f"{ENV_PREFIX}STAFF_TOKEN_PRIVATE_KEY must be set (nkohub secrets)", err=True)
        raise typer.Exit(2)
    try:
        typer.echo(issue_token(key, sub=sub, role=role, ttl=timedelta(hours=hours)))
    except ValueError as exc:
        typer.echo(f"{ENV_PREFIX}STAFF_TOKEN_PRIVATE_KEY is malformed: {exc}", err=True)
        raise typer.Exit(2) from None


@app.command()
def secrets() -> None:
    """Print fresh keys and secrets for every purpose, as lines for a .env file."""
    typer.echo(env_block())


@app.command()
def catalogue(
    write: Annotated[
        bool, typer.Option(help="rewrite docs/events.md, docs/asyncapi.json and .html")
    ] = False,
    freeze: Annotated[
        bool, typer.Option(help="freeze schemas of versions not frozen yet (docs/event-schemas)")
    ] = False,
    path: Path = CATALOGUE_PATH,
    asyncapi_path: Path = ASYNCAPI_PATH,
) -> None:
    """Print the event catalogue, or write it to docs/events.md together with the
    platform's AsyncAPI document, docs/asyncapi.json (both generated from the code)."""
    text = render_catalogue()
    if freeze:
        for model in load_all_contracts().values():
            written = freeze_schema(model)
            if written:
                typer.echo(f"froze {written}")
    if write:
        path.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {path}")
        document = render_asyncapi()
        asyncapi_path.write_text(render_asyncapi_json(document), encoding="utf-8")
        page = asyncapi_path.with_name(ASYNCAPI_PAGE_PATH.name)
        page.write_text(render_asyncapi_html(document), encoding="utf-8")
        typer.echo(f"wrote {asyncapi_path} and {page}")
    else:
        typer.echo(text)


def _add_service_commands() -> None:
    for entry in entry_points(group="nkohub.cli"):
        try:
            app.add_typer(entry.load(), name=entry.name)
        except Exception as exc:  # one broken plugin must not take `nkohub token` down
            typer.echo(f"nkohub: commands of {entry.name!r} unavailable: {exc!r}", err=True)


def main() -> None:
    _add_service_commands()
    app()


if __name__ == "__main__":
    main()
