"""The confirmation e-mail carries the registration's door code, as text and as a QR
image (PNG attachment), next to the link to the meetup page and to its question form."""

from __future__ import annotations

import io

import segno

from nkohub_contracts.events import RegistrationConfirmed
from tests.support.notifications_smtp import parts

from .conftest import meetup, participant, reg_id


async def test_the_confirmation_carries_the_door_code_and_its_qr_image(service, smtp):
    rid = reg_id()
    m = meetup()
    await service.publish(
        RegistrationConfirmed(
            registration_id=rid, meetup=m, participant=participant(), short_code="K7M2QX"
        )
    )
    [mail] = await smtp.wait_count(1)
    text = parts(mail)["text/plain"].get_content()
    assert "Код для входа: K7M2QX" in text
    assert m.public_url in text
    assert f"/meetups/{m.meetup_id}?registration={rid}&token=" in text
    [image] = [p for p in mail.walk() if p.get_content_type() == "image/png"]
    assert image.get_filename() == "kod-dlya-vhoda.png"
    png = image.get_content()
    assert png.startswith(b"\x89PNG")
    expected = io.BytesIO()
    segno.make("K7M2QX", error="m", micro=False).save(expected, kind="png", scale=8, border=2)
    assert png == expected.getvalue()
    stored = await service.db.messages.find_one({"registration_id": rid})
    assert [a["filename"] for a in stored["attachments"]] == ["invite.ics", "kod-dlya-vhoda.png"]


async def test_without_a_door_code_there_is_no_image(service, smtp):
    await service.publish(
        RegistrationConfirmed(registration_id=reg_id(), meetup=meetup(), participant=participant())
    )
    [mail] = await smtp.wait_count(1)
    assert "Код для входа" not in parts(mail)["text/plain"].get_content()
    assert not [p for p in mail.walk() if p.get_content_type() == "image/png"]
