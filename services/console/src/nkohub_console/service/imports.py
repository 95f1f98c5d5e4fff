"""Importing a ministry file into the registry while the person watches: the upload is
handed to the registry in the background and the job's page refreshes itself until the
registry's report (created, updated, skipped rows and their errors) is there."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

from nkohub_console.repository import ImportJobRepository
from nkohub_console.service.clients import RegistryClient, ServiceRefused, ServiceUnavailable
from nkohub_console.service.clock import utcnow
from nkohub_shared.ids import new_id

log = logging.getLogger("nkohub.console.imports")
STALE_AFTER = timedelta(hours=1)


class ImportJobs:
    def __init__(self, jobs: ImportJobRepository) -> None:
        self.jobs = jobs
        self._running: set[asyncio.Task[None]] = set()

    async def start(
        self,
        registry: RegistryClient,
        *,
        filename: str,
        content: bytes,
        media_type: str,
        account_id: str,
    ) -> str:
        now = utcnow()
        await self.jobs.abandon_running(now - STALE_AFTER, now)
        job_id = new_id()
        await self.jobs.insert(
            {
                "_id": job_id,
                "status": "running",
                "filename": filename,
                "size": len(content),
                "account_id": account_id,
                "started_at": now,
            }
        )
        task = asyncio.create_task(self._run(job_id, registry, filename, content, media_type))
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        return job_id

    async def _run(
        self,
        job_id: str,
        registry: RegistryClient,
        filename: str,
        content: bytes,
        media_type: str,
    ) -> None:
        fields: dict[str, Any]
        try:
            report = await registry.import_file(filename, content, media_type)
            fields = {"status": "done", "report": report}
        except ServiceRefused as exc:
            fields = {"status": "failed", "error": exc.message, "field": exc.field}
        except ServiceUnavailable as exc:
            fields = {"status": "failed", "error": f"реестр недоступен ({exc.detail})"}
        except Exception as exc:  # the job must end, whatever happened
            log.exception("import %s failed", job_id)
            fields = {"status": "failed", "error": repr(exc)}
        fields["ended_at"] = utcnow()
        await self.jobs.finish(job_id, fields)

    async def get(self, job_id: str) -> dict[str, Any] | None:
        return await self.jobs.get(job_id)

    async def recent(self) -> list[dict[str, Any]]:
        return await self.jobs.recent()
