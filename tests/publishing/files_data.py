"""Real small files for the files tests, made here (Pillow writes the images and a PDF)."""

from __future__ import annotations

import io

from PIL import Image


def image(fmt: str = "PNG", size: tuple[int, int] = (40, 30), **options) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, fmt, **options)
    return buffer.getvalue()


def pdf() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), (255, 255, 255)).save(buffer, "PDF")
    return buffer.getvalue()


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)
HTML_AS_PNG = b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>" + b"\x00" * 64
