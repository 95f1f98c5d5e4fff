"""Posts as the console shows them: the auto-drafted ones to review (announcements and
reports the publishing service drafts from a meetup's events), the editor's fields."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

AUTO_PREFIX = "meetup-"
AUTO_CATEGORIES = ("meetup-announcements", "meetup-reports")
EDITOR_FIELDS = ("title", "category", "body", "excerpt", "author", "cover_image_url")


def auto_drafted(post: Mapping[str, Any]) -> bool:
    """A draft the publishing service wrote from a meetup (id ``meetup-<id>-…``)."""
    return (
        post.get("status") == "draft"
        and str(post.get("id", "")).startswith(AUTO_PREFIX)
        and post.get("category") in AUTO_CATEGORIES
    )


def post_fields(form: Mapping[str, str]) -> dict[str, Any]:
    """What the editor sends: its fields (blank optional ones cleared) and the tags."""
    fields: dict[str, Any] = {k: form.get(k, "").strip() for k in EDITOR_FIELDS}
    fields["body"] = form.get("body", "")
    for optional in ("excerpt", "author", "cover_image_url"):
        if not fields[optional]:
            fields[optional] = None
    fields["tags"] = [t.strip() for t in form.get("tags", "").split(",") if t.strip()]
    return fields


def form_of(post: Mapping[str, Any]) -> dict[str, str]:
    form = {k: str(post.get(k) or "") for k in EDITOR_FIELDS}
    form["tags"] = ", ".join(post.get("tags") or [])
    return form
