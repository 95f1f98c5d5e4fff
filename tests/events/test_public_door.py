"""The public door, read as an attacker would: one client cannot hold a meetup's seats or
its consultations, one address cannot be mail-bombed by a register→cancel loop, quoting
an NGO's id does not use up its quota, and every public form (API and page) answers a
clear 429 with ``Retry-After`` past its limit."""

from __future__ import annotations

import pytest

from nkohub_contracts.common import OrganizationPublic
from nkohub_contracts.registry import OrganizationRegistered
from nkohub_events.app import create_app
from tests.events.conftest import (
    STAFF,
    caught_up,
    consultation_token,
    events_settings,
    from_client,
    move_to_past,
    person,
    publish,
    registration_token,
    scheduled_meetup,
)
from tests.events.test_consultations import booking, slots_for, specialist
from tests.support.broker import wait_until
from tests.support.inprocess import running

ATTACKER = from_client("attacker")


async def register(client, mid, i, headers=ATTACKER, **overrides):
    return await client.post(
        f"/api/v1/meetups/{mid}/registrations", json=person(i, **overrides), headers=headers
    )


def refused_429(r, field=None):
    assert r.status_code == 429, r.text
    assert int(r.headers["Retry-After"]) >= 1
    assert r.json()["error"]["code"] == "rate_limited"
    assert r.json()["error"].get("field") == field
    assert (
        "попробуйте позже" in r.json()["error"]["message"]
        or "организатору" in (r.json()["error"]["message"])
    )


async def test_one_client_holds_at_most_n_seats_and_real_people_still_register(events):
    n = events.app.state.runtime.settings.registrations_per_client_per_meetup
    assert n == 10, "the default"
    mid = (await scheduled_meetup(events, capacity=n + 5))["meetup_id"]
    db = events.app.state.runtime.db
    held = [await register(events, mid, f"fake{i}") for i in range(n)]
    assert [r.status_code for r in held] == [201] * n
    one_more = await register(events, mid, f"fake{n}")
    refused_429(one_more, "meetup_id")
    assert await db["registrations"].count_documents({"email": f"personfake{n}@example.org"}) == 0

    real = await register(events, mid, "real", headers=from_client("someone else"))
    assert real.status_code == 201 and real.json()["status"] == "confirmed"
    desk = await register(events, mid, "walk-in", headers={**ATTACKER, **STAFF})
    assert desk.status_code == 201, "staff (the library's desk) pass the door"

    listed = (await events.get(f"/api/v1/meetups/{mid}/registrations", headers=STAFF)).json()
    clients = {r["email"]: r["client"] for r in listed}
    fakes = {clients[f"personfake{i}@example.org"] for i in range(n)}
    assert len(fakes) == 1 and None not in fakes, "staff see they came from one address"
    assert clients["personreal@example.org"] not in fakes
    assert clients["personwalk-in@example.org"] is None

    first = held[0].json()["registration_id"]
    cancelled = await events.post(
        f"/api/v1/registrations/{first}/cancel?token={registration_token(first)}",
        headers=ATTACKER,
    )
    assert cancelled.status_code == 200
    assert (await register(events, mid, f"fake{n}")).status_code == 201, "a cancel frees one"


async def test_a_register_cancel_loop_stops_mailing_the_address(events, spy):
    """Every round from a new client address: only the target address's budget stops it."""
    mid = (await scheduled_meetup(events))["meetup_id"]
    answers = []
    for round_ in range(4):
        r = await register(events, mid, "victim", headers=from_client(f"r{round_}"))
        answers.append(r.status_code)
        if r.status_code != 201:
            break
        rid = r.json()["registration_id"]
        c = await events.post(
            f"/api/v1/registrations/{rid}/cancel?token={registration_token(rid)}",
            headers=from_client(f"c{round_}"),
        )
        answers.append(c.status_code)
    assert answers == [201, 200] * 3 + [429]
    await caught_up(events, spy)
    mails = [
        e
        for e in spy.events
        if e["type"] in ("events.registration.confirmed", "events.registration.cancelled")
    ]
    assert len(mails) == 6, "six mails to the address in the hour, then no more"
    other = await register(events, mid, "neighbour", headers=from_client("r9"))
    assert other.status_code == 201, "other addresses are not affected"


