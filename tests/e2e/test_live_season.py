"""A small season lived in real time on the whole platform (four service processes, real
RabbitMQ and MongoDB-wire server, a loopback SMTP server). Its figures are drawn at random
from a seed (``NKOHUB_SEASON_SEED``); the checks compare what the platform reports and sends
with what the test did.

The same season runs again with two replicas of every service behind the one site (Caddy):
every background job then runs twice over, and the report, the mails (each exactly once)
and the posts must be exactly those of one replica."""

from __future__ import annotations

import asyncio
import os
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from nkohub_demo.numbers import inn10, ogrn
from tests.support.broker import wait_until
from tests.support.inprocess import staff_headers

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

SEED = int(os.environ.get("NKOHUB_SEASON_SEED", "2026"))
STAFF = staff_headers()
LEAD = timedelta(seconds=90)  # meetups start this far ahead
REMINDERS = (timedelta(seconds=35), timedelta(seconds=20))  # before the start


@dataclass
class Person:
    name: str
    email: str
    role: str
    organization_id: str | None = None


@dataclass
class Season:
    """What the test did: the expected figures follow from it."""

    organizations: list[str] = field(default_factory=list)
    meetups: list[dict[str, Any]] = field(default_factory=list)
    first_confirmed: dict[str, list[str]] = field(default_factory=dict)  # meetup → emails
    promoted: dict[str, list[str]] = field(default_factory=dict)
    cancelled: dict[str, list[str]] = field(default_factory=dict)
    checked_in: dict[str, list[Person]] = field(default_factory=dict)
    consultations_completed: int = 0
    posts: list[dict[str, Any]] = field(default_factory=list)
    views: int = 0


def local_today() -> str:
    return datetime.now(ZoneInfo("Europe/Samara")).date().isoformat()


async def call(client: httpx.AsyncClient, method: str, url: str, **kwargs: Any) -> Any:
    response = await client.request(method, url, **kwargs)
    assert response.status_code < 400, f"{method} {url}: {response.status_code} {response.text}"
    return response.json() if response.content else None


async def test_a_live_season(platform_factory, smtp, sandbox):
    await live_season(platform_factory, smtp, sandbox, replicas=1)


@pytest.mark.slow
async def test_a_live_season_with_two_replicas_of_every_service(platform_factory, smtp, sandbox):
    platform = await live_season(platform_factory, smtp, sandbox, replicas=2)
    # Both replicas of every service answered requests (Caddy balanced them).
    for service in ("registry", "events", "publishing"):
        answered = [
            _counted(process.url, "nkohub_http_requests_total")
            for process in platform.replica_processes[service]
        ]
        assert all(n > 0 for n in answered), (service, answered)


def _counted(url: str, metric: str) -> float:
    """The metric's total on one replica, leaving out the probes of its health."""
    text = httpx.get(f"{url}/metrics", timeout=10).text
    total = 0.0
    for line in text.splitlines():
        if line.startswith(metric + "{") and 'route="/health' not in line:
            total += float(line.rsplit(" ", 1)[1])
    return total


