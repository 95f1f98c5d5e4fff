"""Files staff upload (post covers and illustrations, the grants calendar, guides,
documents): which types are taken — decided by the content's first bytes, never by the
name or the client's ``Content-Type`` —, how large each kind may be, what is refused as a
polyglot, an image's dimensions read from its header, the name kept for display and
``Content-Disposition`` (never used in a path), alt text, and the events.

SVG is refused: it is XML that may carry script. HTML disguised behind an image's magic
bytes, and images or PDFs with a ZIP archive appended (GIFAR-style polyglots), are refused.
"""

from __future__ import annotations

import re
import struct
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, StringConstraints

from nkohub_contracts import CloudEvent, new_event
from nkohub_contracts.publishing import FileDeleted, FileUploaded
from nkohub_publishing.domain import Document
from nkohub_publishing.domain.inputs import Text
from nkohub_publishing.domain.limits import TooLarge
from nkohub_shared.errors import Conflict, DomainError, InvalidInput
from nkohub_shared.text import one_line

NAME_MAX = 200  # characters of the name kept for display
ALT_MAX = 500
SNIFF_BYTES = 16  # enough to tell every accepted type apart
HEAD_BYTES = 512 * 1024  # kept to read dimensions (a JPEG's frame header follows its EXIF)
MARKUP_WINDOW = 1024  # browsers sniff HTML in the first 512 bytes; we look at twice that
TAIL_BYTES = 64 * 1024  # kept to check how a file ends


class FileKind(StrEnum):
    IMAGE = "image"
    PDF = "pdf"


@dataclass(frozen=True)
class FileType:
    mime: str
    kind: FileKind
    extension: str


JPEG = FileType("image/jpeg", FileKind.IMAGE, "jpg")
PNG = FileType("image/png", FileKind.IMAGE, "png")
GIF = FileType("image/gif", FileKind.IMAGE, "gif")
WEBP = FileType("image/webp", FileKind.IMAGE, "webp")
PDF = FileType("application/pdf", FileKind.PDF, "pdf")
TYPES = {t.mime: t for t in (JPEG, PNG, GIF, WEBP, PDF)}


class UnsupportedType(DomainError):
    """415: the content is not one of the accepted types."""

    status_code = 415
    code = "unsupported_type"


def _refused(message: str) -> UnsupportedType:
    return UnsupportedType(message, field="file")


PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"
_MARKUP = re.compile(
    rb"<(?:!doctype|html|head|body|script|svg|\?xml|iframe|object|embed|meta|style|xml)[\s>/]",
    re.IGNORECASE,
)
_ZIP_DIRECTORY_END = b"PK\x05\x06"


def sniff(head: bytes) -> FileType:
    """The type of a file from its first bytes (at least ``SNIFF_BYTES`` unless shorter);
    ``UnsupportedType`` (415) for anything else, SVG named as such."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(PNG_MAGIC):
        return PNG
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"%PDF-"):
        return PDF
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<svg", b"<?xml")) or b"<svg" in head.lower():
        raise _refused("SVG не принимается: он может содержать скрипт; загрузите PNG или JPEG")
    raise _refused(
        "принимаются только JPEG, PNG, WebP, GIF и PDF (тип определяется по содержимому)"
    )


def check_head(file_type: FileType, head: bytes) -> None:
    """Refuse markup a browser might run behind an image's or a PDF's magic bytes."""
    if _MARKUP.search(head[:MARKUP_WINDOW]):
        raise _refused("файл похож на HTML или SVG под видом изображения или PDF")


def check_tail(file_type: FileType, tail: bytes, size: int) -> None:
    """Refuse a file that does not end as its type ends, or that carries a ZIP archive
    (a GIFAR-style polyglot)."""
    if _ZIP_DIRECTORY_END in tail:
        raise _refused("к файлу приложен архив ZIP: такие файлы не принимаются")
    if file_type is PNG and not tail.endswith(PNG_END):
        raise _refused("файл PNG повреждён или после его конца есть что-то ещё")
    if file_type is PDF and b"%%EOF" not in tail[-1024:]:
        raise _refused("файл PDF повреждён: нет его конца (%%EOF)")


def check_webp_size(head: bytes, size: int) -> None:
    """A WebP's RIFF header states its length: anything after it is refused."""
    if len(head) >= 8 and struct.unpack("<I", head[4:8])[0] + 8 != size:
        raise _refused("файл WebP повреждён или после его конца есть что-то ещё")


# ---------------------------------------------------------------- sizes


