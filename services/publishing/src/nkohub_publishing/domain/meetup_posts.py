"""Posts generated from the events service's meetups: an announcement that follows the
meetup (drafted, or published at once if staff chose so) and a report draft with figures."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from nkohub_contracts.common import MeetupSnapshot
from nkohub_contracts.events import MeetupFigures
from nkohub_publishing.domain import Document
from nkohub_publishing.domain.clock import SAMARA
from nkohub_publishing.domain.posts import UNSEEN, Category, PostStatus, new_post
from nkohub_publishing.domain.text import rendered_fields
from nkohub_shared.russian import date_ru


def when(moment: datetime, tz: str = "Europe/Samara") -> str:
    return date_ru(moment, tz, with_time=True)


def announcement_id(meetup_id: str) -> str:
    return f"meetup-{meetup_id}-announcement"


def report_id(meetup_id: str) -> str:
    return f"meetup-{meetup_id}-report"


def registration_url(events_public_url: str, meetup_id: str) -> str:
    """The meetup's page on the events service (where people register)."""
    return f"{events_public_url.rstrip('/')}/meetups/{meetup_id}"


def announcement_title(meetup: MeetupSnapshot) -> str:
    return f"Анонс: {meetup.title}"


def report_title(meetup: MeetupSnapshot) -> str:
    return f"Итоги встречи: {meetup.title}"


def _md(text: str) -> str:
    """Escape Markdown punctuation in text that comes from elsewhere."""
    for char in "\\`*_[]<>#|":
        text = text.replace(char, "\\" + char)
    return text


def announcement(meetup: MeetupSnapshot, link: str) -> tuple[str, str]:
    """Title and Markdown body of a meetup announcement."""
    venue = _md(meetup.venue.name) + (
        f", {_md(meetup.venue.address)}" if meetup.venue.address else ""
    )
    lines = [
        f"**Когда:** {when(meetup.starts_at, meetup.timezone)} (время местное, Ижевск/Глазов)",
        "",
        f"**Где:** {venue}",
        "",
    ]
    if meetup.description:
        lines += [_md(meetup.description), ""]
    if meetup.program:
        lines += ["## Программа", ""]
        for item in sorted(meetup.program, key=lambda p: p.position):
            at = f"{item.starts_at.astimezone(SAMARA):%H:%M} — " if item.starts_at else ""
            speaker = f" ({_md(item.speaker_name)})" if item.speaker_name else ""
            lines.append(f"{item.position}. {at}{_md(item.title)}{speaker}")
        lines.append("")
    lines += [f"[Зарегистрироваться на встречу]({link})", ""]
    return announcement_title(meetup), "\n".join(lines)


def cancellation(meetup: MeetupSnapshot, reason: str | None) -> tuple[str, str]:
    body = [
        f"**Встреча «{_md(meetup.title)}», назначенная на {when(meetup.starts_at)}, отменена.**",
        "",
    ]
    if reason:
        body += [f"Причина: {_md(reason)}", ""]
    body += ["Следите за новыми анонсами в блоге «Проект +».", ""]
    return f"Отменено: {meetup.title}", "\n".join(body)


def report(meetup: MeetupSnapshot, figures: MeetupFigures) -> tuple[str, str]:
    body = [
        f"{when(meetup.starts_at)} в {_md(meetup.venue.name)} прошла встреча "
        f"«{_md(meetup.title)}».",
        "",
        "## В цифрах",
        "",
        f"- участников: {figures.participants}",
        f"- НКО: {figures.organizations}",
        f"- консультаций: {figures.consultations}",
        "",
        "*Черновик: добавьте рассказ о встрече и фотографии.*",
        "",
    ]
    return report_title(meetup), "\n".join(body)


AUTHOR = "nkohub"


def announcement_post(
    meetup: MeetupSnapshot, link: str, *, slug: str, publish: bool, now: datetime
) -> Document:
    """The announcement of a newly scheduled meetup: a draft, or published at once."""
    title, body = announcement(meetup, link)
    return new_post(
        title=title,
        body=body,
        category=Category.MEETUP_ANNOUNCEMENTS,
        slug=slug,
        slug_explicit=True,
        author=AUTHOR,
        now=now,
        status=PostStatus.PUBLISHED if publish else PostStatus.DRAFT,
        published_at=now if publish else None,
        tags=["митап"],
        meetup_id=meetup.meetup_id,
        meetup_sequence=meetup.sequence,
        generated="announcement",
    )


def announcement_update(meetup: MeetupSnapshot, link: str, now: datetime) -> Document:
    """The announcement's new text after a change of the meetup."""
    title, body = announcement(meetup, link)
    return _retext(title, body, now) | {"meetup_sequence": meetup.sequence}


def cancellation_update(
    meetup: MeetupSnapshot, reason: str | None, status: str, now: datetime
) -> Document:
    """The announcement of a cancelled meetup: an announcement nobody has seen yet is put
    away; a published one stays and tells its readers."""
    title, body = cancellation(meetup, reason)
    changes: dict[str, Any] = {**_retext(title, body, now), "cancelled": True}
    if status in UNSEEN:
        changes["status"] = PostStatus.ARCHIVED.value
        changes["publish_at"] = None
    return changes


def report_post(
    meetup: MeetupSnapshot, figures: MeetupFigures, *, slug: str, now: datetime
) -> Document:
    """The draft of a report on a completed meetup, with its figures."""
    title, body = report(meetup, figures)
    return new_post(
        title=title,
        body=body,
        category=Category.MEETUP_REPORTS,
        slug=slug,
        slug_explicit=False,
        author=AUTHOR,
        now=now,
        tags=["митап", "итоги"],
        meetup_id=meetup.meetup_id,
        figures=figures.model_dump(),
        generated="report",
    )


def _retext(title: str, body: str, now: datetime) -> Document:
    return {
        "title": title,
        "body": body,
        "updated_at": now,
        **rendered_fields(title, body, None),
    }