async def live_season(platform_factory, smtp, sandbox, *, replicas: int) -> Any:
    rng = random.Random(SEED)
    platform = platform_factory(
        replicas=replicas,
        site=replicas > 1,
        notifications={
            "reminder_offsets": f"[{REMINDERS[0].seconds}, {REMINDERS[1].seconds}]",
            "scheduler_poll_seconds": 1,
            "sender_poll_seconds": 0.2,
            "email_rate_per_second": 0,
            "retry_base_seconds": 1,
        },
        publishing={"view_bucket_seconds": 3},
    )
    # APIs as `{events}/v1/…`; the blog's pages under `blog`.
    registry, events, publishing = (platform.api(s) for s in ("registry", "events", "publishing"))
    blog = platform.pages("publishing")
    season = Season()
    async with httpx.AsyncClient(timeout=60) as http:
        # The registry: a few NGOs, known to the events service through its events.
        for i in range(rng.randint(3, 5)):
            body = {
                "full_name": f"АНО «Сезон {SEED}-{i}»",
                "legal_form": "ano",
                "ogrn": ogrn(rng, year=2015),
                "inn": inn10(rng),
                "city": "Глазов",
            }
            created = await call(
                http, "POST", f"{registry}/v1/organizations", json=body, headers=STAFF
            )
            season.organizations.append(created["id"])
        try:
            await wait_until(
                lambda: _known(http, events, len(season.organizations)), timeout=60, every=0.5
            )
        except TimeoutError:
            pytest.fail("the events service did not learn the registry's organizations")

        # Meetups starting soon, with capacity smaller than the crowd.
        start = datetime.now(UTC).replace(microsecond=0) + LEAD
        specialist = await call(
            http,
            "POST",
            f"{events}/v1/specialists",
            json={"name": "Юрист Сезона", "specialty": "lawyer", "email": "lawyer@example.org"},
            headers=STAFF,
        )
        for m in range(2):
            capacity = rng.randint(3, 5)
            body = {
                "title": f"Сезон {SEED}: встреча {m + 1}",
                "starts_at": (start + timedelta(seconds=5 * m)).isoformat(),
                "ends_at": (start + timedelta(hours=2)).isoformat(),
                "venue": {"name": "ПНБ им. В.Г. Короленко", "address": "Глазов"},
                "capacity": capacity,
            }
            meetup = await call(http, "POST", f"{events}/v1/meetups", json=body, headers=STAFF)
            meetup = await call(
                http,
                "POST",
                f"{events}/v1/meetups/{meetup['meetup_id']}/publish",
                headers=STAFF,
            )
            season.meetups.append(meetup)

        # People register, some beyond capacity; some cancel; the waitlist moves up.
        crowd = [
            Person(
                f"Участник {SEED}-{i}",
                f"season{SEED}-{i}@example.org",
                rng.choice(["ngo_representative", "ngo_representative", "official", "activist"]),
            )
            for i in range(14)
        ]
        for person in crowd:
            if person.role == "ngo_representative":
                person.organization_id = rng.choice(season.organizations)
        registrations: dict[tuple[str, str], dict[str, Any]] = {}

        def meetup_title(mid: str) -> str:
            return next(m["title"] for m in season.meetups if m["meetup_id"] == mid)

        for meetup in season.meetups:
            mid = meetup["meetup_id"]
            comers = rng.sample(crowd, meetup["capacity"] + rng.randint(1, 3))
            for person in comers:
                body = {
                    "name": person.name,
                    "email": person.email,
                    "role": person.role,
                    "consent_personal_data": True,
                }
                if person.organization_id:
                    body["organization_id"] = person.organization_id
                r = await call(http, "POST", f"{events}/v1/meetups/{mid}/registrations", json=body)
                registrations[(mid, person.email)] = r
            season.first_confirmed[mid] = [
                e for (m, e), r in registrations.items() if m == mid and r["status"] == "confirmed"
            ]
            assert len(season.first_confirmed[mid]) == meetup["capacity"]
            # People cancel once their confirmation has reached them, as in life; within a
            # few milliseconds the two events may be handled in either order (see
            # docs/architecture.md, "Order"), and no stale confirmation follows a cancel.
            expected_mail = set(season.first_confirmed[mid])
            try:
                await wait_until(
                    lambda mid=mid, expected_mail=expected_mail: (
                        expected_mail
                        <= _recipients(smtp, "Регистрация подтверждена", meetup_title(mid))
                    ),
                    timeout=30,
                    every=0.2,
                )
            except TimeoutError:
                pytest.fail(f"confirmations did not arrive: {_summary(smtp)}")
            leaving = rng.sample(season.first_confirmed[mid], rng.randint(1, 2))
            waiting = [
                e
                for (m, e), r in sorted(
                    registrations.items(), key=lambda kv: kv[1].get("position") or 0
                )
                if m == mid and r["status"] == "waitlisted"
            ]
            for email in leaving:
                rid = registrations[(mid, email)]["registration_id"]
                await call(http, "POST", f"{events}/v1/registrations/{rid}/cancel", headers=STAFF)
            season.cancelled[mid] = leaving
            season.promoted[mid] = waiting[: len(leaving)]

        # Consultations: NGOs book the slots of the first meetup.
        first = season.meetups[0]["meetup_id"]
        slots = []
        for s in range(rng.randint(2, 3)):
            slots.append(
                await call(
                    http,
                    "POST",
                    f"{events}/v1/meetups/{first}/consultation-slots",
                    json={
                        "specialist_id": specialist["specialist_id"],
                        "starts_at": (start + timedelta(minutes=30 + 20 * s)).isoformat(),
                        "duration_minutes": 20,
                    },
                    headers=STAFF,
                )
            )
        bookings = []
        for slot, org in zip(slots, season.organizations, strict=False):
            bookings.append(
                await call(
                    http,
                    "POST",
                    f"{events}/v1/consultation-slots/{slot['slot_id']}/booking",
                    json={
                        "organization_id": org,
                        "contact": {"name": "Контакт НКО", "email": f"ngo-{org}@example.org"},
                        "question": "Как сдать отчётность?",
                        "consent_personal_data": True,
                    },
                )
            )

        # Posts published and read by visitors.
        for p in range(rng.randint(2, 4)):
            post = await call(
                http,
                "POST",
                f"{publishing}/v1/posts",
                json={
                    "title": f"Новость сезона {SEED} № {p + 1}",
                    "body": "Текст.",
                    "category": "ngo-news",
                },
                headers=STAFF,
            )
            post = await call(
                http, "POST", f"{publishing}/v1/posts/{post['id']}/publish", headers=STAFF
            )
            season.posts.append(post)
        for post in season.posts:
            readers = rng.randint(1, 4)
            for v in range(readers):
                page = await http.get(
                    f"{blog}/posts/{post['slug']}",
                    headers={"User-Agent": f"Reader/{SEED}.{v}"},
                )
                assert page.status_code == 200
            await http.get(  # the same reader again the same day: not a second view
                f"{blog}/posts/{post['slug']}", headers={"User-Agent": f"Reader/{SEED}.0"}
            )
            season.views += readers

        # The meetups begin: reminders have gone out; staff check people in and close.
        await asyncio.sleep(max(0.0, (start - datetime.now(UTC)).total_seconds() + 6))
        for meetup in season.meetups:
            mid = meetup["meetup_id"]
            present = [
                e for e in season.first_confirmed[mid] if e not in season.cancelled[mid]
            ] + season.promoted[mid]
            came = rng.sample(present, rng.randint(1, len(present)))
            people = {p.email: p for p in crowd}
            season.checked_in[mid] = [people[e] for e in came]
            for email in came:
                rid = registrations[(mid, email)]["registration_id"]
                await call(http, "POST", f"{events}/v1/registrations/{rid}/check-in", headers=STAFF)
        for booking in bookings[:-1]:
            await call(
                http,
                "POST",
                f"{events}/v1/consultations/{booking['consultation_id']}/complete",
                json={"outcome": "Разобрали вопрос"},
                headers=STAFF,
            )
            season.consultations_completed += 1
        for meetup in season.meetups:
            await call(
                http,
                "POST",
                f"{events}/v1/meetups/{meetup['meetup_id']}/complete",
                headers=STAFF,
            )

        # --- what the platform says ------------------------------------------------------
        attended_people = {p.email for ps in season.checked_in.values() for p in ps}
        attending_ngos = {
            p.organization_id
            for ps in season.checked_in.values()
            for p in ps
            if p.role == "ngo_representative" and p.organization_id
        }
        expected = {
            "meetups_held": len(season.meetups),
            "ngos_took_part": len(attending_ngos),
            "participants": len(attended_people),
            "attendances": sum(len(ps) for ps in season.checked_in.values()),
            "consultations_given": season.consultations_completed,
            "posts_published": len(season.posts),
            "post_views": season.views,
        }
        period = {"from": local_today(), "to": local_today()}

        async def report_matches() -> bool:
            report = await call(
                http, "GET", f"{events}/v1/reports/practice", params=period, headers=STAFF
            )
            got = {k: report["indicators"][k] for k in expected}
            report_matches.last = got  # type: ignore[attr-defined]
            return got == expected

        try:
            await wait_until(report_matches, timeout=90, every=1)
        except TimeoutError:
            pytest.fail(f"report {report_matches.last} != expected {expected}")  # type: ignore[attr-defined]

        # E-mails: one confirmation with an invitation each; each reminder once.
        reminded = {
            mid: [e for e in season.first_confirmed[mid] if e not in season.cancelled[mid]]
            + season.promoted[mid]
            for mid in season.first_confirmed
        }
        titles = {m["meetup_id"]: m["title"] for m in season.meetups}

        def mails(prefix: str, title: str) -> Counter[str]:
            return Counter(
                str(msg["To"]).split("<")[-1].rstrip(">").lower()
                for msg in smtp.messages
                if str(msg["Subject"]).startswith(prefix) and title in str(msg["Subject"])
            )

        def all_sent() -> bool:
            return all(
                sum(mails("Напоминание", titles[mid]).values()) >= 2 * len(reminded[mid])
                for mid in reminded
            )

        try:
            await wait_until(all_sent, timeout=60, every=0.5)
        except TimeoutError:
            pytest.fail(f"reminders missing; mail so far: {_summary(smtp)}")
        for mid, emails in season.first_confirmed.items():
            confirmations = mails("Регистрация подтверждена", titles[mid])
            assert confirmations == Counter(emails), (
                f"one confirmation per confirmed registrant; mail: {_summary(smtp)}"
            )
            for msg in smtp.messages:
                if str(msg["Subject"]).startswith("Регистрация подтверждена") and titles[
                    mid
                ] in str(msg["Subject"]):
                    parts = [p.get_content_type() for p in msg.walk()]
                    assert "text/calendar" in parts, "the invitation rides along"
            assert mails("Освободилось место", titles[mid]) == Counter(season.promoted[mid])
            reminders = mails("Напоминание", titles[mid])
            assert reminders == Counter({e: 2 for e in reminded[mid]}), "each reminder once"

        # Publishing: an announcement draft per scheduled meetup, a report per completed one.
        async def generated() -> bool:
            posts = await call(
                http, "GET", f"{publishing}/v1/posts", params={"limit": 200}, headers=STAFF
            )
            ids = {p["id"] for p in posts["items"]}
            return all(
                f"meetup-{m['meetup_id']}-announcement" in ids
                and f"meetup-{m['meetup_id']}-report" in ids
                for m in season.meetups
            )

        try:
            await wait_until(generated, timeout=30, every=0.5)
        except TimeoutError:
            pytest.fail("an announcement or report draft is missing")
        # …and no post twice: the season's posts and one announcement and one report each.
        listed = await call(
            http, "GET", f"{publishing}/v1/posts", params={"limit": 200}, headers=STAFF
        )
        assert listed["total"] == len(season.posts) + 2 * len(season.meetups), [
            p["id"] for p in listed["items"]
        ]

        # The registry: each attending NGO's history counts its meetups.
        per_org = Counter(
            org
            for mid, ps in season.checked_in.items()
            for org in {p.organization_id for p in ps if p.role == "ngo_representative"}
            if org
        )

        async def histories_match() -> bool:
            for org in season.organizations:
                doc = await call(http, "GET", f"{registry}/v1/organizations/{org}", headers=STAFF)
                if doc["history"]["meetups_attended"] != per_org.get(org, 0):
                    return False
            return True

        try:
            await wait_until(histories_match, timeout=30, every=0.5)
        except TimeoutError:
            pytest.fail(f"registry histories differ from {dict(per_org)}")

        # Nothing was dead-lettered anywhere.
        management = sandbox.servers.management_url
        queues = httpx.get(
            f"{management}/api/queues/{sandbox.vhost}", auth=sandbox.servers.amqp_credentials
        ).json()
        dead = {
            q["name"]: q.get("messages", 0) for q in queues if q["name"].endswith(".dead-letter")
        }
        assert dead and all(n == 0 for n in dead.values()), dead
    return platform


def _recipients(smtp, prefix: str, title: str) -> set[str]:
    return {
        str(m["To"]).split("<")[-1].rstrip(">").lower()
        for m in smtp.messages
        if str(m["Subject"]).startswith(prefix) and title in str(m["Subject"])
    }


def _summary(smtp) -> list[str]:
    return sorted(f"{m['Subject']} → {m['To']}" for m in smtp.messages)


async def _known(http: httpx.AsyncClient, events: str, n: int) -> bool:
    listed = await call(
        http, "GET", f"{events}/v1/organizations", params={"per_page": 1}, headers=STAFF
    )
    return listed["total"] >= n
