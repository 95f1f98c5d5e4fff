"""Import of official data and export, over HTTP and through the CLI, on the real servers."""

from __future__ import annotations

import csv
import io
import os
import subprocess
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from nkohub_registry.app import create_app
from nkohub_registry.settings import RegistrySettings
from tests.registry.conftest import (
    STAFF,
    caught_up,
    create_org,
    describe,
    described,
    identifiers,
)
from tests.support.inprocess import running

API = "/api/v1/organizations"
ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "tests" / "data" / "registry_minjust_sample_cp1251.csv"
TEMPLATE = "full_name;short_name;legal_form;ogrn;inn;city;activity_areas;socially_oriented;status\n"


async def upload(client, data: bytes, name: str = "orgs.csv", city: str | None = None):
    form = {"city": city} if city else {}
    return await client.post(
        f"{API}/import", files={"file": (name, data)}, data=form, headers=STAFF
    )


async def all_orgs(client) -> list[dict]:
    body = (await client.get(API, params={"per_page": 100}, headers=STAFF)).json()
    return body["items"]


async def test_ministry_listing_in_windows_1251_is_imported_for_one_city_once(registry, spy):
    data = SAMPLE.read_bytes()
    data.decode("cp1251")  # the sample really is windows-1251
    first = await upload(registry, data, city="Глазов")
    assert first.status_code == 200, first.text
    assert first.json() == {
        "created": 10,
        "updated": 0,
        "unchanged": 0,
        "skipped_other_city": 2,
        "rejected": [],
    }
    orgs = {o["full_name"]: o for o in await all_orgs(registry)}
    fund = orgs["Благотворительный фонд «Добрые лапы»"]
    assert fund["legal_form"] == "fund" and fund["city"] == "Глазов"
    assert fund["registered_on"] == "2007-03-03" and fund["source"] == "imported"
    assert orgs["Территориальное общественное самоуправление «Заречный»"]["legal_form"] == "tos"
    assert orgs["Общественное движение «Чистый город»"]["legal_form"] == "public_movement"
    assert orgs["Местная общественная организация ветеранов «Память»"]["status"] == "liquidated"
    assert not any("Ижевск" in o["address"] for o in orgs.values())

    await spy.wait_for(lambda ev: len(ev) >= 10)
    assert len(spy.of_type("registry.organization.registered")) == 10

    second = await upload(registry, data, city="Глазов")
    assert second.json()["created"] == 0 and second.json()["updated"] == 0
    assert second.json()["unchanged"] == 10
    await caught_up(registry, spy, lambda: describe(registry, fund["id"], "м"), described("м"))
    assert len(spy.events) == 11, "nothing but the 10 registrations and the marker"
    assert len(await all_orgs(registry)) == 10


async def test_import_never_overwrites_a_field_edited_by_hand(registry, spy):
    ogrn, inn = identifiers()
    row = f"АНО «Старое имя»;;ano;{ogrn};{inn};Глазов;youth;да;active\n"
    assert (await upload(registry, (TEMPLATE + row).encode())).json()["created"] == 1
    org = (await all_orgs(registry))[0]
    response = await registry.patch(
        f"{API}/{org['id']}", json={"full_name": "АНО «Имя от сотрудника»"}, headers=STAFF
    )
    assert response.status_code == 200

    changed = f'АНО «Новое имя из ЕГРЮЛ»;;ano;{ogrn};{inn};Глазов;"youth, sport";да;suspended\n'
    report = (await upload(registry, (TEMPLATE + changed).encode())).json()
    assert report["updated"] == 1, report
    after = (await registry.get(f"{API}/{org['id']}", headers=STAFF)).json()
    assert after["full_name"] == "АНО «Имя от сотрудника»"
    assert after["status"] == "suspended"
    await spy.wait_for(lambda ev: bool(spy.of_type("registry.organization.deactivated")))
    updated = spy.of_type("registry.organization.updated")
    assert "full_name" not in updated[-1]["data"]["changed"]
    assert "status" in updated[-1]["data"]["changed"]


