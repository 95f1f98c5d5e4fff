"""The pure rules of mailings: who of a segment is mailed and why not, registrant states,
segment validation, the Markdown body, the preference centre's change."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from nkohub_notifications.domain.mailings import (
    Basis,
    RegistrantStatus,
    Segment,
    Verdict,
    audience_counts,
    finished,
    progress,
    registrant_matches,
    verdict,
)
from nkohub_notifications.domain.markdown import markdown_html, markdown_text
from nkohub_notifications.domain.subscribers import Topic, chosen_topics, preference_change

CONFIRMED = {"status": "confirmed", "mailing_consent": True, "topics": {}}


@pytest.mark.parametrize(
    ("subscriber", "basis", "follower", "expected"),
    [
        (None, Basis.CONTACT, False, Verdict.INCLUDED),
        (None, Basis.CONSENT, False, Verdict.NO_CONSENT),
        (CONFIRMED, Basis.CONSENT, False, Verdict.INCLUDED),
        ({**CONFIRMED, "mailing_consent": False}, Basis.CONSENT, False, Verdict.NO_CONSENT),
        ({"status": "pending", "topics": {}}, Basis.CONSENT, False, Verdict.NO_CONSENT),
        ({"status": "contact", "topics": {}}, Basis.CONTACT, False, Verdict.INCLUDED),
        ({"status": "contact", "topics": {}}, Basis.CONSENT, False, Verdict.NO_CONSENT),
        ({"status": "unsubscribed"}, Basis.CONTACT, False, Verdict.UNSUBSCRIBED),
        (
            {**CONFIRMED, "topics": {"mailings": {"email": False}}},
            Basis.CONTACT,
            False,
            Verdict.UNSUBSCRIBED,
        ),
        (CONFIRMED, Basis.CONSENT, True, Verdict.NO_CONSENT),  # the topic was never chosen
        (
            {**CONFIRMED, "topics": {"mailings": {"email": True}}},
            Basis.CONSENT,
            True,
            Verdict.INCLUDED,
        ),
    ],
)
def test_who_of_a_segment_is_mailed(subscriber, basis, follower, expected):
    assert verdict(subscriber, Topic.MAILINGS, basis, follower=follower) is expected


def test_registrant_states():
    confirmed = {"status": "confirmed", "attended": False}
    came = {"status": "confirmed", "attended": True}
    waiting = {"status": "waitlisted", "attended": False}
    cancelled = {"status": "cancelled", "attended": False}
    no_show = [RegistrantStatus.NO_SHOW]
    assert registrant_matches(confirmed, no_show, meetup_completed=True)
    assert not registrant_matches(confirmed, no_show, meetup_completed=False)
    assert not registrant_matches(came, no_show, meetup_completed=True)
    assert registrant_matches(came, [RegistrantStatus.CAME], meetup_completed=False)
    assert registrant_matches(waiting, [RegistrantStatus.WAITLISTED], meetup_completed=False)
    both = [RegistrantStatus.CONFIRMED, RegistrantStatus.WAITLISTED]
    assert not registrant_matches(cancelled, both, meetup_completed=True)


def test_a_segment_names_what_it_needs():
    with pytest.raises(ValidationError, match="meetup_id"):
        Segment(kind="meetup_registrants", statuses=["came"])
    with pytest.raises(ValidationError, match="topic"):
        Segment(kind="topic")
    with pytest.raises(ValidationError, match="not an e-mail address"):
        Segment(kind="list", recipients=["a@b@c"])
    assert Segment(kind="topic", topic="grants").unsubscribe_topic() is Topic.GRANTS
    assert Segment(kind="organizations").unsubscribe_topic() is Topic.MAILINGS
    assert Segment(kind="organizations").basis is Basis.CONTACT
    assert Segment(kind="list", recipients=["x"]).basis is Basis.CONSENT


def test_the_body_is_markdown_without_raw_html_or_scripts():
    html = markdown_html(
        "**Важно**: [сайт](https://example.org) <script>alert(1)</script> [x](javascript:alert(1))"
    )
    assert "<strong>Важно</strong>" in html
    assert '<a href="https://example.org" rel="noopener noreferrer">сайт</a>' in html
    assert "<script" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;" in html  # raw HTML is shown as text
    assert markdown_text("a\r\nb\r\n") == "a\nb\n"


def test_counts_and_the_end_of_a_mailing():
    counts = audience_counts([Verdict.INCLUDED, Verdict.INCLUDED, Verdict.UNSUBSCRIBED])
    assert counts == {"included": 2, "no_consent": 0, "unsubscribed": 1, "no_address": 0}
    assert progress({"sent": 3}) == {
        "queued": 0,
        "sending": 0,
        "sent": 3,
        "failed": 0,
        "suppressed": 0,
    }
    assert finished(progress({"sent": 3, "suppressed": 1}))
    assert not finished(progress({"sent": 3, "sending": 1}))


def test_the_preference_centre_confirms_what_is_ticked():
    contact = {"status": "contact", "topics": {"grants": {"email": True, "telegram": True}}}
    change = preference_change(contact, {Topic.MEETUPS})
    assert change["status"] == "confirmed" and change["mailing_consent"] is True
    assert change["consent_source"] == "preference_centre"
    assert change["topics"]["meetups"]["email"] is True
    assert change["topics"]["grants"] == {"email": False, "telegram": True}
    assert chosen_topics({**contact, **change}) == {Topic.MEETUPS}
    assert preference_change(contact, set())["status"] == "unsubscribed"
