"""One CSV dialect (Excel with a Russian locale opens it as columns) and safe XLSX cells."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
from openpyxl import load_workbook

from nkohub_shared.tables import Column, cell, to_csv, to_xlsx

COLUMNS = [Column("name", "Название"), Column("n", "Участников"), Column("areas", "Направления")]
ROWS = [
    {"name": '=HYPERLINK("http://x")', "n": 12, "areas": ["спорт", "культура"]},
    {"name": "АНО «Свет»; филиал", "n": None, "areas": []},
]


@pytest.mark.parametrize("lead", ["=", "+", "-", "@", "\t", "\r"])
def test_formula_leading_text_is_neutralised(lead):
    assert cell(lead + "1+1") == "'" + lead + "1+1"


def test_values_become_plain_cells():
    assert cell(None) == "" and cell(True) == "да" and cell(False) == "нет"
    assert cell(-5) == -5 and cell(2.5) == 2.5
    assert cell(datetime(2019, 6, 14, 15, 0)) == "2019-06-14T15:00:00"


def test_csv_has_a_bom_semicolons_crlf_and_russian_headers():
    data = to_csv(COLUMNS, ROWS)
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0] == "Название;Участников;Направления"
    assert "\r\n" in text
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[1] == ['\'=HYPERLINK("http://x")', "12", "спорт; культура"]
    assert rows[2] == ["АНО «Свет»; филиал", "", ""]


def test_xlsx_holds_no_formula():
    book = load_workbook(io.BytesIO(to_xlsx({"НКО": (COLUMNS, ROWS)})))
    sheet = book["НКО"]
    assert [c.value for c in sheet[1]] == ["Название", "Участников", "Направления"]
    assert sheet["A2"].data_type == "s" and sheet["A2"].value.startswith("'=")
    assert sheet["B2"].value == 12


def test_several_tables_make_titled_sections_of_one_csv():
    from nkohub_shared.tables import to_csv_sections

    text = to_csv_sections(
        {"Итоги": (COLUMNS[:2], ROWS[:1]), "Роли": ([Column("r", "Роль")], [{"r": "юрист"}])}
    ).decode("utf-8-sig")
    assert text.split("\r\n") == [
        "Итоги",
        "Название;Участников",
        '"\'=HYPERLINK(""http://x"")";12',
        "",
        "Роли",
        "Роль",
        "юрист",
        "",
    ]
