"""A mailing's attachments: files staff chose among the publishing service's uploads
(their ids), copied into this service's own storage when the mailing is tested or
scheduled, attached to every message of it, deleted some time after it was sent.

The rules here: which ids a mailing may name, the size cap of one mailing's files
together, reading the file's name and type from publishing's answer, and what a message
stores of an attachment (a reference to the copy, never the bytes once per recipient).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from email.message import Message
from typing import Annotated, Any
from urllib.parse import unquote

from pydantic import StringConstraints

MAX_ATTACHMENTS = 10
DEFAULT_CAP_BYTES = 10 * 1024 * 1024  # all of one mailing's files together
FileId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
# The types publishing accepts (checked there by content): PDFs and images.
ALLOWED_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png", "image/webp", "image/gif"})
FIELD = "attachments"
EXTENDED_NAME = re.compile(r"filename\*\s*=\s*([^;]+)", re.IGNORECASE)


class AttachmentRefused(ValueError):
    """A file that cannot be attached: unknown, of another type, too large together."""


def filename_of(content_disposition: str | None, file_id: str, content_type: str) -> str:
    """The file's name from ``Content-Disposition`` (RFC 2231/5987 ``filename*`` first,
    Cyrillic kept), else one made of its id and type."""
    if content_disposition:
        extended = EXTENDED_NAME.search(content_disposition)
        if extended:  # RFC 5987: charset'language'percent-encoded
            charset, _, encoded = extended.group(1).strip().strip('"').split("'", 2)
            name = unquote(encoded, encoding=charset or "utf-8", errors="replace")
        else:
            header = Message()
            header["Content-Disposition"] = content_disposition
            name = header.get_filename() or ""
        name = name.replace("/", "_").replace("\\", "_").strip()[:200]
        if name:
            return name
    extension = {"application/pdf": "pdf"}.get(content_type, content_type.split("/")[-1])
    return f"{file_id}.{extension}"


def media_type(content_type: str | None) -> str:
    """``image/png; charset=…`` → ``image/png``; refused unless a PDF or an image."""
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind not in ALLOWED_TYPES:
        raise AttachmentRefused(f"файл не PDF и не изображение ({kind or 'тип неизвестен'})")
    return kind


def check_total(total: int, cap: int) -> None:
    if total > cap:
        raise AttachmentRefused(
            f"вложения вместе больше {cap // (1024 * 1024)} МБ: письмо не дойдёт до многих ящиков"
        )


def message_attachment(copy: dict[str, Any]) -> dict[str, Any]:
    """What a message stores of an attachment: the copy's id, name and type."""
    maintype, subtype = copy["content_type"].split("/", 1)
    return {
        "stored_id": copy["stored_id"],
        "filename": copy["filename"],
        "maintype": maintype,
        "subtype": subtype,
        "size": copy["size"],
    }


def copies_expire(finished_at: datetime, keep: timedelta) -> datetime:
    """When a sent or cancelled mailing's copies may go."""
    return finished_at + keep