@dataclass(frozen=True)
class SizeLimits:
    image: int
    pdf: int

    def of(self, kind: FileKind) -> int:
        return self.image if kind is FileKind.IMAGE else self.pdf

    @property
    def largest(self) -> int:
        return max(self.image, self.pdf)


def too_large(kind: FileKind | None, limit: int) -> TooLarge:
    what = {FileKind.IMAGE: "изображение", FileKind.PDF: "PDF", None: "файл"}[kind]
    return TooLarge(f"{what} больше {limit // (1024 * 1024)} МБ", field="file", limit=limit)


# ---------------------------------------------------------------- dimensions


def dimensions(file_type: FileType, head: bytes) -> tuple[int, int] | None:
    """(width, height) of an image from its header; ``None`` for a PDF. An image whose
    header cannot be read is refused."""
    if file_type.kind is not FileKind.IMAGE:
        return None
    try:
        size = _READERS[file_type.mime](head)
    except (struct.error, IndexError, ValueError):
        size = None
    if size is None or size[0] <= 0 or size[1] <= 0:
        raise _refused("не удалось прочитать размеры изображения: файл повреждён")
    return size


def _png(head: bytes) -> tuple[int, int] | None:
    if head[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", head[16:24])


def _gif(head: bytes) -> tuple[int, int]:
    return struct.unpack("<HH", head[6:10])


def _jpeg(head: bytes) -> tuple[int, int] | None:
    at = 2
    while at + 4 <= len(head):
        if head[at] != 0xFF:
            return None
        marker = head[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # markers without a length
            at += 2
            continue
        length = struct.unpack(">H", head[at + 2 : at + 4])[0]
        # start of frame: baseline, progressive, lossless… (not DHT C4, JPG C8, DAC CC)
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", head[at + 5 : at + 9])
            return width, height
        if marker == 0xDA:  # image data began without a frame header
            return None
        at += 2 + length
    return None


def _webp(head: bytes) -> tuple[int, int] | None:
    chunk = head[12:16]
    if chunk == b"VP8X":
        width = int.from_bytes(head[24:27], "little") + 1
        height = int.from_bytes(head[27:30], "little") + 1
        return width, height
    if chunk == b"VP8 ":
        if head[23:26] != b"\x9d\x01\x2a":
            return None
        width, height = struct.unpack("<HH", head[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L":
        if head[20] != 0x2F:
            return None
        bits = int.from_bytes(head[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


_READERS = {PNG.mime: _png, GIF.mime: _gif, JPEG.mime: _jpeg, WEBP.mime: _webp}


# ---------------------------------------------------------------- names


_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')
_URL_UNSAFE = re.compile(r"[^0-9A-Za-zА-Яа-яЁё._-]+")


def display_name(given: str | None, file_type: FileType) -> str:
    """The uploaded name as people see it (Cyrillic kept): no path, no control or
    reserved characters, at most ``NAME_MAX`` characters, with the extension of its real
    type (``отчёт.exe`` that is a PDF → ``отчёт.exe.pdf``)."""
    name = unicodedata.normalize("NFC", given or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = one_line(_UNSAFE.sub(" ", name)).strip(" .")
    stem, dot, extension = name.rpartition(".")
    if dot and extension.lower() in _EXTENSIONS.get(file_type.mime, ()):
        name = stem.strip(" .")
    name = name[: NAME_MAX - len(file_type.extension) - 1].rstrip(" .") or "file"
    return f"{name}.{file_type.extension}"


_EXTENSIONS = {
    JPEG.mime: ("jpg", "jpeg", "jpe", "jfif"),
    PNG.mime: ("png",),
    GIF.mime: ("gif",),
    WEBP.mime: ("webp",),
    PDF.mime: ("pdf",),
}


def url_name(name: str) -> str:
    """The name's form in a URL path: letters (Cyrillic too), digits, ``._-``; the rest
    one ``-``. Only decorative: a file is found by its id."""
    safe = _URL_UNSAFE.sub("-", name).strip("-.") or "file"
    return safe[:NAME_MAX]


def file_path(file_id: str, name: str) -> str:
    """The public path of a file: ``/files/<id>/<name>`` (the name percent-encoded)."""
    return f"/files/{file_id}/{quote(url_name(name))}"


def content_disposition(file: Document, *, download: bool = False) -> str:
    """``inline`` (images, PDFs in the browser's viewer) or ``attachment``, with an ASCII
    fallback and the real name as RFC 5987 ``filename*`` (Cyrillic names survive)."""
    name = file["name"]
    ascii_name = name.encode("ascii", "ignore").decode().replace('"', "").strip() or "file"
    if ascii_name.startswith("."):
        ascii_name = "file" + ascii_name
    disposition = "attachment" if download else "inline"
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


# ---------------------------------------------------------------- what staff send

Alt = Annotated[str, StringConstraints(strip_whitespace=True, max_length=ALT_MAX)]


class FileFields(BaseModel):
    """What staff may change on a file (its bytes never change)."""

    model_config = ConfigDict(extra="forbid")
    title: Text | None = None
    alt: Alt | None = None


def file_changes(fields: FileFields, now: datetime) -> Document:
    changes: Document = {}
    given = fields.model_dump(exclude_unset=True)
    if given.get("title") is not None:
        changes["title"] = given["title"]
    if "alt" in given:
        changes["alt"] = one_line(given["alt"] or "")
    changes["updated_at"] = now
    return changes


# ---------------------------------------------------------------- a new file


def new_file(
    *,
    file_id: str,
    file_type: FileType,
    name: str,
    size: int,
    sha256: str,
    size_px: tuple[int, int] | None,
    title: str | None,
    alt: str | None,
    actor: str,
    now: datetime,
) -> Document:
    doc: Document = {
        "_id": file_id,
        "name": name,
        "title": one_line(title or "")[:300] or name.rsplit(".", 1)[0],
        "alt": one_line(alt or "")[:ALT_MAX],
        "content_type": file_type.mime,
        "kind": file_type.kind.value,
        "size": size,
        "sha256": sha256,
        "uploaded_at": now,
        "updated_at": now,
        "uploaded_by": actor,
    }
    if size_px:
        doc["width"], doc["height"] = size_px
    return doc


def uploaded_event(file: Document, base_url: str) -> CloudEvent:
    return new_event(
        FileUploaded(
            file_id=file["_id"],
            name=file["name"],
            title=file["title"],
            content_type=file["content_type"],
            kind=file["kind"],
            size=file["size"],
            sha256=file["sha256"],
            url=base_url + file_path(file["_id"], file["name"]),
            width=file.get("width"),
            height=file.get("height"),
            actor=file.get("uploaded_by"),
        )
    )


def deleted_event(file: Document, actor: str) -> CloudEvent:
    return new_event(FileDeleted(file_id=file["_id"], sha256=file["sha256"], actor=actor))


# ---------------------------------------------------------------- where a file is used


def file_ids_in(markdown: str) -> list[str]:
    """The ids of our files a post's Markdown points at (``/files/<id>/…``, relative or
    on any host), in order, once each."""
    return list(dict.fromkeys(_FILE_LINK.findall(markdown or "")))


_FILE_LINK = re.compile(r"/files/([0-9a-f]{32})(?:/|\b)")
_UNDESCRIBED = re.compile(r"!\[\s*\]\(\s*<?(?:https?://[^/\s)]+)?/files/([0-9a-f]{32})")


def undescribed_images(markdown: str) -> list[str]:
    """Ids of our files a post shows as images with no alt text (``![](/files/…)``)."""
    return list(dict.fromkeys(_UNDESCRIBED.findall(markdown or "")))


def check_usable(file: Document | None, file_id: str, *, field: str, image: bool) -> Document:
    """A file a post or an entry may point at: it exists; a cover or an illustration is an
    image with alt text (people who hear the page need it)."""
    if file is None:
        raise InvalidInput(f"нет файла {file_id}", field=field)
    if image and file["kind"] != FileKind.IMAGE:
        raise InvalidInput(f"файл «{file['name']}» — не изображение", field=field)
    if image and not file.get("alt"):
        raise InvalidInput(
            f"у изображения «{file['name']}» нет описания (alt): добавьте его в «Файлах»",
            field=field,
        )
    return file


def in_use(file: Document, uses: list[dict[str, Any]]) -> Conflict:
    """409 naming where the file is used (``uses``: ``{"kind", "id", "title"}``)."""
    labels = {"post": "запись", "document": "документ", "competition": "конкурс"}
    listed = "; ".join(f"{labels.get(u['kind'], u['kind'])} «{u['title']}»" for u in uses[:10])
    more = f" и ещё {len(uses) - 10}" if len(uses) > 10 else ""
    return Conflict(
        f"файл «{file['name']}» используется: {listed}{more}. Сначала уберите его оттуда.",
        field="file_id",
        used_by=uses,
    )