async def test_broken_rows_are_reported_and_the_rest_is_imported(registry):
    existing = await create_org(registry)
    good1, good1_inn = identifiers()
    good2, _ = identifiers()
    bad_check = good2[:-1] + str((int(good2[-1]) + 1) % 10)
    other, _ = identifiers()
    rows = [
        f"АНО «Первая»;;ano;{good1};{good1_inn};Глазов;youth;да;active",  # row 2
        f"АНО «Плохой ОГРН»;;ano;{bad_check};;Глазов;;да;",  # row 3
        f";;ano;{good2};;Глазов;;да;",  # row 4: no name
        f"АНО «Повтор»;;ano;{good1};;Глазов;;да;",  # row 5: ОГРН repeated
        f"АНО «Шахматы»;;ano;{other};;Глазов;шахматы;да;",  # row 6: unknown area
        f"АНО «Чужой ИНН»;;ano;{good2};{existing['inn']};Глазов;;да;",  # row 7
        f"АНО «Вторая»;;ano;{other[:-1]}{other[-1]};;Глазов;культура;да;",  # row 8
    ]
    report = (await upload(registry, (TEMPLATE + "\n".join(rows) + "\n").encode())).json()
    assert report["created"] == 2
    reasons = {r["row"]: r["reason"] for r in report["rejected"]}
    assert set(reasons) == {3, 4, 5, 6, 7}
    assert "контрольная цифра ОГРН" in reasons[3]
    assert reasons[4].startswith("full_name")
    assert "строке 2" in reasons[5]
    assert reasons[6].startswith("activity_areas")
    assert reasons[7].startswith("inn") and existing["full_name"] in reasons[7]
    names = {o["full_name"] for o in await all_orgs(registry)}
    assert {"АНО «Первая»", "АНО «Вторая»"} <= names


async def test_a_file_that_is_not_a_table_gets_one_clear_error(registry):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    response = await upload(registry, png, "photo.csv")
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "file"

    response = await upload(registry, "Просто письмо.\nБез столбцов.\n".encode(), "letter.txt")
    assert response.status_code == 422
    assert "ОГРН" in response.json()["error"]["message"]

    response = await upload(registry, b"PK\x03\x04broken zip", "table.xlsx")
    assert response.status_code == 422 and "XLSX" in response.json()["error"]["message"]
    assert await all_orgs(registry) == []


