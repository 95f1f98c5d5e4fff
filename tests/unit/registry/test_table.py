"""The export's columns and how an imported row becomes field values; CSV/XLSX cells
written by the shared dialect read back to the same values."""

from datetime import date, datetime

import pytest

from nkohub_registry.domain.organizations import EDITABLE_FIELDS
from nkohub_registry.domain.table import (
    EXPORT_COLUMNS,
    bool_of,
    city_of,
    date_of,
    header_field,
    row_values,
    unescape_formula,
)
from nkohub_registry.service.tables import TableError, read_rows
from nkohub_shared.tables import to_csv, to_xlsx

DOC = {
    "_id": "a1b2",
    "full_name": '=HYPERLINK("http://example.com","жми")',
    "short_name": "АНО «Ёж»",
    "legal_form": "ano",
    "opf_code": "71400",
    "ogrn": "1027700132195",
    "inn": "7707083893",
    "kpp": "183701001",
    "registered_on": "2015-03-12",
    "address": "427620, г. Глазов, ул. Кирова, 1",
    "city": "Глазов",
    "activity_areas": ["youth", "local_history"],
    "okved": ["94.99", "85.41"],
    "description": "-кружки; секции",
    "website": "https://ezh.ru",
    "social_links": ["https://vk.com/ezh"],
    "public_phone": "+7 (34141) 2-22-33",
    "public_email": "@ezh@ezh.ru",
    "status": "active",
    "socially_oriented": True,
    "support_registry": False,
}


def test_the_export_has_every_editable_field_but_the_leader_under_a_russian_header() -> None:
    keys = [c.key for c in EXPORT_COLUMNS]
    assert keys == ["_id", *(f for f in EDITABLE_FIELDS if f != "leader_person_id"), "verified"]
    assert EXPORT_COLUMNS[-1].title == "Проверено"
    assert all(not c.title.isascii() or c.title == "ОГРН" for c in EXPORT_COLUMNS)


@pytest.mark.parametrize("column", [c for c in EXPORT_COLUMNS if c.key != "_id"])
def test_every_export_header_and_code_header_imports_as_its_field(column) -> None:
    assert header_field(column.title) == column.key
    assert header_field(column.title.upper()) == column.key
    assert header_field(column.key) == column.key
    assert header_field(column.key.upper().replace("_", " ")) == column.key


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Наименование", "full_name"),
        ("name", "full_name"),
        ("Сокращенное наименование", "short_name"),
        ("EGRUL_DATE", "registered_on"),
        ("regdate", "registered_on"),
        ("OPF", "legal_form"),
        ("ОПФ", "legal_form"),
        ("okopf", "opf_code"),
        ("Регион", "region"),
        ("Идентификатор", None),
        ("id", None),
        ("Руководитель", None),
        (None, None),
    ],
)
def test_ministry_headers_and_unknown_columns(header, field) -> None:
    assert header_field(header) == field


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("'=1+2", "=1+2"),
        ("'+7 999", "+7 999"),
        ("'-5", "-5"),
        ("'@x", "@x"),
        ("'\tx", "\tx"),
        ("'обычный", "'обычный"),
        ("'", "'"),
        ("=1+2", "=1+2"),
    ],
)
def test_unescape_formula_undoes_only_the_exports_escape(cell: str, expected: str) -> None:
    assert unescape_formula(cell) == expected


def test_dates_bools_and_cities() -> None:
    assert date_of(datetime(2012, 5, 4, 13, 0)) == date(2012, 5, 4)
    assert date_of(date(2012, 5, 4)) == date(2012, 5, 4)
    for text in ("2012-05-04", "04.05.2012", "2012-05-04T00:00:00", "04.05.12"):
        assert date_of(f" {text} ") == date(2012, 5, 4)
    assert date_of("вчера") == "вчера"
    assert [bool_of(v) for v in ("Да", "д", "TRUE", "1", "yes", True)] == [True] * 6
    assert [bool_of(v) for v in ("нет", "Н", "false", "0", "No", False)] == [False] * 6
    assert bool_of("может быть") == "может быть"
    assert city_of({"city": " Глазов ", "address": "г. Ижевск"}) == "Глазов"
    assert city_of({"address": "427620, Удмуртская Республика, г. Глазов, ул. Мира"}) == "Глазов"
    assert city_of({"address": "город Ижевск, ул. Ленина"}) == "Ижевск"
    assert city_of({"address": "Удмуртская Республика, с. Пычас"}) is None


def test_a_ministry_row_becomes_field_values() -> None:
    header = [header_field(h) for h in ("name", "ogrn", "inn", "egrul_date", "opf", "region")]
    cells = ['Фонд "Родник"', 1027700132195.0, "7707083893", "02.01.2010", "70400", "УР"]
    assert row_values(header, cells) == {
        "full_name": 'Фонд "Родник"',
        "ogrn": "1027700132195",
        "inn": "7707083893",
        "registered_on": date(2010, 1, 2),
        "legal_form": "fund",
        "opf_code": "70400",
    }


def test_empty_cells_and_unknown_columns_are_left_out() -> None:
    header = ["full_name", None, "city", "status", "activity_areas"]
    values = row_values(header, ["  АНО «Ёж» ", "x", "", None, "молодёжь;\n спорт, ,"])
    assert values == {"full_name": "АНО «Ёж»", "activity_areas": ["youth", "sport"]}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_exported_row_reads_back_to_the_stored_values(fmt: str) -> None:
    if fmt == "csv":
        data, name = to_csv(EXPORT_COLUMNS, [DOC]), "export.csv"
    else:
        data, name = to_xlsx({"НКО": (EXPORT_COLUMNS, [DOC])}), "export.xlsx"
    (_, header_cells), (_, cells) = read_rows(data, name)
    assert header_cells[1] == "Полное наименование"
    assert cells[1] == "'" + DOC["full_name"]  # escaped: a spreadsheet shows it as text
    values = row_values([header_field(h) for h in header_cells], cells)
    expected = {k: v for k, v in DOC.items() if k != "_id"}
    expected["registered_on"] = date(2015, 3, 12)
    assert values == expected


def test_csv_in_windows_1251_with_commas_is_read() -> None:
    data = "ОГРН,Наименование\r\n1027700132195,Фонд «Ёж»\r\n\r\n".encode("cp1251")
    assert list(read_rows(data)) == [
        (1, ["ОГРН", "Наименование"]),
        (2, ["1027700132195", "Фонд «Ёж»"]),
    ]


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "old.xls", "XLS не поддерживается"),
        (b"PK\x03\x04broken", "t.xlsx", "XLSX не читается"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "p.csv", "не похож на таблицу"),
    ],
)
def test_files_that_are_not_tables_are_one_clear_error(data: bytes, name: str, message: str):
    with pytest.raises(TableError, match=message) as refused:
        list(read_rows(data, name))
    assert refused.value.field == "file" and refused.value.status_code == 422
