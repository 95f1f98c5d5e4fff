"""Reading sign-in sheets with bounds: rows counted while read, zip bombs refused."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from nkohub_events.api.sheets import TooLarge, read_sheet


def xlsx(rows: int) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["Имя", "Роль"])
    for i in range(rows):
        sheet.append([f"Участник {i}", "активист"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_rows_past_the_limit_are_refused_in_csv_and_xlsx():
    csv = "\n".join(["Имя"] + [f"Участник {i}" for i in range(11)]).encode()
    assert len(read_sheet("s.csv", csv, 11)) == 11
    with pytest.raises(TooLarge) as caught:
        read_sheet("s.csv", csv, 10)
    assert caught.value.status_code == 413 and caught.value.field == "file"
    assert len(read_sheet("s.xlsx", xlsx(5), 5)) == 5
    with pytest.raises(TooLarge):
        read_sheet("s.xlsx", xlsx(6), 5)


def test_an_xlsx_that_unpacks_to_too_much_is_refused_before_it_is_opened():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        bomb.writestr("xl/sharedStrings.xml", b"\0" * 60_000_000)
    assert len(out.getvalue()) < 200_000
    with pytest.raises(TooLarge):
        read_sheet("s.xlsx", out.getvalue(), 100)
