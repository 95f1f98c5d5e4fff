"""Posts generated from the events service's meetups: announcements and report drafts."""

from __future__ import annotations

from datetime import datetime

from nkohub_publishing.domain import SAMARA
from nkohub_shared.contracts.common import MeetupSnapshot
from nkohub_shared.contracts.events import MeetupFigures
from nkohub_shared.russian import date_ru


def when(moment: datetime, tz: str = "Europe/Samara") -> str:
    return date_ru(moment, tz, with_time=True)


def announcement_id(meetup_id: str) -> str:
    return f"meetup-{meetup_id}-announcement"


def report_id(meetup_id: str) -> str:
    return f"meetup-{meetup_id}-report"


def registration_url(events_public_url: str, meetup_id: str) -> str:
    return f"{events_public_url.rstrip('/')}/meetups/{meetup_id}"


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
    return f"Анонс: {meetup.title}", "\n".join(lines)


def cancelled(meetup: MeetupSnapshot, reason: str | None) -> tuple[str, str]:
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
    return f"Итоги встречи: {meetup.title}", "\n".join(body)
