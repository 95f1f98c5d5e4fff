"""The one-command entry point each service's ``__main__`` calls."""

from __future__ import annotations

from collections.abc import Callable

import uvicorn
from fastapi import FastAPI

from nkohub_shared.logs import configure_logging
from nkohub_shared.settings import ServiceSettings


def serve(settings_cls: type[ServiceSettings], create_app: Callable[..., FastAPI]) -> None:
    settings = settings_cls.load()
    configure_logging(
        settings.service_name,
        settings.log_level,
        replica=settings.replica,
        file=settings.log_file,
        max_bytes=settings.log_file_max_bytes,
        backups=settings.log_file_backups,
    )
    uvicorn.run(
        create_app(settings),
        host=settings.http_host,
        port=settings.port,
        log_config=None,
        access_log=False,
    )
