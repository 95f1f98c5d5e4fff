"""The public erasure request end to end, on the real servers: the registry's form, its
``registry.erasure.requested``, the mail notifications sends with a working link, the
confirmation, the platform-wide erasure (which takes the mail's log entry too)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from nkohub_contracts import CloudEvent
from nkohub_registry.app import create_app as create_registry
from nkohub_registry.settings import RegistrySettings
from nkohub_shared.privacy import person_key
from tests.contracts.history import bindings_of, read_history
from tests.registry.test_erasure import add_person, form_fields
from tests.support.broker import publish_events, wait_until
from tests.support.inprocess import running, staff_headers
from tests.support.notifications_smtp import address, parts

from .conftest import none_queued

EMAIL = "anna.secret@example.ru"
DONE = "Если этот адрес есть у нас, мы отправили на него письмо со ссылкой"


async def test_a_request_mails_a_working_link_once_and_the_confirmation_erases_everywhere(
    sandbox, smtp, service, spy
):
    settings = RegistrySettings(
        **sandbox.settings("registry", public_base_url="https://registry.example.org")
    )
    app = create_registry(settings)
    async with running(app) as registry:
        db = app.state.runtime.db
        person = await add_person(registry, email=EMAIL)
        key = person_key(EMAIL)

        # an unknown address: the same page, a request stored without events, no mail
        unknown = await registry.post("/people/erase", data={"email": "nobody@example.ru"})
        known = await registry.post("/people/erase", data={"email": "  Anna.Secret@example.ru "})
        assert unknown.status_code == known.status_code == 202
        assert DONE in known.text and unknown.text == known.text
        requests = {d["status"]: d async for d in db.erasure_requests.find({})}
        assert set(requests) == {"unknown", "mailed"}
        assert requests["unknown"]["people"] == 0 and not requests["unknown"].get("_outbox")
        assert requests["mailed"]["person_key"] == key and "email" not in requests["mailed"]

        [mail] = await smtp.wait_count(1)
        assert address(mail) == EMAIL
        assert mail["Subject"] == "Удаление ваших персональных данных"
        text = parts(mail)["text/plain"].get_content()
        assert "Пока вы не нажмёте кнопку на странице, ничего не удаляется" in text
        url = re.search(r"https://registry\.example\.org(\S+)", text).group(1)
        assert urlsplit(url).path == f"/people/{person['id']}/erase"
        html = parts(mail)["text/html"].get_content()
        assert url.replace("&", "&amp;") in html

        # the event: personal data, never in the history stream; redelivered → no 2nd mail
        [event] = spy.of_type("registry.erasure.requested")
        assert event["data"]["email"] == EMAIL.lower() and event["data"]["person_key"] == key
        assert ("nkohub", "registry.erasure.requested") not in bindings_of(
            sandbox, "nkohub.history"
        )
        await service.db.processed_events.delete_many({"event_id": event["id"]})
        await publish_events(sandbox.amqp_url, CloudEvent.model_validate(event))
        await wait_until(
            lambda: service.db.processed_events.find_one({"event_id": event["id"], "state": "done"})
        )
        await wait_until(lambda: none_queued(service))
        assert len(smtp.messages) == 1
        [logged] = await service.messages(recipient_key=key)
        assert (logged["template"], logged["status"]) == ("erasure_request", "sent")

        # the link opens the confirmation page; its button erases
        page = await registry.get(url)
        assert page.status_code == 200 and "Удалить мои данные" in page.text
        done = await registry.post(url.split("?")[0], data=form_fields(page.text))
        assert done.status_code == 200 and "Данные удалены" in done.text
        erased = await registry.get(f"/api/v1/people/{person['id']}", headers=staff_headers())
        assert erased.json()["erased"] is True and erased.json()["email"] is None
        # notifications erased its copy: the delivery log entry of the request mail too
        await wait_until(lambda: _none_of(service, key))
        requests = [d async for d in db.erasure_requests.find({"status": "erased"})]
        assert len(requests) == 1 and requests[0]["person_key"] is None

        # the history has the erasure, and never the request
        entries = await read_history(
            sandbox.amqp_url,
            lambda got: any(e["type"] == "registry.person.erased" for _, e in got),
        )
        assert not [e for _, e in entries if e["type"] == "registry.erasure.requested"]


async def _none_of(service, key: str) -> bool:
    return await service.db.messages.count_documents({"recipient_key": key}) == 0
