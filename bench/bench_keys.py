"""Keys of one benchmark run: fresh for every run, handed to the services it starts."""

from __future__ import annotations

from datetime import timedelta

from nkohub_shared.keys import new_secret, new_signing_key
from nkohub_shared.tokens import Role, issue_token

PRIVATE_KEY, PUBLIC_KEY = new_signing_key()
SECRETS = {
    "NKOHUB_STAFF_TOKEN_PUBLIC_KEY": PUBLIC_KEY,
    "NKOHUB_LINK_SECRET": new_secret(),
    "NKOHUB_PERSON_KEY_SECRET": new_secret(),
    "NKOHUB_WEBHOOK_SECRET": new_secret(),
}


def settings_keys() -> dict[str, str]:
    """The same keys as keyword arguments of a Settings class."""
    return {name.removeprefix("NKOHUB_").lower(): value for name, value in SECRETS.items()}


def staff_token(hours: float = 6) -> str:
    return issue_token(PRIVATE_KEY, sub="bench", role=Role.STAFF, ttl=timedelta(hours=hours))
