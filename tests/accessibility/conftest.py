"""The public pages of the four services, served over real HTTP from the test's process (one
sandbox per module), with what a visitor meets on them: a meetup with its program,
consultation slots and an approved question, a completed meetup to give feedback on, posts
with an image and a table, grant deadlines, the NGO list fed by the registry's events, a
pending subscription, a subscriber, a person with an erasure link; and Debian's Chromium."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi import FastAPI

from nkohub_console.app import create_app as console_app
from nkohub_events.app import create_app as events_app
from nkohub_events.settings import EventsSettings
from nkohub_notifications.app import create_app as notifications_app
from nkohub_notifications.domain.links import preferences_path
from nkohub_notifications.settings import NotificationsSettings
from nkohub_publishing.app import create_app as publishing_app
from nkohub_publishing.settings import PublishingSettings
from nkohub_registry.app import create_app as registry_app
from nkohub_registry.settings import RegistrySettings
from nkohub_shared.links import LinkSigner, Purpose, unsubscribe_path
from tests.console.support import console_settings
from tests.support.broker import wait_until
from tests.support.chromium import launched
from tests.support.inprocess import serving, staff_headers
from tests.support.isolation import LINK_SECRET, Sandbox, create_sandbox, destroy_sandbox
from tests.support.notifications_smtp import SmtpRecorder, parts
from tests.support.processes import free_port
from tests.support.servers import Servers

SEED_REQUEST_SECONDS = 60.0
STAFF = staff_headers()
ADMIN = staff_headers(role="admin", sub="admin")
SIGNER = LinkSigner(LINK_SECRET)


@dataclass
class Site:
    """Base URLs of the four services and the links a visitor would have from e-mails."""

    events: str
    publishing: str
    notifications: str
    registry: str
    console: str
    apps: dict[str, FastAPI]
    meetup_id: str = ""
    past_meetup_id: str = ""
    links: dict[str, str] = field(default_factory=dict)
    post_slug: str = ""

    def db(self, service: str) -> Any:
        return self.apps[service].state.runtime.db


@pytest.fixture(scope="module")
def module_sandbox(servers: Servers) -> Iterator[Sandbox]:
    box = create_sandbox(servers)
    yield box
    destroy_sandbox(box)


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpRecorder]:
    recorder = SmtpRecorder().start()
    yield recorder
    recorder.stop()


@pytest.fixture(scope="module")
async def site(module_sandbox: Sandbox, smtp: SmtpRecorder) -> AsyncIterator[Site]:
    names = ("events", "publishing", "notifications", "registry", "console")
    ports = {name: free_port() for name in names}
    url = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    box = module_sandbox
    apps = {
        "events": events_app(
            EventsSettings(**box.settings("events", public_base_url=url["events"]))
        ),
        "publishing": publishing_app(
            PublishingSettings(
                **box.settings(
                    "publishing", public_base_url=url["publishing"], events_public_url=url["events"]
                )
            )
        ),
        "notifications": notifications_app(
            NotificationsSettings(
                **box.settings(
                    "notifications",
                    public_base_url=url["notifications"],
                    events_public_url=url["events"],
                    email_rate_per_second=0,
                    sender_poll_seconds=0.1,
                    scheduler_poll_seconds=0.2,
                    **smtp.settings(),
                )
            )
        ),
        "registry": registry_app(
            RegistrySettings(**box.settings("registry", public_base_url=url["registry"]))
        ),
        "console": console_app(
            console_settings(
                box,
                {name: url[name] for name in ("registry", "events", "notifications", "publishing")},
                public_base_url=url["console"],
            )
        ),
    }
    async with contextlib.AsyncExitStack() as stack:
        for name, app in apps.items():
            await stack.enter_async_context(serving(app, ports[name]))
        site = Site(**url, apps=apps)
        await _seed(site, smtp)
        yield site


async def _seed(site: Site, smtp: SmtpRecorder) -> None:
    # five services and Chromium share a loaded machine: a seeding request may take longer
    # than httpx's default 5 s (a post's first rendering did), never forever
    wait = httpx.Timeout(SEED_REQUEST_SECONDS)
    async with (
        httpx.AsyncClient(base_url=site.registry, headers=ADMIN, timeout=wait) as registry,
        httpx.AsyncClient(base_url=site.events, headers=STAFF, timeout=wait) as events,
        httpx.AsyncClient(base_url=site.publishing, headers=STAFF, timeout=wait) as publishing,
        httpx.AsyncClient(base_url=site.notifications, timeout=wait) as notifications,
    ):
        await _seed_notifications(site, notifications, smtp)
        await _seed_registry(site, registry)
        await _seed_events(site, events)
        await _seed_publishing(site, publishing)
        # the NGO list is the registry's, through its events
        await wait_until(lambda: _listed(publishing, "АНО «Ёлочка»"), timeout=30)


async def _listed(client: httpx.AsyncClient, name: str) -> bool:
    return name in (await client.get("/ngo")).text


def _ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code in (200, 201, 202), response.text
    return response.json() if response.content else {}


async def _seed_registry(site: Site, client: httpx.AsyncClient) -> None:
    from tests.registry.conftest import org_payload

    _ok(await client.post("/api/v1/organizations", json=org_payload()))
    _ok(
        await client.post(
            "/api/v1/organizations",
            json=org_payload(
                full_name="Местная общественная организация «Шахматный клуб Глазова»",
                short_name="МОО «Шахматы»",
                legal_form="public_organization",
                activity_areas=["sport"],
                website="https://chess-glazov.example",
            ),
        )
    )
    person = _ok(
        await client.post(
            "/api/v1/people",
            json={
                "full_name": "Анна Тайнова",
                "role": "ngo_representative",
                "email": "anna.secret@example.ru",
                "processing_consent": {
                    "purpose": "участие во встречах",
                    "text_version": "2019-01",
                    "given_at": "2019-03-01T10:00:00+04:00",
                    "source": "бумажная анкета",
                },
            },
        )
    )
    link = _ok(await client.get(f"/api/v1/people/{person['id']}/erasure-link"))
    site.links["erasure"] = _local(link["url"])


async def _seed_events(site: Site, client: httpx.AsyncClient) -> None:
    from tests.events.conftest import meetup_body

    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=7)
    body = meetup_body(
        title="Открытое общение: гранты и налоги",
        program=[
            {"kind": "talk", "title": "Итоги конкурсов", "speaker_name": "Глава города"},
            {"kind": "qa_session", "title": "Вопросы главе города", "speaker_name": "ИФНС"},
        ],
    )
    meetup = _ok(await client.post("/api/v1/meetups", json=body))
    mid = meetup["meetup_id"]
    _ok(await client.post(f"/api/v1/meetups/{mid}/publish"))
    site.meetup_id = mid
    specialist = _ok(
        await client.post(
            "/api/v1/specialists",
            json={"name": "Налоговый инспектор", "specialty": "tax_inspector", "body": "ИФНС"},
        )
    )
    for minutes in (0, 30, 60):
        _ok(
            await client.post(
                f"/api/v1/meetups/{mid}/consultation-slots",
                json={
                    "specialist_id": specialist["specialist_id"],
                    "starts_at": (start + timedelta(minutes=minutes)).isoformat(),
                },
            )
        )
    reg = _ok(
        await client.post(
            f"/api/v1/meetups/{mid}/registrations",
            json={
                "name": "Мария Петрова",
                "email": "maria@example.org",
                "role": "ngo_representative",
                "consent_personal_data": True,
            },
            headers={},
        )
    )
    rid = reg["registration_id"]
    token = SIGNER.token(Purpose.REGISTRATION, rid)
    site.links["registration_cancel"] = f"/registrations/{rid}/cancel?token={token}"
    site.links["ask"] = f"/meetups/{mid}?registration={rid}&token={token}"
    question = _ok(
        await client.post(
            f"/api/v1/meetups/{mid}/questions",
            json={"registration_id": rid, "token": token, "text": "Когда откроется конкурс?"},
            headers={},
        )
    )
    _ok(await client.post(f"/api/v1/questions/{question['question_id']}/approve"))
    slots = _ok(await client.get(f"/api/v1/meetups/{mid}/consultation-slots"))
    _ok(
        await client.post(
            f"/api/v1/consultation-slots/{slots[0]['slot_id']}/booking",
            json={
                "organization_name": "АНО «Ёлочка»",
                "contact": {"name": "Ирина", "email": "irina@example.org"},
                "question": "Льготы по налогу?",
                "consent_personal_data": True,
            },
            headers={},
        )
    )
    slot = await site.db("events")["slots"].find_one({"_id": slots[0]["slot_id"]})
    cid = slot["booking"]["consultation_id"]
    ctoken = SIGNER.token(Purpose.CONSULTATION, cid)
    site.links["consultation_cancel"] = f"/consultations/{cid}/cancel?token={ctoken}"

    # a meetup that took place: its feedback page
    past = _ok(await client.post("/api/v1/meetups", json=meetup_body(title="Новогодний митап")))
    pid = past["meetup_id"]
    _ok(await client.post(f"/api/v1/meetups/{pid}/publish"))
    past_reg = _ok(
        await client.post(
            f"/api/v1/meetups/{pid}/registrations",
            json={
                "name": "Пётр Иванов",
                "email": "petr@example.org",
                "role": "activist",
                "consent_personal_data": True,
            },
            headers={},
        )
    )
    began = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    _ok(
        await client.patch(
            f"/api/v1/meetups/{pid}",
            json={
                "starts_at": began.isoformat(),
                "ends_at": (began + timedelta(hours=3)).isoformat(),
            },
        )
    )
    _ok(await client.post(f"/api/v1/meetups/{pid}/complete"))
    site.past_meetup_id = pid
    prid = past_reg["registration_id"]
    ptoken = SIGNER.token(Purpose.REGISTRATION, prid)
    site.links["feedback"] = f"/meetups/{pid}/feedback?registration={prid}&token={ptoken}"


POST_BODY = """Как подготовить заявку на грант: пошаговая **методичка** для НКО.