@pytest.fixture
async def strict(sandbox):
    """The service with each public form allowed twice an hour per client address."""
    app = create_app(events_settings(sandbox, form_posts_per_client_per_hour=2))
    async with running(app) as client:
        client.app = app
        yield client


async def test_every_public_form_answers_429_past_its_limit_per_client(strict):
    events = strict
    mid = (await scheduled_meetup(events, capacity=50))["meetup_id"]
    # registration (API, then the page counts against the same form)
    assert (await register(events, mid, 1)).status_code == 201
    assert (await register(events, mid, 2)).status_code == 201
    refused_429(await register(events, mid, 3))
    assert (await register(events, mid, 3, headers=from_client("b"))).status_code == 201
    page = await events.post(
        f"/meetups/{mid}/register",
        data={**person(4), "consent_personal_data": "yes"},
        headers=ATTACKER,
    )
    assert page.status_code == 429 and int(page.headers["Retry-After"]) >= 1
    assert "попробуйте позже" in page.text and "<html" in page.text

    # cancellation (API and page share the form's count)
    regs = [
        (await register(events, mid, f"c{i}", headers=from_client(f"c{i}"))).json()
        for i in range(3)
    ]
    tokens = [(r["registration_id"], registration_token(r["registration_id"])) for r in regs]
    for rid, token in tokens[:2]:
        ok = await events.post(
            f"/api/v1/registrations/{rid}/cancel?token={token}", headers=ATTACKER
        )
        assert ok.status_code == 200
    rid, token = tokens[2]
    refused_429(
        await events.post(f"/api/v1/registrations/{rid}/cancel?token={token}", headers=ATTACKER)
    )
    page = await events.post(f"/registrations/{rid}/cancel?token={token}", headers=ATTACKER)
    assert page.status_code == 429 and "Retry-After" in page.headers

    # questions (per client, and per registration)
    asker = (await register(events, mid, "asker", headers=from_client("q"))).json()
    ask = {
        "registration_id": asker["registration_id"],
        "token": registration_token(asker["registration_id"]),
        "text": "Когда будет ресурсный центр?",
    }
    for _ in range(2):
        assert (
            await events.post(f"/api/v1/meetups/{mid}/questions", json=ask, headers=ATTACKER)
        ).status_code == 201
    refused_429(await events.post(f"/api/v1/meetups/{mid}/questions", json=ask, headers=ATTACKER))

    # consultation booking and its cancellation (API and page)
    s = await specialist(events)
    meetup = (await events.get(f"/api/v1/meetups/{mid}")).json()
    slots = await slots_for(events, meetup, s["specialist_id"], 6)
    booked = []
    for k in range(2):
        r = await events.post(
            f"/api/v1/consultation-slots/{slots[k]['slot_id']}/booking",
            json=booking(f"b{k}"),
            headers=ATTACKER,
        )
        assert r.status_code == 201, r.text
        booked.append(r.json()["consultation_id"])
    refused_429(
        await events.post(
            f"/api/v1/consultation-slots/{slots[2]['slot_id']}/booking",
            json=booking("b2"),
            headers=ATTACKER,
        )
    )
    form = {
        "slot_id": slots[3]["slot_id"],
        "organization_name": "НКО",
        "contact_name": "И",
        "contact_email": "i@example.org",
        "consent_personal_data": "yes",
    }
    page = await events.post(f"/meetups/{mid}/consultations", data=form, headers=ATTACKER)
    assert page.status_code == 429 and "попробуйте позже" in page.text
    other = await events.post(
        f"/api/v1/consultation-slots/{slots[4]['slot_id']}/booking",
        json=booking("b4"),
        headers=from_client("d"),
    )
    booked.append(other.json()["consultation_id"])
    for cid in booked[:2]:
        ok = await events.post(
            f"/api/v1/consultations/{cid}/cancel?token={consultation_token(cid)}", headers=ATTACKER
        )
        assert ok.status_code == 200
    cid = booked[2]
    refused_429(
        await events.post(
            f"/api/v1/consultations/{cid}/cancel?token={consultation_token(cid)}", headers=ATTACKER
        )
    )

    # feedback, once the meetup is completed
    raters = [
        (await register(events, mid, f"f{i}", headers=from_client(f"f{i}"))).json()
        for i in range(3)
    ]
    await move_to_past(events, mid)
    assert (await events.post(f"/api/v1/meetups/{mid}/complete", headers=STAFF)).status_code == 200
    for r in raters[:2]:
        rid = r["registration_id"]
        sent = await events.post(
            f"/api/v1/meetups/{mid}/feedback",
            json={"registration_id": rid, "token": registration_token(rid), "rating": 5},
            headers=ATTACKER,
        )
        assert sent.status_code == 201, sent.text
    rid = raters[2]["registration_id"]
    refused_429(
        await events.post(
            f"/api/v1/meetups/{mid}/feedback",
            json={"registration_id": rid, "token": registration_token(rid), "rating": 5},
            headers=ATTACKER,
        )
    )
    page = await events.post(
        f"/meetups/{mid}/feedback?registration={rid}&token={registration_token(rid)}",
        data={"rating": "5"},
        headers=ATTACKER,
    )
    assert page.status_code == 429 and "Retry-After" in page.headers


