"""The registration's door code as a QR image for the confirmation e-mail: the staff at
the door scan it (or read the six characters) to check the person in."""

from __future__ import annotations

import base64
import io

import segno


def door_code_qr(code: str) -> dict[str, str]:
    """A PNG attachment (base64 in the stored message) of the QR code of ``code``."""
    buffer = io.BytesIO()
    segno.make(code, error="m", micro=False).save(buffer, kind="png", scale=8, border=2)
    return {
        "content": base64.b64encode(buffer.getvalue()).decode("ascii"),
        "encoding": "base64",
        "maintype": "image",
        "subtype": "png",
        "filename": "kod-dlya-vhoda.png",
    }