![Схема проекта: цель, задачи, мероприятия, результаты](/img/schema.png)

| Этап | Срок |
|---|---|
| Идея | январь |
| Заявка | март |

Подробнее — в [рекомендациях фонда](https://example.org/recommendations).
"""


async def _seed_publishing(site: Site, client: httpx.AsyncClient) -> None:
    for title, body, category in (
        ("Как написать заявку на грант", POST_BODY, "methodology"),
        ("Конкурс Фонда президентских грантов", "Приём заявок открыт.", "grant-competitions"),
        ("Новости города", "Встреча в библиотеке.", "ngo-news"),
    ):
        post = _ok(
            await client.post(
                "/api/v1/posts",
                json={"title": title, "body": body, "category": category, "tags": ["заявка"]},
            )
        )
        _ok(await client.post(f"/api/v1/posts/{post['id']}/publish"))
        site.post_slug = site.post_slug or post["slug"]
    now = datetime.now(UTC)
    for days, name in ((20, "Конкурс Фонда президентских грантов"), (50, "Губернаторский грант")):
        _ok(
            await client.post(
                "/api/v1/competitions",
                json={
                    "name": name,
                    "operator": "Фонд президентских грантов",
                    "opens_at": (now - timedelta(days=5)).isoformat(),
                    "closes_at": (now + timedelta(days=days)).isoformat(),
                    "max_amount": 3000000,
                    "directions": ["социальное обслуживание", "культура"],
                    "url": "https://example.org/konkurs",
                },
            )
        )
    _ok(
        await client.post(
            "/api/v1/foundations",
            json={
                "name": "Фонд президентских грантов",
                "url": "https://example.org/fond",
                "directions": ["культура"],
                "description": "Крупнейший грантодатель НКО.",
            },
        )
    )
    _ok(
        await client.post(
            "/api/v1/documents",
            json={
                "title": "Федеральный закон № 7-ФЗ «О некоммерческих организациях»",
                "url": "https://example.org/7-fz",
                "issuer": "Государственная дума",
            },
        )
    )


async def _seed_notifications(site: Site, client: httpx.AsyncClient, smtp: SmtpRecorder) -> None:
    _ok(
        await client.post(
            "/api/v1/subscriptions",
            json={
                "name": "Ольга",
                "email": "olga@example.org",
                "topics": ["meetups"],
                "consent": True,
            },
        )
    )

    def confirmation(mails: list[Any]) -> list[Any]:
        return [m for m in mails if "Подтвердите подписку" in str(m["Subject"])]

    mail = confirmation(await smtp.wait_for(lambda mails: confirmation(mails)))[0]
    text = parts(mail)["text/plain"].get_content()
    confirm = re.search(re.escape(site.notifications) + r"(\S+)", text)
    assert confirm is not None, text
    site.links["confirm_subscription"] = confirm.group(1)
    recipient = _ok(
        await client.post(
            "/api/v1/staff/recipients",
            json={
                "name": "Подписчик",
                "email": "reader@example.org",
                "topics": {"meetups": {"email": True}},
                "mailing_consent": True,
            },
            headers=STAFF,
        )
    )
    rid = recipient["id"]
    site.links["unsubscribe"] = SIGNER.link("", unsubscribe_path(rid), Purpose.UNSUBSCRIBE, rid)
    site.links["preferences"] = SIGNER.link("", preferences_path(rid), Purpose.UNSUBSCRIBE, rid)


def _local(url: str) -> str:
    parts_ = urlsplit(url)
    return f"{parts_.path}?{parts_.query}" if parts_.query else parts_.path


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Any]:
    async with launched() as chromium:
        yield chromium
