"""The import's limits as an attacker would test them: an oversize upload is refused as it
arrives (413, field ``file``), and a file with too many rows is refused while it is read."""

from __future__ import annotations

from collections.abc import AsyncIterator

from tests.registry.conftest import STAFF, identifiers
from tests.registry.test_import import TEMPLATE, all_orgs, upload

API = "/api/v1/organizations"
MB = 1024 * 1024
LIMIT = 20 * MB


async def test_an_oversize_file_is_refused_with_413_naming_the_file(registry):
    ogrn, inn = identifiers()
    row = f"АНО «Большая»;;ano;{ogrn};{inn};Глазов;youth;да;active\n"
    padding = "x;" * ((LIMIT - len(TEMPLATE) - len(row)) // 2 + 1024)
    data = (TEMPLATE + row + padding + "\n").encode()
    assert len(data) > LIMIT
    response = await upload(registry, data)
    assert response.status_code == 413, response.text
    assert response.json()["error"]["field"] == "file"
    assert "20 МБ" in response.json()["error"]["message"]
    assert await all_orgs(registry) == []


async def test_an_oversize_upload_is_refused_while_it_arrives(registry):
    """Sent in 1 MB chunks with no length declared: the refusal comes once the limit is
    passed, and the rest of the upload is never asked for."""
    sent = 0
    boundary = "nkohubboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n" + TEMPLATE
    ).encode()

    async def body() -> AsyncIterator[bytes]:
        nonlocal sent
        yield head
        for _ in range(100):  # 100 MB if it were all read
            sent += 1
            yield b"x" * MB
        yield f"\r\n--{boundary}--\r\n".encode()

    response = await registry.post(
        f"{API}/import",
        content=body(),
        headers={**STAFF, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert sent <= 22, f"read {sent} MB of a 20 MB limit"
    assert response.status_code == 413, response.text
    assert response.json()["error"]["field"] == "file"


async def test_a_file_with_too_many_rows_is_refused_and_nothing_is_imported(registry):
    ogrn, inn = identifiers()
    first = f"АНО «Первая»;;ano;{ogrn};{inn};Глазов;youth;да;active\n"
    filler = ";;;;;Глазов;;;\n" * 100_000  # 100,001 rows with the first
    response = await upload(registry, (TEMPLATE + first + filler).encode())
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == "file"
    assert "слишком много строк: больше 100000" in response.json()["error"]["message"]
    assert await all_orgs(registry) == []

    at_the_cap = await upload(
        registry, (TEMPLATE + first + filler[: -len(";;;;;Глазов;;;\n")]).encode()
    )
    assert at_the_cap.status_code == 200 and at_the_cap.json()["created"] == 1


async def test_the_city_field_is_bounded_before_or_after_the_file(registry):
    """``city`` over 100 characters is a 422 naming ``city``, whether the form sends it
    before the file or after it; nothing is imported."""
    ogrn, inn = identifiers()
    data = (TEMPLATE + f"АНО «Город»;;ano;{ogrn};{inn};Глазов;youth;да;active\n").encode()
    before = await upload(registry, data, city="Г" * 101)
    assert before.status_code == 422, before.text
    assert before.json()["error"]["field"] == "city"

    boundary = "nkohubboundary"
    after_file = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="o.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode() + data
    after_file += (
        f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="city"\r\n\r\n'
        f"{'Г' * 101}\r\n--{boundary}--\r\n"
    ).encode()
    after = await registry.post(
        f"{API}/import",
        content=after_file,
        headers={**STAFF, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert after.status_code == 422, after.text
    assert after.json()["error"]["field"] == "city"
    assert await all_orgs(registry) == []

    at_the_cap = await upload(registry, data, city="Глазов" + "в" * (100 - len("Глазов")))
    assert at_the_cap.status_code == 200, at_the_cap.text


async def test_a_form_without_the_file_is_a_422_naming_the_file(registry):
    response = await registry.post(f"{API}/import", data={"city": "Глазов"}, headers=STAFF)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == "file"
