"""Fires the public forms at a running platform the way an abuser would, and shows the
limits holding while a legitimate visitor still gets through.

Start a platform of its own that believes the loopback proxy (so that the script can speak
as several clients through ``X-Forwarded-For``), then run this, then stop it:

    NKOHUB_DATABASE_PREFIX=abuse NKOHUB_TRUSTED_PROXIES='["127.0.0.1"]' \\
        bash deploy/local/platform.sh up
    NKOHUB_STAFF_TOKEN=$(bash deploy/local/platform.sh token --sub abuse --role admin) \\
        uv run python bench/abuse.py
    NKOHUB_LOCAL_KEEP_SERVERS=1 bash deploy/local/platform.sh down

Every request goes to 127.0.0.1 and every loop is bounded. It prints one table: what was
attempted, what the platform answered, what reached the victim's mailbox.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

import httpx

REGISTRY = "http://127.0.0.1:8001"
EVENTS = "http://127.0.0.1:8002"
NOTIFICATIONS = "http://127.0.0.1:8003"

ATTACKER = "203.0.113.7"  # documentation addresses: what X-Forwarded-For names
VISITOR = "198.51.100.23"


def as_client(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


def registration(email: str, name: str = "Иван Петров") -> dict[str, object]:
    return {
        "name": name,
        "email": email,
        "role": "ngo_representative",
        "organization_name": "АНО «Пример»",
        "consent_personal_data": True,
    }


async def meetup(http: httpx.AsyncClient, staff: dict[str, str]) -> str:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=7)
    body = {
        "title": "Открытое общение: проверка защиты",
        "kind": "meetup",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "venue": {"name": "ПНБ им. В.Г. Короленко", "address": "Глазов", "hall_capacity": 65},
        "capacity": 65,
    }
    created = await http.post(f"{EVENTS}/api/v1/meetups", json=body, headers=staff)
    created.raise_for_status()
    meetup_id = created.json()["meetup_id"]
    (
        await http.post(f"{EVENTS}/api/v1/meetups/{meetup_id}/publish", headers=staff)
    ).raise_for_status()
    return meetup_id


async def mails_to(http: httpx.AsyncClient, staff: dict[str, str], address: str) -> Counter[str]:
    """Messages the platform made for ``address``, by status (after it settled)."""
    await asyncio.sleep(3)  # the events travel through the bus and the sender's queue
    log = await http.get(
        f"{NOTIFICATIONS}/api/v1/staff/messages",
        params={"recipient": address, "limit": 200},
        headers=staff,
    )
    log.raise_for_status()
    return Counter(m["status"] for m in log.json()["items"])


async def run(rounds: int) -> list[tuple[str, str, str]]:
    token = os.environ.get("NKOHUB_STAFF_TOKEN")
    if not token:
        raise SystemExit("set NKOHUB_STAFF_TOKEN (an admin token: platform.sh token --role admin)")
    staff = {"Authorization": f"Bearer {token}"}
    rows: list[tuple[str, str, str]] = []
    run_id = uuid.uuid4().hex[:6]
    async with httpx.AsyncClient(timeout=60) as http:
        meetup_id = await meetup(http, staff)
        register = f"{EVENTS}/api/v1/meetups/{meetup_id}/registrations"

        # 1. One client fills seats with invented addresses.
        seats = Counter()
        for n in range(rounds):
            answer = await http.post(
                register,
                json=registration(f"invented-{run_id}-{n}@example.org"),
                headers=as_client(ATTACKER),
            )
            seats[answer.status_code] += 1
        rows.append((f"{rounds} registrations from one client", _codes(seats), "—"))

        # 2. A legitimate visitor during the attack.
        visitor = await http.post(
            register, json=registration(f"visitor-{run_id}@example.org"), headers=as_client(VISITOR)
        )
        rows.append(("a visitor from another address, meanwhile", str(visitor.status_code), "—"))

        # 3. One victim's address registered again and again (the answer no longer carries
        #    the cancel token, so the abuser cannot loop register → cancel).
        victim = f"victim-{run_id}@example.org"
        again = Counter()
        for n in range(rounds):
            answer = await http.post(
                register, json=registration(victim), headers=as_client(f"203.0.113.{100 + n}")
            )
            again[answer.status_code] += 1
        rows.append(
            (
                f"{rounds} registrations of one victim's address",
                _codes(again),
                _mailbox(await mails_to(http, staff, victim)),
            )
        )

        # 4. The victim's address subscribed again and again, from many addresses.
        subscribed = Counter()
        for n in range(rounds):
            answer = await http.post(
                f"{NOTIFICATIONS}/api/v1/subscriptions",
                json={"name": "Жертва", "email": victim, "topics": ["blog"], "consent": True},
                headers=as_client(f"203.0.113.{150 + n % 50}"),
            )
            subscribed[answer.status_code] += 1
        rows.append(
            (
                f"{rounds} subscriptions of the victim's address",
                _codes(subscribed),
                _mailbox(await mails_to(http, staff, victim)),
            )
        )

        # 5. An upload over the limit, streamed without a length: refused while it arrives.
        async def body():
            yield b"--abuse\r\nContent-Disposition: form-data; name=file; filename=x.csv\r\n\r\n"
            for _ in range(40):  # 40 MB offered
                yield b"x" * 1_000_000

        upload = await http.post(
            f"{REGISTRY}/api/v1/organizations/import",
            content=body(),
            headers={**staff, "Content-Type": "multipart/form-data; boundary=abuse"},
        )
        field = upload.json().get("error", {}).get("field") if upload.status_code >= 400 else ""
        rows.append(
            ("a 40 MB upload to the registry import", f"{upload.status_code} ({field})", "—")
        )

        # 6. Self-registration of NGOs from one client.
        proposals = Counter()
        for n in range(rounds):
            answer = await http.post(
                f"{REGISTRY}/api/v1/organizations",
                json={
                    "full_name": f"АНО «Захват {n}»",
                    "legal_form": "ano",
                    "ogrn": "1021800001002",
                },
                headers=as_client(ATTACKER),
            )
            proposals[answer.status_code] += 1
        rows.append((f"{rounds} self-registrations from one client", _codes(proposals), "—"))
    return rows


def _codes(counts: Counter[int]) -> str:
    return ", ".join(f"{code}×{n}" for code, n in sorted(counts.items()))


def _mailbox(statuses: Counter[str]) -> str:
    return ", ".join(f"{status} {n}" for status, n in sorted(statuses.items())) or "nothing"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=40, help="attempts of each attack (≤ 200)")
    args = parser.parse_args()
    rows = asyncio.run(run(min(max(args.rounds, 1), 200)))
    print("| attack | answers | what reached the victim |")
    print("|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
