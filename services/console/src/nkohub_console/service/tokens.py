"""The staff token the console sends with each request to a service: the signed-in
account's id as ``sub``, its role, a lifetime of a few minutes (a deactivated account's
last token is useless soon after)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from nkohub_shared.tokens import issue_token


class TokenMinter:
    def __init__(
        self, private_key: str, *, minutes: int, issuer: str = "nkohub", audience: str = "nkohub"
    ) -> None:
        self._key = private_key
        self.ttl = timedelta(minutes=minutes)
        self._issuer = issuer
        self._audience = audience

    def for_account(self, account: dict[str, Any]) -> str:
        return issue_token(
            self._key,
            sub=account["_id"],
            role=account["role"],
            ttl=self.ttl,
            issuer=self._issuer,
            audience=self._audience,
        )
