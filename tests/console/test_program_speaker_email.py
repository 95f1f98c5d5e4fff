"""The meetup form's program takes a speaker's contact e-mail (staff only): saved in the
events service, shown again in the form, refused next to its cell when it is not an
address, never in the public API's answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.console.support import browser, post_form, service_client, sign_in
from tests.console.test_pages import console, create_meetup, meetup_form  # noqa: F401
from tests.support.inprocess import staff_headers

EMAIL = "o.smirnova@example.org"


async def test_the_speaker_email_is_saved_shown_to_staff_and_refused_when_bad(console):  # noqa: F811
    starts = datetime.now(UTC) + timedelta(days=10)
    async with browser(console) as client:
        await sign_in(client, "olga@library.ru")
        bad = await post_form(
            client,
            "/console/meetups/new",
            "/console/meetups/new",
            meetup_form(starts, **{"program-0-speaker_email": "не адрес"}),
        )
        assert bad.status_code == 422
        assert 'id="e-program-0-speaker_email"' in bad.text, "the refusal next to its cell"
        assert 'value="не адрес"' in bad.text, "what was typed stays"
        meetup_id = await create_meetup(client, starts, **{"program-0-speaker_email": EMAIL})
        edit = await client.get(f"/console/meetups/{meetup_id}/edit")
        assert edit.status_code == 200
        assert f'name="program-0-speaker_email" value="{EMAIL}"' in edit.text
    async with service_client(console, "events") as events:
        stored = await events.get(f"/api/v1/meetups/{meetup_id}", headers=staff_headers())
        assert stored.status_code == 200
        assert stored.json()["program"][0]["speaker_email"] == EMAIL
        published = await events.post(
            f"/api/v1/meetups/{meetup_id}/publish", headers=staff_headers()
        )
        assert published.status_code == 200
        public = await events.get(f"/api/v1/meetups/{meetup_id}")
        assert public.status_code == 200 and EMAIL not in public.text
        assert "Глава города" in public.text
