"""The door code as a QR code, inline SVG drawn on the server (no script, no image URL)."""

from __future__ import annotations

import io

import segno
from markupsafe import Markup

MODULE_PX = 6  # the size of one QR module on the page; a phone camera reads it at arm's length
QUIET_ZONE = 4  # modules of white around the code, as the standard asks


def qr_svg(text: str, *, title: str) -> Markup:
    """An ``<svg>`` element of ``text`` (error correction M), safe to put in a template.
    ``title`` is what a screen reader says."""
    code = segno.make(text, error="m", micro=False)
    out = io.BytesIO()
    code.save(
        out,
        kind="svg",
        scale=MODULE_PX,
        border=QUIET_ZONE,
        xmldecl=False,
        svgns=True,
        nl=False,
        title=title,
        svgclass="qr",
        lineclass=None,
        dark="#000",
        light="#fff",
    )
    return Markup(out.getvalue().decode("utf-8"))
