"""Identifiers of documents every service creates: 32 lower-case hex digits (a UUID4)."""

from __future__ import annotations

import uuid


def new_id() -> str:
    return uuid.uuid4().hex
