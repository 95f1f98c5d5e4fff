"""The staff-maintained lists, and the grants calendar's deadline reminders."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from nkohub_publishing.domain import Document, grants
from nkohub_publishing.domain.catalogues import entry_changes, new_entry
from nkohub_publishing.domain.clock import now_utc
from nkohub_publishing.domain.files import file_path
from nkohub_publishing.repository import CatalogueRepository, CompetitionRepository
from nkohub_publishing.service.files import FileService
from nkohub_shared.errors import NotFound
from nkohub_shared.ids import new_id


class CatalogueService:
    """Create, read, change and delete the entries of one list."""

    def __init__(self, repository: CatalogueRepository, files: FileService | None = None) -> None:
        self.repository = repository
        self.files = files

    async def _with_file(self, fields: BaseModel) -> BaseModel:
        """An entry pointing at an uploaded file: the file exists, and a document's
        ``url`` becomes the file's public URL."""
        file_id = getattr(fields, "file_id", None)
        if not file_id or self.files is None:
            return fields
        file = await self.files.usable(file_id, field="file_id", image=False)
        if "url" in type(fields).model_fields and self.repository.name == "documents":
            url = self.files.base_url + file_path(file["_id"], file["name"])
            return type(fields).model_validate(
                {**fields.model_dump(exclude_unset=True), "url": url}
            )
        return fields

    def _not_found(self, entry_id: str) -> NotFound:
        return NotFound(f"no {self.repository.name[:-1]} {entry_id}", field="id")

    async def create(self, fields: BaseModel) -> Document:
        fields = await self._with_file(fields)
        entry = new_entry(fields, new_id(), now_utc())
        await self.repository.insert(entry)
        return entry

    async def get(self, entry_id: str) -> Document:
        entry = await self.repository.get(entry_id)
        if entry is None:
            raise self._not_found(entry_id)
        return entry

    async def update(self, entry_id: str, fields: BaseModel) -> Document:
        return await self._change(entry_id, entry_changes(await self._with_file(fields)))

    async def _change(self, entry_id: str, changes: Document) -> Document:
        entry = await self.repository.change(entry_id, {**changes, "updated_at": now_utc()})
        if entry is None:
            raise self._not_found(entry_id)
        return entry

    async def delete(self, entry_id: str) -> None:
        if not await self.repository.delete(entry_id):
            raise self._not_found(entry_id)

    async def all(self) -> list[Document]:
        return await self.repository.all()


class CompetitionService(CatalogueService):
    repository: CompetitionRepository

    def __init__(self, repository: CompetitionRepository, files: FileService | None = None) -> None:
        super().__init__(repository, files)

    async def create(self, fields: BaseModel) -> Document:
        grants.check_window(fields.model_dump())
        return await super().create(fields)

    async def update(self, entry_id: str, fields: BaseModel) -> Document:
        current = await self.get(entry_id)
        given = fields.model_dump(exclude_unset=True)
        grants.check_window({**current, **given})
        fields = await self._with_file(fields)
        changes = entry_changes(fields)
        if grants.deadline_moved(current, given):
            changes["reminders_sent"] = []  # a moved deadline is announced anew
        return await self._change(entry_id, changes)

    async def upcoming(self, now: datetime, limit: int = 500) -> list[Document]:
        return await self.repository.upcoming(now, limit)

    async def past(self, now: datetime, limit: int = 100) -> list[Document]:
        return await self.repository.past(now, limit)

    async def send_due_reminders(
        self, now: datetime, days_before: list[int], base_url: str
    ) -> list[tuple[str, int]]:
        """Announce approaching deadlines. Each (competition, mark) goes out once: the mark
        is recorded in the same write that carries the event, on the condition that it is
        not there yet, so restarts and concurrent processes cannot send it twice."""
        sent: list[tuple[str, int]] = []
        horizon = grants.reminder_horizon(days_before)
        for competition in await self.repository.closing_within(now, horizon):
            done = competition.get("reminders_sent", [])
            for mark in grants.deadline_marks_due(competition["closes_at"], now, days_before, done):
                reminder = grants.deadline_approaching(competition, mark, now, base_url)
                if await self.repository.record_reminder(competition, mark, reminder):
                    sent.append((competition["_id"], mark))
        return sent