async def test_quoting_an_ngos_id_does_not_use_up_its_quota(events, sandbox):
    db = events.app.state.runtime.db
    await publish(
        sandbox,
        OrganizationRegistered(
            organization=OrganizationPublic(
                organization_id="org-real",
                full_name="АНО «Настоящая»",
                legal_form="АНО",
                ogrn="1021800000055",
                public_email="info@nastoyashchaya.ru",
            ),
            source="staff",
        ),
    )
    await wait_until(lambda: db["organizations"].count_documents({}), timeout=10)
    meetup = await scheduled_meetup(events, consultations_per_organization=2)
    s = await specialist(events)
    slots = [x["slot_id"] for x in await slots_for(events, meetup, s["specialist_id"], 12)]

    async def book(slot, who, headers, **body):
        return await events.post(
            f"/api/v1/consultation-slots/{slot}/booking",
            json=booking(who, **body),
            headers=headers,
        )

    # a stranger names the real NGO twice: their own quota in its name, not the NGO's
    for k in range(2):
        r = await book(slots[k], "stranger", ATTACKER, organization_id="org-real")
        assert r.status_code == 201, r.text
    third = await book(slots[2], "stranger", ATTACKER, organization_id="org-real")
    assert third.status_code == 409 and third.json()["error"]["field"] == "organization_id"
    # the NGO's own contact still has the NGO's two
    ngo = from_client("ngo office")
    own = {"contact": {"name": "Директор", "email": "Info@nastoyashchaya.ru"}}
    for k in (3, 4):
        r = await book(slots[k], "ngo", ngo, organization_id="org-real", **own)
        assert r.status_code == 201, r.text
    full = await book(slots[5], "ngo", ngo, organization_id="org-real", **own)
    assert full.status_code == 409 and full.json()["error"]["field"] == "organization_id"

    # new typed names do not bypass: an address holds two, a client three
    sly = from_client("sly")
    for k, name in ((6, "НКО А"), (7, "НКО Б")):
        assert (await book(slots[k], "sly", sly, organization_name=name)).status_code == 201
    by_address = await book(slots[8], "sly", sly, organization_name="НКО В")
    assert by_address.status_code == 409 and by_address.json()["error"]["field"] == "contact.email"
    assert (await book(slots[8], "sly2", sly, organization_name="НКО Г")).status_code == 201
    refused_429(await book(slots[9], "sly3", sly, organization_name="НКО Д"), "slot_id")
    booked = await db["slots"].count_documents({"booking": {"$ne": None}})
    assert booked == 7
