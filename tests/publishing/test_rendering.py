"""A post page with XSS attempts in its title and body is harmless in a browser (the
renderer's own rules are unit-tested in ``tests/unit/publishing/test_rendering.py``)."""

from __future__ import annotations

from tests.publishing.conftest import make_post
from tests.unit.publishing.conftest import ATTACKS, harmless


async def test_post_page_with_attacks_is_safe(client):
    post = await make_post(client, title="<script>alert(1)</script>", body="\n\n".join(ATTACKS))
    page = await client.get(f"/posts/{post['slug']}")
    assert page.status_code == 200
    assert "<script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text, "the title is escaped"
    body = page.text.split('<div class="post-body">', 1)[1].split("</article>", 1)[0]
    assert harmless(body), body
