"""The events service: meetups, registrations, the door, questions, consultations, the
practice report."""

from __future__ import annotations

from datetime import date
from typing import Any

from nkohub_console.service.clients.base import Download, ServiceClient

Json = dict[str, Any]


class EventsClient(ServiceClient):
    service = "events"

    # -- meetups
    async def meetups(
        self,
        *,
        status: str | None = None,
        upcoming: bool = False,
        first_day: date | None = None,
        last_day: date | None = None,
    ) -> list[Json]:
        params = {"status": status, "upcoming": "true" if upcoming else None}
        params |= {
            "from": first_day and first_day.isoformat(),
            "to": last_day and last_day.isoformat(),
        }
        return await self.get("/meetups", params)

    async def meetup(self, meetup_id: str) -> Json:
        return await self.get(f"/meetups/{meetup_id}")

    async def create_meetup(self, fields: Json) -> Json:
        return await self.post("/meetups", fields)

    async def update_meetup(self, meetup_id: str, fields: Json) -> Json:
        return await self.patch(f"/meetups/{meetup_id}", fields)

    async def copy_meetup(self, meetup_id: str, starts_at: str) -> Json:
        """A new draft: the meetup with its program and slots moved to ``starts_at``."""
        return await self.post(f"/meetups/{meetup_id}/copy", {"starts_at": starts_at})

    async def move_meetup(self, meetup_id: str, action: str, reason: str | None = None) -> Json:
        """``publish``, ``cancel`` (with a reason) or ``complete``."""
        body = {"reason": reason} if action == "cancel" and reason else None
        return await self.post(f"/meetups/{meetup_id}/{action}", body)

    async def sheet_pdf(self, meetup_id: str, kind: str) -> Download:
        """``sign-in-sheet`` or ``badges``."""
        return await self.download(f"/meetups/{meetup_id}/{kind}.pdf", fallback=f"{kind}.pdf")

    # -- registrations and the door
    async def registrations(
        self,
        meetup_id: str,
        *,
        status: str | None = None,
        role: str | None = None,
        q: str | None = None,
    ) -> list[Json]:
        params = {"status": status, "role": role, "q": q}
        return await self.get(f"/meetups/{meetup_id}/registrations", params)

    async def registrations_file(
        self, meetup_id: str, fmt: str, *, status: str | None, role: str | None, q: str | None
    ) -> Download:
        params = {"status": status, "role": role, "q": q, "format": fmt}
        return await self.download(
            f"/meetups/{meetup_id}/registrations", params, fallback=f"registrations.{fmt}"
        )

    async def register(self, meetup_id: str, person: Json) -> Json:
        return await self.post(f"/meetups/{meetup_id}/registrations", person)

    async def walk_in(self, meetup_id: str, person: Json) -> Json:
        """Registered and checked in at once (``checked_in``; the e-mail optional)."""
        return await self.post(
            f"/meetups/{meetup_id}/registrations", {**person, "checked_in": True}
        )

    async def cancel_registration(self, registration_id: str) -> Json:
        return await self.post(f"/registrations/{registration_id}/cancel")

    async def check_in_code(self, meetup_id: str, code: str) -> Json:
        return await self.post(f"/meetups/{meetup_id}/check-in", {"short_code": code})

    async def check_in(self, registration_id: str) -> Json:
        return await self.post(f"/registrations/{registration_id}/check-in")

    async def import_sheet(self, meetup_id: str, filename: str, content: bytes) -> Json:
        return await self.upload(
            f"/meetups/{meetup_id}/attendance/import", filename, content, "text/csv"
        )

    # -- questions and feedback
    async def questions(self, meetup_id: str, statuses: list[str] | None = None) -> list[Json]:
        params = [("status", s) for s in statuses or []]
        return await self.get(f"/meetups/{meetup_id}/questions", params or None)

    async def moderate(self, question_id: str, action: str, body: Json | None = None) -> Json:
        """``approve`` (optionally an edited ``text``), ``reject``, ``merge`` (``into``),
        ``answer`` (``answer``)."""
        return await self.post(f"/questions/{question_id}/{action}", body)

    async def feedback(self, meetup_id: str) -> Json:
        return await self.get(f"/meetups/{meetup_id}/feedback")

    # -- consultations
    async def specialists(self) -> list[Json]:
        return await self.get("/specialists")

    async def add_specialist(self, fields: Json) -> Json:
        return await self.post("/specialists", fields)

    async def slots(self, meetup_id: str) -> list[Json]:
        return await self.get(f"/meetups/{meetup_id}/consultation-slots")

    async def add_slot(self, meetup_id: str, fields: Json) -> Json:
        return await self.post(f"/meetups/{meetup_id}/consultation-slots", fields)

    async def consultation(self, consultation_id: str, action: str) -> Json:
        """``complete``, ``no-show`` or ``cancel``."""
        return await self.post(f"/consultations/{consultation_id}/{action}")

    # -- the practice report
    async def practice(self, first_day: date, last_day: date) -> Json:
        params = {"from": first_day.isoformat(), "to": last_day.isoformat()}
        return await self.get("/reports/practice", params)

    async def practice_file(self, first_day: date, last_day: date, fmt: str) -> Download:
        params = {"from": first_day.isoformat(), "to": last_day.isoformat(), "format": fmt}
        return await self.download(
            "/reports/practice", params, fallback=f"practice-{first_day}-{last_day}.{fmt}"
        )
