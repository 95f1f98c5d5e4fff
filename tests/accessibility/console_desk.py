"""What a librarian finds in the console on a working day, set up through the services'
real APIs on top of the public pages' data (``conftest.site``): two console accounts
(staff and admin), people registered for the coming meetup (with their door codes), a
question waiting for moderation, a self-registered NGO waiting for approval, and the
meetup that took place with its attendance and feedback (the report's charts), an image
and a PDF uploaded, mailings in each state (a draft, one scheduled, one sent) and
erasure requests from the public form (their counts on the people page)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from nkohub_console.domain.accounts import AccountIn, Role
from nkohub_shared.links import Purpose
from tests.accessibility.conftest import ADMIN, SIGNER, STAFF, Site
from tests.console.support import PASSWORD
from tests.publishing.files_data import image, pdf
from tests.registry.conftest import org_payload
from tests.support.broker import wait_until

STAFF_EMAIL = "tatiana@biblioteka-glazov.example"
ADMIN_EMAIL = "admin@biblioteka-glazov.example"
COMING = ("Николай Дверев", "Светлана Кодова", "Олег Поисков")


@dataclass
class Desk:
    """The ids and codes the console tests open pages and type codes with."""

    site: Site
    codes: dict[str, str] = field(default_factory=dict)  # name → door code
    registrations: dict[str, str] = field(default_factory=dict)  # name → registration id
    organization_id: str = ""
    proposal_id: str = ""
    post_id: str = ""
    competition_id: str = ""
    message_id: str = ""
    recipient_id: str = ""
    mailings: dict[str, str] = field(default_factory=dict)  # draft, scheduled, sent → id

    @property
    def console(self) -> str:
        return self.site.console


def _ok(response: httpx.Response) -> Any:
    assert response.status_code in (200, 201, 202), response.text
    return response.json() if response.content else {}


async def seed_desk(site: Site) -> Desk:
    desk = Desk(site)
    accounts = site.apps["console"].state.runtime.context.accounts
    await accounts.create(AccountIn(name="Татьяна Иванова", email=STAFF_EMAIL), PASSWORD)
    await accounts.create(
        AccountIn(name="Администратор", email=ADMIN_EMAIL, role=Role.ADMIN), PASSWORD
    )
    async with (
        httpx.AsyncClient(base_url=site.events + "/api/v1", headers=STAFF) as events,
        httpx.AsyncClient(base_url=site.registry + "/api/v1", headers=ADMIN) as registry,
        httpx.AsyncClient(base_url=site.notifications + "/api/v1", headers=STAFF) as notes,
    ):
        mid, pid = site.meetup_id, site.past_meetup_id
        for i, name in enumerate(COMING):
            person = {
                "name": name,
                "email": f"door{i}@example.org",
                "role": "ngo_representative",
                "organization_name": "АНО «Ёлочка»",
                "consent_personal_data": True,
            }
            reg = _ok(await events.post(f"/meetups/{mid}/registrations", json=person, headers={}))
            desk.registrations[name] = reg["registration_id"]
        for r in await site.db("events")["registrations"].find({"meetup_id": mid}).to_list(None):
            desk.codes[r["name"]] = r["short_code"]
        rid = desk.registrations[COMING[0]]
        token = SIGNER.token(Purpose.REGISTRATION, rid)
        question = {"registration_id": rid, "token": token, "text": "Как отчитаться в Минюст?"}
        _ok(await events.post(f"/meetups/{mid}/questions", json=question, headers={}))

        # the meetup that took place: who came, what they thought
        [past] = await site.db("events")["registrations"].find({"meetup_id": pid}).to_list(None)
        _ok(await events.post(f"/registrations/{past['_id']}/check-in"))
        feedback = {
            "registration_id": past["_id"],
            "token": SIGNER.token(Purpose.REGISTRATION, past["_id"]),
            "rating": 5,
            "comment": "Полезно: разобрали отчётность.",
        }
        _ok(await events.post(f"/meetups/{pid}/feedback", json=feedback, headers={}))

        # an NGO that registered itself, waiting for approval
        proposal = org_payload(full_name="АНО «Краеведы Глазова»", short_name="АНО «Краеведы»")
        async with httpx.AsyncClient(base_url=site.registry + "/api/v1") as visitor:
            assert (await visitor.post("/organizations", json=proposal)).status_code == 202
        found = _ok(await registry.get("/organizations", params={"q": "Ёлочка"}))
        desk.organization_id = found["items"][0]["id"]

        async def proposed() -> list[Any]:
            return _ok(await registry.get("/proposals", params={"status": "pending"}))["items"]

        desk.proposal_id = (await wait_until(proposed, timeout=30))[0]["id"]

        desk.post_id = (
            await site.db("publishing")["posts"].find_one({"title": "Как написать заявку на грант"})
        )["_id"]
        desk.competition_id = (await site.db("publishing")["competitions"].find_one({}))["_id"]
        desk.message_id = _ok(await notes.get("/staff/messages"))["items"][0]["id"]
        desk.recipient_id = _ok(await notes.get("/staff/recipients"))["items"][0]["id"]
        await _seed_mailings(desk, notes)
    await _seed_files(site)
    await _seed_erasure_requests(site)
    return desk


MAILING_BODY = """Приглашаем на **консультацию** по отчётности НКО.

- когда: в четверг, 15:00;
- где: библиотека им. В.Г. Короленко, [карта](https://example.org/map).
"""


async def _seed_mailings(desk: Desk, notes: httpx.AsyncClient) -> None:
    """A draft, one scheduled a week ahead and one sent to the subscribers of a topic."""
    segment = {"kind": "topic", "topic": "meetups"}
    for state in ("draft", "scheduled", "sent"):
        draft = {"subject": f"Консультации по отчётности ({state})", "body": MAILING_BODY}
        created = _ok(await notes.post("/staff/mailings", json={**draft, "segment": segment}))
        desk.mailings[state] = created["id"]
    week = (datetime.now(UTC) + timedelta(days=7)).replace(microsecond=0)
    scheduled = desk.mailings["scheduled"]
    _ok(await notes.post(f"/staff/mailings/{scheduled}/send", json={"send_at": week.isoformat()}))
    sent = desk.mailings["sent"]
    _ok(await notes.post(f"/staff/mailings/{sent}/send", json={}))

    async def finished() -> bool:
        return _ok(await notes.get(f"/staff/mailings/{sent}"))["status"] == "sent"

    await wait_until(finished, timeout=60)


async def _seed_files(site: Site) -> None:
    """An image with its description and a PDF, uploaded as the files page does."""
    uploads = (
        ("Зал.png", image("PNG", (64, 32)), "image/png", "Читальный зал", "Столы и стеллажи"),
        ("Устав.pdf", pdf(), "application/pdf", "Устав НКО: образец", ""),
    )
    async with httpx.AsyncClient(base_url=site.publishing + "/api/v1", headers=STAFF) as api:
        for name, content, media_type, title, alt in uploads:
            fields = {"title": title, "alt": alt} if alt else {"title": title}
            _ok(await api.post("/files", data=fields, files={"file": (name, content, media_type)}))


async def _seed_erasure_requests(site: Site) -> None:
    """Two requests from the public form: a known address (mailed) and an unknown one."""
    async with httpx.AsyncClient(base_url=site.registry) as visitor:
        for email in ("anna.secret@example.ru", "nobody.known@example.org"):
            answer = await visitor.post("/people/erase", data={"email": email})
            assert answer.status_code == 202, answer.text
