"""The OpenAPI of a route that reads its multipart file itself."""

from __future__ import annotations

from nkohub_shared.web.hardening import file_upload_openapi


def test_a_file_upload_is_described_with_its_extra_fields():
    extra = file_upload_openapi("CSV", city={"type": "string", "maxLength": 100})
    schema = extra["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert extra["requestBody"]["required"] is True
    assert schema["required"] == ["file"]
    assert schema["properties"] == {
        "file": {"type": "string", "format": "binary", "description": "CSV"},
        "city": {"type": "string", "maxLength": 100},
    }
