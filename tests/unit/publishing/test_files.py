"""Files: the type by content, polyglots refused, dimensions, names, limits (no servers)."""

from __future__ import annotations

import pytest

from nkohub_publishing.domain import files as rules
from nkohub_publishing.domain.files import FileKind, SizeLimits, UnsupportedType
from nkohub_publishing.domain.limits import TooLarge
from nkohub_shared.errors import Conflict, InvalidInput
from tests.publishing.files_data import HTML_AS_PNG, SVG, image, pdf


@pytest.mark.parametrize(
    ("content", "mime"),
    [
        (image("PNG"), "image/png"),
        (image("JPEG"), "image/jpeg"),
        (image("GIF"), "image/gif"),
        (image("WEBP"), "image/webp"),
        (pdf(), "application/pdf"),
    ],
)
def test_the_type_is_read_from_the_content(content, mime):
    assert rules.sniff(content[: rules.SNIFF_BYTES]).mime == mime


@pytest.mark.parametrize(
    ("fmt", "options"),
    [("PNG", {}), ("JPEG", {}), ("JPEG", {"progressive": True}), ("GIF", {}), ("WEBP", {}),
     ("WEBP", {"lossless": True})],
)  # fmt: skip
def test_image_dimensions_come_from_the_header(fmt, options):
    content = image(fmt, (123, 45), **options)
    file_type = rules.sniff(content)
    assert rules.dimensions(file_type, content) == (123, 45)


def test_a_jpeg_with_exif_before_its_frame_still_has_dimensions():
    content = image("JPEG", (64, 48), exif=b"Exif\x00\x00" + b"\x00" * 5000)
    assert rules.dimensions(rules.JPEG, content) == (64, 48)


def test_a_pdf_has_no_dimensions():
    assert rules.dimensions(rules.PDF, pdf()) is None


def test_svg_is_refused_by_name():
    with pytest.raises(UnsupportedType, match="SVG") as refused:
        rules.sniff(SVG)
    assert refused.value.field == "file" and refused.value.status_code == 415


@pytest.mark.parametrize(
    "content", [b"<html><body>hi</body></html>", b"MZ\x90\x00", b"PK\x03\x04zip", b"plain text"]
)
def test_other_content_is_refused(content):
    with pytest.raises(UnsupportedType):
        rules.sniff(content)


def test_html_behind_png_magic_is_refused():
    file_type = rules.sniff(HTML_AS_PNG)
    with pytest.raises(UnsupportedType, match="HTML"):
        rules.check_head(file_type, HTML_AS_PNG)


def test_a_png_with_a_zip_appended_is_refused():
    content = image("PNG") + b"PK\x03\x04" + b"\x00" * 30 + b"PK\x05\x06" + b"\x00" * 18
    with pytest.raises(UnsupportedType, match="ZIP"):
        rules.check_tail(rules.PNG, content[-rules.TAIL_BYTES :], len(content))


def test_a_png_with_anything_after_its_end_is_refused():
    content = image("PNG") + b"<script>alert(1)</script>"
    with pytest.raises(UnsupportedType, match="PNG"):
        rules.check_tail(rules.PNG, content, len(content))
    rules.check_tail(rules.PNG, image("PNG"), len(image("PNG")))  # a clean one passes


def test_a_pdf_without_its_end_is_refused():
    content = pdf()
    rules.check_tail(rules.PDF, content, len(content))
    with pytest.raises(UnsupportedType, match="EOF"):
        rules.check_tail(rules.PDF, content[:-200], len(content) - 200)


def test_a_webp_longer_than_it_says_is_refused():
    content = image("WEBP")
    rules.check_webp_size(content, len(content))
    with pytest.raises(UnsupportedType, match="WebP"):
        rules.check_webp_size(content + b"<html>", len(content) + 6)


def test_a_broken_image_header_is_refused():
    with pytest.raises(UnsupportedType, match="размеры"):
        rules.dimensions(rules.PNG, rules.PNG_MAGIC + b"\x00" * 20)


@pytest.mark.parametrize(
    ("given", "file_type", "expected"),
    [
        ("Жизнеспособность проекта.pdf", rules.PDF, "Жизнеспособность проекта.pdf"),
        ("C:\\Users\\anna\\обложка.JPEG", rules.JPEG, "обложка.jpg"),
        ("../../etc/passwd", rules.PNG, "passwd.png"),
        ("отчёт.exe", rules.PDF, "отчёт.exe.pdf"),
        ('a"b<c>|d\x00e.png', rules.PNG, "a b c d e.png"),
        ("", rules.GIF, "file.gif"),
        (None, rules.WEBP, "file.webp"),
        ("...", rules.PNG, "file.png"),
        ("я" * 500 + ".pdf", rules.PDF, "я" * 196 + ".pdf"),
    ],
)
def test_names_are_kept_for_display_without_paths(given, file_type, expected):
    assert rules.display_name(given, file_type) == expected


