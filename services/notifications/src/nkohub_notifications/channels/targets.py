"""Webhook targets checked against ``domain.targets.TargetPolicy``: the host resolved
(``getaddrinfo``), every address it resolves to checked. The sender then connects to the
address it checked, not to a second look-up of the name (DNS rebinding)."""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass

from nkohub_notifications.domain.targets import (
    TargetPolicy,
    TargetRefused,
    literal_address,
    target_host,
)


@dataclass(frozen=True)
class CheckedTarget:
    host: str  # as the URL names it
    address: str  # the checked address to connect to


async def resolve(host: str) -> list[str]:
    """Every address ``host`` resolves to (an IP literal: itself); ``[]`` if none."""
    literal = literal_address(host.strip("[]"))
    if literal is not None:
        return [literal]
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True)
class WebhookTargets:
    policy: TargetPolicy

    async def check(self, url: str) -> CheckedTarget:
        """The URL's host and an allowed address of it; ``TargetRefused`` saying why not."""
        host = target_host(url)
        addresses = await resolve(host)
        reason = self.policy.refusal(addresses)
        if reason is not None:
            raise TargetRefused(reason)
        return CheckedTarget(host, addresses[0])
