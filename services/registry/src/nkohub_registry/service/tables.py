"""Reading an uploaded table: CSV (UTF-8, or a Cyrillic code page such as windows-1251;
``;``, ``,`` or tab between fields) or XLSX, row by row.

Limits, each checked while reading: the upload's size (``MAX_UPLOAD_BYTES``, 413, checked
by the route as the bytes arrive), the rows (``load_rows`` stops at the first row past its
cap), and an XLSX's unpacked size (``MAX_UNPACKED_BYTES``, from the archive's directory,
before anything is unpacked: a small file cannot unpack into gigabytes). Reading is
CPU-bound: callers on the event loop run ``load_rows`` in a thread.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from typing import Any

from charset_normalizer import from_bytes

from nkohub_shared.errors import DomainError, InvalidInput

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_ROWS = 100_000
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class TableError(InvalidInput):
    """The file is not a table the registry can read (one clear message, field ``file``)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="file")


class FileTooLarge(DomainError):
    """413: the upload is over ``MAX_UPLOAD_BYTES`` (field ``file``)."""

    status_code = 413
    code = "too_large"

    def __init__(self, limit: int = MAX_UPLOAD_BYTES) -> None:
        super().__init__(f"файл больше {limit // (1024 * 1024)} МБ", field="file", limit=limit)


def load_rows(
    data: bytes, filename: str = "", max_rows: int = MAX_ROWS
) -> list[tuple[int, list[Any]]]:
    """The header and at most ``max_rows`` rows; ``TableError`` at the first row past the
    cap, before any further row is read."""
    rows: list[tuple[int, list[Any]]] = []
    for row in read_rows(data, filename):
        if len(rows) > max_rows:
            raise TableError(f"слишком много строк: больше {max_rows}")
        rows.append(row)
    return rows


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM) or a Cyrillic single-byte encoding, detected."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data, cp_isolation=["cp1251", "koi8_r", "cp866", "utf_8"]).best()
    if best is None:
        raise TableError("не удалось определить кодировку файла (ожидается UTF-8 или windows-1251)")
    return str(best)


def read_rows(data: bytes, filename: str = "") -> Iterator[tuple[int, list[Any]]]:
    """(row number as the user sees it, cells) for every non-empty row, header first."""
    if data[:4] == XLSX_MAGIC or filename.lower().endswith(".xlsx"):
        yield from _xlsx_rows(data)
        return
    if data[:8] == XLS_MAGIC:
        raise TableError("формат XLS не поддерживается: сохраните файл как XLSX или CSV")
    if b"\x00" in data[:4096]:
        raise TableError("файл не похож на таблицу CSV или XLSX")
    text = decode_text(data)
    header_line = text.lstrip().split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=header_line.count)  # the header's separator
    for number, cells in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
        if any(str(c).strip() for c in cells):
            yield number, cells


def _check_unpacked_size(data: bytes) -> None:
    """Refuse an archive whose entries would unpack past ``MAX_UNPACKED_BYTES`` (zipfile
    never inflates an entry past the size its directory states)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise TableError(f"файл XLSX не читается: {exc.__class__.__name__}") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise TableError(
            f"файл XLSX распаковывается больше чем в {MAX_UNPACKED_BYTES // (1024 * 1024)} МБ"
        )


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    _check_unpacked_size(data)
    try:
        from openpyxl import load_workbook  # 14 MiB resident: only when a sheet comes

        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise TableError(f"файл XLSX не читается: {exc.__class__.__name__}") from None
    sheet = book.worksheets[0]
    for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
        if any(c is not None and str(c).strip() for c in cells):
            yield number, list(cells)
    book.close()
