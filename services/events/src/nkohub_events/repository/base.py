"""What every store of this service shares: the database, the relay kick, link settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from nkohub_shared.privacy import sign


@dataclass
class Store:
    db: AsyncDatabase[dict[str, Any]]
    kick: Callable[[], None]
    public_base_url: str
    secret: str

    def token(self, purpose: str, value: str) -> str:
        return sign(self.secret, purpose, value)

    def url(self, path: str) -> str:
        return f"{self.public_base_url.rstrip('/')}{path}"