def test_the_url_name_and_content_disposition_carry_cyrillic_safely():
    file = {"_id": "f" * 32, "name": "Календарь грантов 2026.pdf"}
    assert rules.file_path(file["_id"], file["name"]) == (
        "/files/" + "f" * 32 + "/%D0%9A%D0%B0%D0%BB%D0%B5%D0%BD%D0%B4%D0%B0%D1%80%D1%8C-"
        "%D0%B3%D1%80%D0%B0%D0%BD%D1%82%D0%BE%D0%B2-2026.pdf"
    )
    assert rules.content_disposition(file) == (
        "inline; filename=\"2026.pdf\"; filename*=UTF-8''"
        "%D0%9A%D0%B0%D0%BB%D0%B5%D0%BD%D0%B4%D0%B0%D1%80%D1%8C%20"
        "%D0%B3%D1%80%D0%B0%D0%BD%D1%82%D0%BE%D0%B2%202026.pdf"
    )
    assert rules.content_disposition(file, download=True).startswith("attachment; ")


def test_limits_are_per_kind():
    limits = SizeLimits(image=10, pdf=30)
    assert (limits.of(FileKind.IMAGE), limits.of(FileKind.PDF), limits.largest) == (10, 30, 30)
    refusal = rules.too_large(FileKind.IMAGE, 10 * 1024 * 1024)
    assert isinstance(refusal, TooLarge)
    assert (refusal.status_code, refusal.field, refusal.message) == (
        413,
        "file",
        "изображение больше 10 МБ",
    )


def test_file_links_in_markdown_are_found_once_each():
    a, b = "a" * 32, "b" * 32
    body = f"![схема](/files/{a}/s.png) [pdf](https://site/files/{b}/x.pdf) ![](/files/{a}/s.png)"
    assert rules.file_ids_in(body) == [a, b]
    assert rules.file_ids_in("/files/short/x.png and /filesXX") == []


def test_a_cover_must_be_an_image_with_alt_text():
    image_file = {"_id": "i", "name": "a.png", "kind": "image", "alt": ""}
    with pytest.raises(InvalidInput, match="alt") as refused:
        rules.check_usable(image_file, "i", field="cover_file_id", image=True)
    assert refused.value.field == "cover_file_id"
    with pytest.raises(InvalidInput, match="не изображение"):
        rules.check_usable({**image_file, "kind": "pdf"}, "i", field="cover_file_id", image=True)
    with pytest.raises(InvalidInput, match="нет файла"):
        rules.check_usable(None, "x", field="cover_file_id", image=True)
    described = {**image_file, "alt": "Зал библиотеки"}
    assert rules.check_usable(described, "i", field="cover_file_id", image=True) is described


def test_deleting_a_used_file_names_the_uses():
    refusal = rules.in_use(
        {"name": "c.pdf"},
        [{"kind": "post", "id": "p", "title": "Гранты"}, {"kind": "document", "id": "d",
          "title": "Календарь"}],
    )  # fmt: skip
    assert isinstance(refusal, Conflict) and refusal.field == "file_id"
    assert refusal.message == (
        "файл «c.pdf» используется: запись «Гранты»; документ «Календарь». "
        "Сначала уберите его оттуда."
    )


def test_images_shown_without_alt_text_are_found():
    a, b = "a" * 32, "b" * 32
    body = f"![](/files/{a}/x.png) ![Зал](/files/{b}/y.png) ![ ](https://site.ru/files/{b}/y.png)"
    assert rules.undescribed_images(body) == [a, b]
    assert rules.undescribed_images(f"[документ](/files/{a}/g.pdf)") == []


def test_a_post_points_at_its_cover_and_the_files_of_its_body():
    from datetime import UTC, datetime

    from nkohub_publishing.domain import posts

    a, b, c = "a" * 32, "b" * 32, "c" * 32
    assert posts.post_file_ids(f"![x](/files/{b}/y.png) ![x](/files/{a}/z.png)", a) == [a, b]
    current = {"title": "T", "body": f"[d](/files/{b}/d.pdf)", "slug": "t", "cover_file_id": a,
               "published_at": None}  # fmt: skip
    now = datetime(2026, 3, 1, tzinfo=UTC)
    edit = posts.edit(current, posts.PostFields(cover_file_id=c), now)
    assert edit.changes["cover_file_id"] == c and edit.changes["file_ids"] == [c, b]
    edit = posts.edit(current, posts.PostFields.model_validate({"cover_file_id": None}), now)
    assert edit.changes["cover_file_id"] is None and edit.changes["file_ids"] == [b]
    assert "file_ids" not in posts.edit(current, posts.PostFields(title="Новое"), now).changes
