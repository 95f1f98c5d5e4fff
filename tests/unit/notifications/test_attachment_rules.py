"""The rules of a mailing's attachments: names (RFC 5987, Cyrillic), types, the cap,
what a message stores, which ids a mailing may name."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from nkohub_notifications.domain.attachments import (
    AttachmentRefused,
    check_total,
    filename_of,
    media_type,
    message_attachment,
)
from nkohub_notifications.domain.mailings import MailingDraft


def test_the_name_comes_from_filename_star_then_filename_then_the_id():
    encoded = "%D0%9F%D0%B0%D0%BC%D1%8F%D1%82%D0%BA%D0%B0.pdf"
    header = f"attachment; filename=\"file.pdf\"; filename*=UTF-8''{encoded}"
    assert filename_of(header, "f1", "application/pdf") == "Памятка.pdf"
    assert filename_of('inline; filename="a/b.png"', "f1", "image/png") == "a_b.png"
    assert filename_of(None, "f1", "application/pdf") == "f1.pdf"
    assert filename_of("attachment", "f1", "image/jpeg") == "f1.jpeg"


def test_only_pdfs_and_images_within_the_cap():
    assert media_type("application/pdf") == "application/pdf"
    assert media_type("image/PNG; charset=binary") == "image/png"
    for refused in ("text/html", "image/svg+xml", None):
        with pytest.raises(AttachmentRefused):
            media_type(refused)
    check_total(10 * 1024 * 1024, 10 * 1024 * 1024)
    with pytest.raises(AttachmentRefused, match="10 МБ"):
        check_total(10 * 1024 * 1024 + 1, 10 * 1024 * 1024)


def test_a_message_stores_a_reference_not_the_bytes():
    copy = {
        "file_id": "f1",
        "stored_id": "65f0c0ffee0000000000beef",
        "filename": "Памятка.pdf",
        "content_type": "application/pdf",
        "size": 1234,
    }
    assert message_attachment(copy) == {
        "stored_id": "65f0c0ffee0000000000beef",
        "filename": "Памятка.pdf",
        "maintype": "application",
        "subtype": "pdf",
        "size": 1234,
    }


def test_a_draft_names_at_most_ten_well_formed_ids():
    base = {"subject": "s", "body": "b", "segment": {"kind": "organizations"}}
    assert MailingDraft.model_validate({**base, "attachments": ["a1", "b-2"]}).attachments
    for bad in (["../x"], [""], [f"f{i}" for i in range(11)]):
        with pytest.raises(ValidationError):
            MailingDraft.model_validate({**base, "attachments": bad})
