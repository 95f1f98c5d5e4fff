"""``nkohub backup DIR`` and ``nkohub restore FOLDER``: every service's database, with the
driver only (``nkohub_shared.backup``). The server is ``NKOHUB_MONGODB_URL``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from pymongo import MongoClient

from nkohub_shared.backup import BackupError
from nkohub_shared.backup import backup as take_backup
from nkohub_shared.backup import restore as bring_back
from nkohub_shared.settings import ENV_PREFIX

UrlOpt = Annotated[
    str,
    typer.Option(envvar=f"{ENV_PREFIX}MONGODB_URL", help="MongoDB URL", show_default=False),
]


def backup(
    directory: Annotated[Path, typer.Argument(help="where the dated backup folder is written")],
    mongodb_url: UrlOpt,
    prefix: Annotated[
        str,
        typer.Option(
            envvar=f"{ENV_PREFIX}DATABASE_PREFIX", help="the databases <prefix>_<service>"
        ),
    ] = "nkohub",
) -> None:
    """Write every <prefix>_* database (documents, GridFS files, indexes) to
    DIRECTORY/nkohub-backup-<UTC time>/ with a manifest of counts and SHA-256 checksums."""
    with MongoClient(mongodb_url) as client:
        try:
            folder = take_backup(client, directory, prefix=prefix, say=typer.echo)
        except BackupError as exc:
            typer.echo(f"nkohub backup: {exc}", err=True)
            raise typer.Exit(3) from None
    typer.echo(f"backup written: {folder}")


def restore(
    folder: Annotated[Path, typer.Argument(help="a folder written by nkohub backup")],
    mongodb_url: UrlOpt,
    prefix: Annotated[
        str | None,
        typer.Option(help="restore into <prefix>_<service> instead of the backup's names"),
    ] = None,
) -> None:
    """Check the backup's checksums, then bring it into databases that hold no documents
    (stop the services first; start them after: their relays publish what was pending)."""
    with MongoClient(mongodb_url) as client:
        try:
            restored = bring_back(client, folder, prefix=prefix, say=typer.echo)
        except BackupError as exc:
            typer.echo(f"nkohub restore: {exc}", err=True)
            raise typer.Exit(3) from None
    typer.echo(f"restored {sum(restored.values())} documents in {len(restored)} collections")
