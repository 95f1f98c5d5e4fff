"""The door's papers and codes: the participant's ticket page with the door code as text
and as a QR code (decoded back from the served SVG), the sign-in sheet and the badges as
PDF (text extracted with pypdf: names, the consent text, Cyrillic intact)."""

from __future__ import annotations

import io
import re

import pytest
import zxingcpp
from PIL import Image, ImageDraw
from pypdf import PdfReader

from nkohub_events.app import create_app
from nkohub_events.domain.consent import CONSENT_TEXT
from tests.events.conftest import (
    STAFF,
    events_settings,
    person,
    registration_token,
    scheduled_meetup,
)
from tests.support.inprocess import running

DARK_PATH = re.compile(r'<path[^>]*stroke="#000"[^>]* d="([^"]+)"')
PATH_STEP = re.compile(r"([Mmh])(-?[\d.]+)(?:[ ,](-?[\d.]+))?")


def qr_image(svg: str, *, pixels: int = 8) -> Image.Image:
    """The SVG as segno draws it rasterised, so that a real decoder reads what a browser
    shows: the dark modules are one stroked path (a module wide) of horizontal runs in
    module units (``M``/``m`` move, ``h`` draws), under ``scale(n)``."""
    found = re.search(r'transform="scale\(([\d.]+)\)"', svg)
    scale = float(found.group(1)) if found else 1.0
    modules = round(float(re.search(r'width="([\d.]+)"', svg).group(1)) / scale)
    image = Image.new("L", (modules * pixels, modules * pixels), 255)
    draw = ImageDraw.Draw(image)
    x = y = 0.0
    for op, a, b in PATH_STEP.findall(DARK_PATH.search(svg).group(1)):
        if op == "M":
            x, y = float(a), float(b)
        elif op == "m":
            x, y = x + float(a), y + float(b)
        else:
            left, right = x * pixels, (x + float(a)) * pixels - 1
            top = (y - 0.5) * pixels
            draw.rectangle((left, top, right, top + pixels - 1), fill=0)
            x += float(a)
    return image


def decoded(svg: str) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(qr_image(svg))]


async def test_the_ticket_shows_the_door_code_as_text_and_a_qr_code_that_decodes(events):
    meetup = await scheduled_meetup(events, capacity=1)
    mid = meetup["meetup_id"]
    first = (await events.post(f"/api/v1/meetups/{mid}/registrations", json=person(1))).json()
    second = (await events.post(f"/api/v1/meetups/{mid}/registrations", json=person(2))).json()
    assert (first["status"], second["status"]) == ("confirmed", "waitlisted")
    db = events.app.state.runtime.db
    code = (await db["registrations"].find_one({"_id": first["registration_id"]}))["short_code"]

    rid = first["registration_id"]
    page = await events.get(f"/registrations/{rid}", params={"token": registration_token(rid)})
    assert page.status_code == 200, page.text
    assert f"<strong>{code}</strong>" in page.text and "Участник 1" in page.text
    svg = re.search(r"<svg.*?</svg>", page.text, re.S).group(0)
    assert decoded(svg) == [code]
    assert "<script" not in page.text
    assert f"/registrations/{rid}/cancel?token=" in page.text

    waiting = second["registration_id"]
    queued = await events.get(
        f"/registrations/{waiting}", params={"token": registration_token(waiting)}
    )
    assert queued.status_code == 200 and "листе ожидания" in queued.text
    waiting_code = (await db["registrations"].find_one({"_id": waiting}))["short_code"]
    assert waiting_code not in queued.text and "<svg" not in queued.text

    forged = await events.get(
        f"/registrations/{rid}", params={"token": registration_token(waiting)}
    )
    assert forged.status_code == 403 and code not in forged.text and "<svg" not in forged.text
    bare = await events.get(f"/registrations/{rid}")
    assert bare.status_code == 403 and code not in bare.text


def test_a_qr_code_of_another_text_does_not_decode_to_the_code():
    """The decoder in this test can fail: a different code gives a different reading."""
    from nkohub_events.printouts.qr import qr_svg

    assert decoded(str(qr_svg("ABC234", title="x"))) == ["ABC234"]
    assert decoded(str(qr_svg("XYZ777", title="x"))) != ["ABC234"]


