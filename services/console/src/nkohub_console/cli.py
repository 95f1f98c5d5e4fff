"""`nkohub console …`: the first admin account, from the command line.

    nkohub console create-admin --name "Анна Петрова" --email anna@library.ru

asks for the password twice (or reads ``NKOHUB_CONSOLE_ADMIN_PASSWORD``, for scripts) and
writes the account into the console's database (the same settings as the console:
``NKOHUB_MONGODB_URL``, …).
"""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from nkohub_console.context import ConsoleContext
from nkohub_console.repository import INDEXES
from nkohub_console.settings import ConsoleSettings
from nkohub_shared.errors import DomainError
from nkohub_shared.privacy import use_person_key_secret
from nkohub_shared.storage.mongo import create_client, ensure_indexes

app = typer.Typer(help="The staff console: accounts.", no_args_is_help=True)


@app.callback()
def _group() -> None:
    """The staff console."""


async def _create_admin(name: str, email: str, password: str) -> str:
    settings = ConsoleSettings.load()
    use_person_key_secret(settings.person_key_secret.get_secret_value())
    client = create_client(str(settings.mongodb_url))
    try:
        db = client[settings.database_name]
        await ensure_indexes(db, INDEXES)
        ctx = ConsoleContext.build(settings, db)
        try:
            account = await ctx.accounts.create_admin(name, email, password)
        finally:
            await ctx.http.aclose()
        return f"{account['email']} ({account['_id']})"
    finally:
        await client.close()


@app.command("create-admin")
def create_admin(
    name: Annotated[str, typer.Option(help="the admin's name, as pages show it")],
    email: Annotated[str, typer.Option(help="the login address")],
    password: Annotated[
        str,
        typer.Option(
            envvar="NKOHUB_CONSOLE_ADMIN_PASSWORD",
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            help="asked for when not given",
        ),
    ],
) -> None:
    """Create an admin account of the console (the first one, or another)."""
    try:
        created = asyncio.run(_create_admin(name, email, password))
    except DomainError as exc:
        typer.echo(f"не создано: {exc.message} ({exc.field})", err=True)
        raise typer.Exit(1) from None
    except ValueError as exc:
        typer.echo(f"не создано: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"создан администратор {created}")
