"""The e-mail policies that remember shared header lines write exactly what the standard
policies write, and refuse what they refuse."""

from __future__ import annotations

import re
from email.policy import default

import pytest
from aiosmtplib.email import flatten_message

from nkohub_notifications.channels import header_cache
from nkohub_notifications.channels import smtp as channel

SENDER = "НКО Глазов <noreply@nko.example.org>"


def _message(i: int) -> dict:
    return {
        "_id": f"m{i}",
        "to": f"r{i}@example.org",
        "recipient_name": "Мария Иванова" if i % 2 else 'John "Q" Smith, Jr.',
        "subject": "Новая встреча: «Гранты для НКО» — как подать заявку, 12 декабря",
        "text": "Здравствуйте!\n\nПриглашаем на встречу.\n",
        "html": "<p>Здравствуйте!</p><p>Приглашаем на встречу.</p>",
        "headers": {
            "List-Unsubscribe": f"<https://notify.example.org/u/{i}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
        "attachments": [
            {
                "subtype": "calendar",
                "filename": "встреча.ics",
                "content": "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
                "method": "REQUEST",
            }
        ]
        if i % 3 == 0
        else [],
    }


def _boundaries_out(raw: bytes) -> bytes:
    return re.sub(rb"={15}\d+==", b"BOUNDARY", raw)


@pytest.mark.parametrize(("utf8", "cte_type"), [(False, "8bit"), (False, "7bit"), (True, "8bit")])
def test_the_bytes_are_those_of_the_standard_policies(monkeypatch, utf8, cte_type):
    monkeypatch.setattr(channel, "formatdate", lambda usegmt: "Mon, 30 Nov 2026 07:00:00 GMT")
    for i in range(12):  # the second round of each shape comes from what was remembered
        ours = channel.flatten(
            channel.build_email(_message(i), sender=SENDER), utf8=utf8, cte_type=cte_type
        )
        monkeypatch.setattr(header_cache, "MESSAGE", default)
        email = channel.build_email(_message(i), sender=SENDER)
        standard = flatten_message(email, utf8=utf8, cte_type=cte_type)
        monkeypatch.undo()
        monkeypatch.setattr(channel, "formatdate", lambda usegmt: "Mon, 30 Nov 2026 07:00:00 GMT")
        assert _boundaries_out(ours) == _boundaries_out(standard)


def test_a_line_break_in_a_shared_header_is_refused_even_after_its_first_line_was_seen():
    channel.build_email({**_message(1), "subject": "Итоги"}, sender=SENDER)
    with pytest.raises(ValueError):
        channel.build_email(
            {**_message(1), "subject": "Итоги\r\nBcc: all@example.org"}, sender=SENDER
        )