def pdf_text(body: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(body))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def words(text: str) -> str:
    return " ".join(text.split())


async def _people_at(events) -> str:
    meetup = await scheduled_meetup(events, title="Открытое общение: налоги")
    mid = meetup["meetup_id"]
    people = [
        person(1, name="Сидоров Иван", organization_name="Фонд «Добро»"),
        person(2, name="ёлкина Анна", role="official", organization_name="Администрация"),
        person(3, name="Борисов Пётр", organization_name="АНО «Шахматы»"),
        person(4, name="Отменивший Тимур"),
    ]
    ids = []
    for body in people:
        r = await events.post(f"/api/v1/meetups/{mid}/registrations", json=body)
        assert r.status_code == 201, r.text
        ids.append(r.json()["registration_id"])
    assert (await events.post(f"/api/v1/registrations/{ids[3]}/cancel", headers=STAFF)).is_success
    return mid


async def test_the_sign_in_sheet_lists_the_expected_people_by_name_with_the_consent(events):
    mid = await _people_at(events)
    sheet = await events.get(
        f"/api/v1/meetups/{mid}/sign-in-sheet.pdf", params={"blank": 4}, headers=STAFF
    )
    assert sheet.status_code == 200, sheet.text
    assert sheet.headers["content-type"] == "application/pdf"
    assert sheet.headers["content-disposition"].startswith('attachment; filename="sign-in-sheet-')
    pages, text = pdf_text(sheet.content)
    assert pages == 1
    flat = words(text)
    assert "Открытое общение: налоги" in flat and "ПНБ им. В.Г. Короленко, Глазов" in flat
    assert words(CONSENT_TEXT["2026-01"]) in flat
    lines = [line.strip() for line in text.splitlines()]
    expected = [
        "1 Борисов Пётр АНО «Шахматы» представитель НКО",
        "2 ёлкина Анна Администрация представитель ОМС",
        "3 Сидоров Иван Фонд «Добро» представитель НКО",
    ]
    assert [words(line) for line in lines if re.match(r"^[123] \D", line)] == expected
    assert [line for line in lines if re.fullmatch(r"\d+", line)] == ["4", "5", "6", "7"]
    assert "Отменивший" not in text


async def test_badges_one_per_confirmed_registration(events):
    mid = await _people_at(events)
    badges = await events.get(f"/api/v1/meetups/{mid}/badges.pdf", headers=STAFF)
    assert badges.status_code == 200 and badges.headers["content-type"] == "application/pdf"
    pages, text = pdf_text(badges.content)
    assert pages == 1
    for name, org, role in [
        ("Борисов Пётр", "АНО «Шахматы»", "представитель НКО"),
        ("ёлкина Анна", "Администрация", "представитель ОМС"),
        ("Сидоров Иван", "Фонд «Добро»", "представитель НКО"),
    ]:
        assert f"{name}\n{org}\n{role}" in text
    assert "Отменивший" not in text
    assert text.count("Открытое общение: налоги") == 3


async def test_papers_are_for_staff_and_name_what_is_wrong(events):
    mid = await _people_at(events)
    for paper in ("sign-in-sheet.pdf", "badges.pdf"):
        assert (await events.get(f"/api/v1/meetups/{mid}/{paper}")).status_code == 401
        unknown = await events.get(f"/api/v1/meetups/nope/{paper}", headers=STAFF)
        assert unknown.status_code == 404 and unknown.json()["error"]["field"] == "meetup_id"
    too_many = await events.get(
        f"/api/v1/meetups/{mid}/sign-in-sheet.pdf", params={"blank": 201}, headers=STAFF
    )
    assert too_many.status_code == 422 and too_many.json()["error"]["field"] == "blank"


@pytest.mark.parametrize("paper", ["sign-in-sheet.pdf", "badges.pdf"])
async def test_without_the_font_the_papers_say_so(sandbox, tmp_path, paper):
    app = create_app(events_settings(sandbox, pdf_font_dir=tmp_path))
    async with running(app) as client:
        mid = (await scheduled_meetup(client))["meetup_id"]
        answer = await client.get(f"/api/v1/meetups/{mid}/{paper}", headers=STAFF)
    assert answer.status_code == 503
    assert "fonts-dejavu-core" in answer.json()["error"]["message"]
