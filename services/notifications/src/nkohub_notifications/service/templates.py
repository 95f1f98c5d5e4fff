"""Staff's editing of message templates: list, show, preview a draft, save (checked on
sample data first), restore an earlier version, back to the default, history.

Every replica renders with the overrides it holds in memory; ``refresh`` reads the
overrides' versions (a small query) and loads those that changed. The replica that saves
refreshes at once; the others within ``template_refresh_seconds`` (a background job).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from nkohub_notifications.domain.clock import now
from nkohub_notifications.domain.editing import PARTS, TemplateRefused, check, variables
from nkohub_notifications.domain.rendering import SPECS, Draft, Rendered, Renderer
from nkohub_notifications.domain.samples import sample_context
from nkohub_notifications.repository.templates import TemplateRepository
from nkohub_shared.errors import InvalidInput, NotFound

log = logging.getLogger("nkohub.notifications")


def refused(exc: TemplateRefused) -> InvalidInput:
    """422 naming the part, with the line when known."""
    details: dict[str, Any] = {"line": exc.line} if exc.line else {}
    where = f" (строка {exc.line})" if exc.line else ""
    return InvalidInput(f"{exc.message}{where}", field=exc.part, **details)


def _draft(doc: dict[str, Any]) -> Draft:
    return Draft(subject=doc["subject"], html=doc["html"], text=doc["text"])


class TemplateEditing:
    def __init__(self, repository: TemplateRepository, renderer: Renderer) -> None:
        self._repo = repository
        self._renderer = renderer
        self._versions: dict[str, int] = {}
        self._lock = asyncio.Lock()

    @staticmethod
    def known(name: str) -> None:
        if name not in SPECS:
            raise NotFound(f"no template {name!r}", field="name")

    async def list(self) -> list[dict[str, Any]]:
        overrides = {d["_id"]: d for d in await self._repo.all()}
        return [
            {
                "name": s.name,
                "title": s.description,
                "description": s.description,
                "transactional": s.transactional,
                "overridden": s.name in overrides,
                "version": overrides[s.name]["version"] if s.name in overrides else None,
                "saved_at": overrides[s.name]["saved_at"] if s.name in overrides else None,
                "saved_by": overrides[s.name]["saved_by"] if s.name in overrides else None,
            }
            for s in SPECS.values()
        ]

    async def show(self, name: str) -> dict[str, Any]:
        """The template as it is used now (the override, else the default), the default
        itself and the variables it may use."""
        self.known(name)
        spec = SPECS[name]
        default = self._renderer.default_draft(name)
        override = await self._repo.get(name)
        current = _draft(override) if override else default
        return {
            "name": name,
            "title": spec.description,
            "transactional": spec.transactional,
            "overridden": override is not None,
            "version": override["version"] if override else None,
            "saved_at": override["saved_at"] if override else None,
            "saved_by": override["saved_by"] if override else None,
            **{part: getattr(current, part) for part in PARTS},
            "default": {part: getattr(default, part) for part in PARTS},
            "variables": [v.__dict__ for v in variables(name)],
        }

    async def preview(self, name: str, draft: Draft | None = None) -> Rendered:
        """A draft (checked: refused like a save) or the template as used, on sample data."""
        self.known(name)
        if draft is not None:
            try:
                return check(self._renderer, name, draft)
            except TemplateRefused as exc:
                raise refused(exc) from None
        override = await self._repo.get(name)
        if override is None:
            return self._renderer.render_default(name, sample_context(name))
        return self._renderer.render_draft(_draft(override), sample_context(name))

    async def save(self, name: str, draft: Draft, *, by: str, action: str = "saved") -> int:
        """Check the draft on sample data, store it; returns its version."""
        self.known(name)
        try:
            check(self._renderer, name, draft)
        except TemplateRefused as exc:
            raise refused(exc) from None
        parts = {part: getattr(draft, part) for part in PARTS}
        saved = await self._repo.save(name, parts, by=by, at=now(), action=action)
        await self.refresh()
        return int(saved["version"])

    async def restore(self, name: str, entry_id: str, *, by: str) -> int:
        """An earlier saved version becomes the override again (checked anew)."""
        self.known(name)
        entry = await self._repo.entry(name, entry_id)
        if entry is None or "html" not in entry:
            raise NotFound("no such saved version", field="entry_id")
        return await self.save(name, _draft(entry), by=by, action="restored")

    async def reset(self, name: str, *, by: str) -> bool:
        """Back to the default (the override is deleted; its versions stay in history)."""
        self.known(name)
        deleted = await self._repo.delete(name, by=by, at=now())
        await self.refresh()
        return deleted

    async def history(self, name: str) -> list[dict[str, Any]]:
        self.known(name)
        return [
            {"id": e["_id"], **{k: v for k, v in e.items() if k != "_id"}}
            for e in await self._repo.history(name)
        ]

    async def refresh(self) -> None:
        """Load the overrides whose versions changed since the last look."""
        async with self._lock:
            versions = await self._repo.versions()
            if versions == self._versions:
                return
            overrides = {d["_id"]: (d["version"], _draft(d)) for d in await self._repo.all()}
            overrides = {k: v for k, v in overrides.items() if k in SPECS}
            self._renderer.use_overrides(overrides)
            # What was read first: a save in between makes the next look load again.
            self._versions = versions
            log.info("template overrides: %s", sorted(overrides))

    async def keep_fresh(self, seconds: float) -> None:
        """Background job: ``refresh`` every ``seconds``."""
        while True:
            try:
                await self.refresh()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("template overrides could not be refreshed")
            await asyncio.sleep(seconds)
