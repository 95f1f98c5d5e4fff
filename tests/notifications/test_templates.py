"""Templates staff edit: a broken draft is refused on save (part, line); a saved override
is what a real e-mail carries; restore and reset; a second replica picks it up."""

from __future__ import annotations

from nkohub_contracts.events import RegistrationConfirmed
from tests.support.broker import wait_until
from tests.support.inprocess import staff_headers
from tests.support.notifications_smtp import parts

from .conftest import meetup, participant, reg_id, start_service

API = "/api/v1/staff/templates"


async def draft_of(service, name: str) -> dict[str, str]:
    shown = (await service.client.get(f"{API}/{name}", headers=staff_headers())).json()
    return {part: shown[part] for part in ("subject", "html", "text")}


async def test_broken_drafts_are_refused_with_part_and_line(service):
    headers = staff_headers()
    good = await draft_of(service, "registration_confirmed")
    cases = [
        ({"html": "<p>Привет</p>\n{{ nobody }}"}, "html", 2, "неизвестная переменная nobody"),
        ({"text": "строка\n\n{% if meetup %}"}, "text", 3, "ошибка синтаксиса"),
        ({"subject": "{{ meetup.__class__ }}"}, "subject", 1, "запрещено"),
        ({"html": "{{ name | safe }}"}, "html", 1, "safe"),
    ]
    for change, part, line, message in cases:
        r = await service.client.put(
            f"{API}/registration_confirmed", json={**good, **change}, headers=headers
        )
        assert r.status_code == 422, change
        error = r.json()["error"]
        assert error["field"] == part and error["line"] == line, error
        assert message in error["message"], error
    listed = (await service.client.get(API, headers=headers)).json()
    assert not next(t for t in listed if t["name"] == "registration_confirmed")["overridden"]
    assert await service.db.template_overrides.count_documents({}) == 0  # nothing stored
    assert (await service.client.put(f"{API}/nope", json=good, headers=headers)).status_code == 404
    assert (await service.client.put(f"{API}/reminder", json=good)).status_code == 401


async def test_override_is_mailed_then_reset_brings_the_default(service, smtp):
    headers = staff_headers(sub="librarian-1")
    draft = await draft_of(service, "registration_confirmed")
    draft["subject"] = "Ждём вас: {{ meetup.title }}"
    draft["text"] = "Ваше место за вами, код {{ short_code }}.\n" + draft["text"]
    draft["html"] = "<p>Ваше место за вами, код {{ short_code }}.</p>\n" + draft["html"]
    preview = await service.client.post(
        f"{API}/registration_confirmed/preview", json=draft, headers=headers
    )
    assert preview.status_code == 200
    assert preview.json()["subject"] == "Ждём вас: Открытое общение: гранты и отчётность НКО"
    assert "Ваше место за вами, код K7M2QX." in preview.json()["text"]
    saved = await service.client.put(f"{API}/registration_confirmed", json=draft, headers=headers)
    assert saved.status_code == 200 and saved.json()["version"] == 1

    m = meetup()
    await service.publish(
        RegistrationConfirmed(
            registration_id=reg_id(), meetup=m, participant=participant(), short_code="ABC123"
        )
    )
    [mail] = await smtp.wait_count(1)
    assert str(mail["Subject"]) == f"Ждём вас: {m.title}"
    body = parts(mail)
    assert "Ваше место за вами, код ABC123." in body["text/plain"].get_content()
    assert "<p>Ваше место за вами, код ABC123.</p>" in body["text/html"].get_content()

    reset = await service.client.delete(f"{API}/registration_confirmed", headers=headers)
    assert reset.json() == {"name": "registration_confirmed", "overridden": False}
    m2 = meetup()
    await service.publish(
        RegistrationConfirmed(registration_id=reg_id(), meetup=m2, participant=participant())
    )
    await smtp.wait_count(2)
    assert str(smtp.messages[1]["Subject"]) == f"Регистрация подтверждена: {m2.title}"

    history = (
        await service.client.get(f"{API}/registration_confirmed/history", headers=headers)
    ).json()
    assert [(e["action"], e["by"]) for e in history] == [
        ("reset", "librarian-1"),
        ("saved", "librarian-1"),
    ]
    restored = await service.client.post(
        f"{API}/registration_confirmed/history/{history[1]['id']}/restore", headers=headers
    )
    assert restored.json()["version"] == 3  # saved, reset, restored
    shown = (await service.client.get(f"{API}/registration_confirmed", headers=headers)).json()
    assert shown["overridden"] and shown["subject"] == "Ждём вас: {{ meetup.title }}"
    assert shown["default"]["subject"] == "Регистрация подтверждена: {{ meetup.title }}"
    assert {v["name"] for v in shown["variables"]} >= {"meetup", "short_code", "cancel_url"}


async def test_another_replica_uses_the_override_after_its_refresh(sandbox, smtp, service):
    """Two replicas on one database: the one that did not save sees the new version."""
    async with start_service(sandbox, smtp, template_refresh_seconds=0.2) as other:
        draft = await draft_of(service, "reminder")
        draft["subject"] = "Скоро: {{ meetup.title }}"
        await service.client.put(f"{API}/reminder", json=draft, headers=staff_headers())

        async def picked_up() -> bool:
            return other.ctx.notifier.renderer.override_version("reminder") == 1

        await wait_until(picked_up)
        assert other.ctx.notifier.preview("reminder").subject.startswith("Скоро: ")
