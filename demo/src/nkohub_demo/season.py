"""Bringing in the 2019 season through the platform's public HTTP APIs, as staff would.

Every step is idempotent (imports upsert, meetups are found again by slug, consultations
carry a key), so a run that stopped half-way can be run again. The figures at the end are
the events service's practice report, computed from the records these steps leave.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from nkohub_demo.season_2019 import DATA

PERIOD = ("2019-01-01", "2019-12-31")
PASSPORT = {  # section 9 of the practice passport, 2019
    "meetups_held": 5,
    "ngos_took_part": 15,
    "participants": 200,
    "consultations_given": 15,
    "posts_published": 260,
    "post_views": 1953,
}
LABELS = {
    "meetups_held": "Проведено митапов",
    "ngos_took_part": "НКО приняли участие",
    "participants": "Участников (представители НКО, ОМС, активисты)",
    "consultations_given": "Консультаций НКО",
    "posts_published": "Записей в блоге «Проект +»",
    "post_views": "Просмотров блога",
}
TEMPLATE_COLUMNS = (
    "full_name",
    "legal_form",
    "ogrn",
    "inn",
    "kpp",
    "registered_on",
    "address",
    "city",
    "activity_areas",
)


class DemoRefused(RuntimeError):
    """The platform holds other data: the demo would mix its season into it."""


@dataclass
class Endpoints:
    registry: str
    events: str
    publishing: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


Step = Callable[[str, int], None]  # (description, advance) for the progress display


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _meetups() -> dict[str, Any]:
    return json.loads((DATA / "meetups.json").read_text(encoding="utf-8"))


def _slug(meetup: dict[str, Any]) -> str:
    return f"otkrytoe-obshchenie-{meetup['key']}"


class Season:
    def __init__(self, endpoints: Endpoints, client: httpx.AsyncClient) -> None:
        self.at = endpoints
        self.http = client
        self.org_ids: dict[str, str] = {}  # ОГРН → registry id

    async def _call(self, method: str, url: str, **kwargs: Any) -> Any:
        response = await self.http.request(method, url, headers=self.at.headers, **kwargs)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {url} → {response.status_code}: {response.text[:500]}")
        return response.json() if response.content else None

    # --- safety --------------------------------------------------------------------------

    async def check_empty_or_ours(self) -> None:
        """Refuse a platform that holds anything but this season's own records."""
        ours = {row["ogrn"] for row in _rows("organizations.csv")}
        foreign: list[str] = []
        page = 1
        while True:
            listed = await self._call(
                "GET",
                f"{self.at.registry}/api/v1/organizations",
                params={"page": page, "per_page": 100},
            )
            foreign += [o["full_name"] for o in listed["items"] if o["ogrn"] not in ours]
            if page * 100 >= listed["total"]:
                break
            page += 1
        slugs = {_slug(m) for m in _meetups()["meetups"]}
        meetups = await self._call("GET", f"{self.at.events}/api/v1/meetups")
        items = meetups["items"] if isinstance(meetups, dict) else meetups
        foreign += [m["title"] for m in items if m.get("slug") not in slugs]
        posts = await self._call(  # drafts include the report drafts our meetups cause
            "GET",
            f"{self.at.publishing}/api/v1/posts",
            params={"limit": 1, "status": "published"},
        )
        if posts["total"] > PASSPORT["posts_published"]:
            foreign.append(f"{posts['total']} published blog posts")
        if foreign:
            raise DemoRefused(
                "the platform already holds other data "
                f"({len(foreign)} records, e.g. {foreign[:3]}); the demo brings in a whole "
                "season and would mix it with yours. Run it on a platform with databases of its "
                "own, e.g. `NKOHUB_DATABASE_PREFIX=demo2019 bash deploy/local/platform.sh up`, "
                "or a separate Docker Compose project (`docker compose -p demo2019 up`)."
            )

    # --- registry ------------------------------------------------------------------------

    async def organizations(self, step: Step) -> dict[str, Any]:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=TEMPLATE_COLUMNS)
        writer.writeheader()
        for row in _rows("organizations.csv"):
            writer.writerow(
                {
                    **{k: row[k] for k in TEMPLATE_COLUMNS if k in row},
                    "registered_on": row["registration_date"],
                }
            )
        files = {"file": ("organizations.csv", buffer.getvalue().encode("utf-8"), "text/csv")}
        report = await self._call(
            "POST", f"{self.at.registry}/api/v1/organizations/import", files=files
        )
        step("организации импортированы", 1)
        await self._load_registry_ids()
        return report

    async def _load_registry_ids(self) -> None:
        page = 1
        while True:
            listed = await self._call(
                "GET",
                f"{self.at.registry}/api/v1/organizations",
                params={"page": page, "per_page": 100},
            )
            self.org_ids |= {o["ogrn"]: o["id"] for o in listed["items"]}
            if page * 100 >= listed["total"]:
                return
            page += 1

    async def needs(self, step: Step) -> None:
        for row in _rows("needs-survey.csv"):
            body = {
                "needs": [n for n in row["needs"].split(";") if n],
                "specialists": [s for s in row["specialists"].split(";") if s],
                "wants_meetups": row["wants_to_meet"] == "True",
                "answered_on": row["answered_on"],
            }
            await self._call(
                "PUT",
                f"{self.at.registry}/api/v1/organizations/{self.org_ids[row['ogrn']]}/needs",
                json=body,
            )
            step("ответы на опрос", 1)

    # --- events --------------------------------------------------------------------------

    async def wait_for_events_read_model(self, expected: int, timeout: float = 120) -> None:
        """Sign-in sheets are matched against the organizations the events service has
        heard of from the registry's events: wait until it knows all of them."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            known = await self._call(
                "GET", f"{self.at.events}/api/v1/organizations", params={"per_page": 1}
            )
            if known["total"] >= expected:
                return
            await asyncio.sleep(0.5)
        raise RuntimeError("the events service did not hear of the registry's organizations")

    async def specialists(self) -> dict[str, str]:
        existing = await self._call("GET", f"{self.at.events}/api/v1/specialists")
        items = existing["items"] if isinstance(existing, dict) else existing
        by_name = {s["name"]: s["specialist_id"] for s in items}
        ids = {}
        for spec in _meetups()["specialists"]:
            if spec["name"] not in by_name:
                body = {k: spec[k] for k in ("name", "specialty", "body")}
                created = await self._call(
                    "POST", f"{self.at.events}/api/v1/specialists", json=body
                )
                by_name[spec["name"]] = created["specialist_id"]
            ids[spec["key"]] = by_name[spec["name"]]
        return ids

    async def meetups(self, step: Step) -> None:
        data = _meetups()
        specialists = await self.specialists()
        consultations = _rows("consultations.csv")
        listed = await self._call("GET", f"{self.at.events}/api/v1/meetups")
        items = listed["items"] if isinstance(listed, dict) else listed
        by_slug = {m["slug"]: m for m in items}
        for meetup in data["meetups"]:
            slug = _slug(meetup)
            current = by_slug.get(slug) or await self._create_meetup(meetup, slug, data["venue"])
            mid = current["meetup_id"]
            sheet = DATA / "sign-in" / f"{meetup['key']}.csv"
            files = {"file": (sheet.name, sheet.read_bytes(), "text/csv")}
            await self._call(
                "POST", f"{self.at.events}/api/v1/meetups/{mid}/attendance/import", files=files
            )
            for i, row in enumerate(c for c in consultations if c["meetup"] == meetup["key"]):
                body = {
                    "specialist_id": specialists[row["specialist"]],
                    "meetup_id": mid,
                    "given_on": meetup["key"],
                    "starts_at": row["starts_at"],
                    "duration_minutes": int(row["duration_minutes"]),
                    "organization_id": self.org_ids[row["ogrn"]],
                    "key": f"season-2019/{meetup['key']}/{row['specialist']}/{i}",
                }
                await self._call("POST", f"{self.at.events}/api/v1/consultations", json=body)
            if current.get("status") != "completed":
                await self._call("POST", f"{self.at.events}/api/v1/meetups/{mid}/complete")
            step(f"встреча {meetup['key']}", 1)

    async def _create_meetup(
        self, meetup: dict[str, Any], slug: str, venue: dict[str, Any]
    ) -> dict[str, Any]:
        program = []
        for item in meetup["program"]:
            entry = {"kind": item["kind"], "title": item["title"]}
            if item.get("speaker"):
                entry["speaker_name"] = item["speaker"]
            if item.get("organization_ogrn"):
                entry["organization_id"] = self.org_ids[item["organization_ogrn"]]
            program.append(entry)
        body = {
            "title": meetup["title"],
            "slug": slug,
            "kind": meetup["kind"],
            "starts_at": meetup["starts_at"],
            "ends_at": meetup["ends_at"],
            "venue": venue,
            "capacity": venue["hall_capacity"],
            "topics": meetup["topics"],
            "program": program,
        }
        return await self._call("POST", f"{self.at.events}/api/v1/meetups", json=body)

    # --- publishing ----------------------------------------------------------------------

    async def blog(self, step: Step) -> tuple[dict[str, Any], Any]:
        export = DATA / "blogger-export.xml"
        posts = await self._call(
            "POST",
            f"{self.at.publishing}/api/v1/imports/blogger",
            files={"file": (export.name, export.read_bytes(), "application/atom+xml")},
            timeout=300,
        )
        step("блог: записи", 1)
        stats = DATA / "blog-stats.csv"
        views = await self._call(
            "POST",
            f"{self.at.publishing}/api/v1/imports/views",
            files={"file": (stats.name, stats.read_bytes(), "text/csv")},
            timeout=300,
        )
        step("блог: просмотры", 1)
        return posts, views

    # --- the report ----------------------------------------------------------------------

    async def report(self, *, settle_seconds: float = 180) -> dict[str, Any]:
        """The practice report, once the events service has heard all the blog's events
        (they travel over the bus, so the figures settle a moment after the imports)."""
        deadline = time.monotonic() + settle_seconds
        while True:
            report = await self._call(
                "GET",
                f"{self.at.events}/api/v1/reports/practice",
                params={"from": PERIOD[0], "to": PERIOD[1]},
            )
            figures = report["indicators"]
            settled = (
                figures["posts_published"] >= PASSPORT["posts_published"]
                and figures["post_views"] >= PASSPORT["post_views"]
            )
            if settled or time.monotonic() > deadline:
                return report
            await asyncio.sleep(1.0)
