"""What every storage module of the service shares."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

Document = dict[str, Any]


def now_utc() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return uuid.uuid4().hex