async def test_xlsx_import_and_export_round_trip(registry):
    book = Workbook()
    sheet = book.active
    sheet.append(["Полное наименование", "ОГРН", "ИНН", "Дата регистрации", "Адрес", "ОПФ"])
    ogrn, inn = identifiers()
    from datetime import datetime

    sheet.append(
        ["Фонд «Ёж»", int(ogrn), int(inn), datetime(2012, 5, 4), "г. Глазов, ул. Ленина", "70400"]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    report = (await upload(registry, buffer.getvalue(), "minjust.xlsx")).json()
    assert report["created"] == 1, report
    org = (await all_orgs(registry))[0]
    assert org["ogrn"] == ogrn and org["inn"] == inn and org["opf_code"] == "70400"
    assert org["legal_form"] == "fund" and org["registered_on"] == "2012-05-04"
    await create_org(
        registry, full_name="АНО «Всё ещё работает»", description='Кружки, секции; "шахматы"'
    )

    csv_export = await registry.get(f"{API}/export", params={"format": "csv"}, headers=STAFF)
    assert csv_export.status_code == 200
    assert csv_export.content.startswith("\ufeff".encode())
    text = csv_export.content.decode("utf-8-sig")
    assert "Фонд «Ёж»" in text and "АНО «Всё ещё работает»" in text
    again = (await upload(registry, csv_export.content, "export.csv")).json()
    assert again == {
        "created": 0,
        "updated": 0,
        "unchanged": 2,
        "skipped_other_city": 0,
        "rejected": [],
    }

    filtered = await registry.get(
        f"{API}/export", params={"format": "xlsx", "legal_form": "fund"}, headers=STAFF
    )
    sheet = load_workbook(io.BytesIO(filtered.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert sheet.title == "НКО"
    assert rows[0][:3] == ("Идентификатор", "Полное наименование", "Сокращённое наименование")
    assert [r[1] for r in rows[1:]] == ["Фонд «Ёж»"]
    again = (await upload(registry, filtered.content, "export.xlsx")).json()
    assert again["unchanged"] == 1 and again["rejected"] == []


@pytest.mark.timeout(400)  # three CLI runs of up to 120 s each
async def test_cli_import_writes_the_outbox_and_the_service_publishes(sandbox, spy):
    env = {**os.environ, **sandbox.env("registry")}
    command = ["uv", "run", "nkohub", "registry", "import", str(SAMPLE), "--city", "Глазов"]
    result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "Итог импорта" in result.stdout and "10" in result.stdout

    again = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0

    app = create_app(RegistrySettings(**sandbox.settings("registry")))
    async with running(app) as client:
        client.client_db = lambda: app.state.runtime.db  # type: ignore[attr-defined]
        found = (await client.get(API, params={"q": "лапы"})).json()
        assert found["total"] == 1
        fund = found["items"][0]["id"]
        await caught_up(client, spy, lambda: describe(client, fund, "м"), described("м"))
        assert len(spy.of_type("registry.organization.registered")) == 10
        assert len(spy.events) == 11, "the second run published nothing"

    bad = subprocess.run(
        ["uv", "run", "nkohub", "registry", "import", str(Path(__file__))],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2 and "Ошибка" in bad.stdout


async def test_utf8_with_bom_and_commas_is_read_too(registry):
    ogrn, inn = identifiers()
    text = (
        "full_name,ogrn,inn,egrul_date,address,opf,region,status\n"
        f'"Фонд ""Родник""",{ogrn},{inn},2010-01-02,"г. Глазов, ул. Мира, 1",Фонд,'
        "Удмуртская Республика,Зарегистрирована\n"
    )
    report = (await upload(registry, ("\ufeff" + text).encode(), city="глазов")).json()
    assert report["created"] == 1, report
    org = (await all_orgs(registry))[0]
    assert org["full_name"] == 'Фонд "Родник"' and org["city"] == "Глазов"
    assert (await registry.get(API, params={"q": "родник"})).json()["total"] == 1


FORMULA = '=HYPERLINK("http://example.com/x","нажмите")'


async def test_export_escapes_formulas_and_imports_back_unchanged(registry):
    """A cell a spreadsheet would run as a formula comes out as text (in CSV and XLSX),
    and the exported file imports back with no change and no error."""
    org = await create_org(
        registry, full_name=FORMULA, short_name=None, public_phone="+7 (34141) 2-22-33"
    )
    assert org["full_name"] == FORMULA

    csv_export = await registry.get(f"{API}/export", params={"format": "csv"}, headers=STAFF)
    lines = csv_export.content.decode("utf-8-sig").split("\r\n")
    header, row = lines[0].split(";"), next(csv.reader([lines[1]], delimiter=";"))
    assert header[:3] == ["Идентификатор", "Полное наименование", "Сокращённое наименование"]
    assert row[1] == "'" + FORMULA
    assert row[header.index("Публичный телефон")] == "'+7 (34141) 2-22-33"

    xlsx_export = await registry.get(f"{API}/export", params={"format": "xlsx"}, headers=STAFF)
    cell = load_workbook(io.BytesIO(xlsx_export.content)).active["B2"]
    assert cell.data_type == "s" and cell.value == "'" + FORMULA  # a string, not a formula

    unchanged = {"created": 0, "updated": 0, "unchanged": 1, "skipped_other_city": 0}
    for name, content in (("e.csv", csv_export.content), ("e.xlsx", xlsx_export.content)):
        again = (await upload(registry, content, name)).json()
        assert again == {**unchanged, "rejected": []}, name
    after = (await registry.get(f"{API}/{org['id']}", headers=STAFF)).json()
    assert after["full_name"] == FORMULA and after["public_phone"] == "+7 (34141) 2-22-33"


async def test_code_and_russian_headers_import_alike(registry):
    ogrn, inn = identifiers()
    russian = (
        "Полное наименование;ОГРН;ИНН;Организационно-правовая форма;Город;"
        "Направления деятельности;Социально ориентированная;Публичный e-mail\n"
        f'Фонд «Кедр»;{ogrn};{inn};fund;Глазов;"экология, youth";нет;Office@Kedr.ru\n'
    )
    report = (await upload(registry, russian.encode())).json()
    assert report["created"] == 1, report
    org = (await all_orgs(registry))[0]
    assert (org["legal_form"], org["city"], org["socially_oriented"]) == ("fund", "Глазов", False)
    assert org["activity_areas"] == ["ecology", "youth"]
    assert org["public_email"] == "Office@kedr.ru"
    coded = (
        "full_name;ogrn;inn;legal_form;city;activity_areas;socially_oriented;public_email\n"
        f'Фонд «Кедр»;{ogrn};{inn};fund;Глазов;"ecology,youth";нет;Office@kedr.ru\n'
    )
    assert (await upload(registry, coded.encode())).json()["unchanged"] == 1
