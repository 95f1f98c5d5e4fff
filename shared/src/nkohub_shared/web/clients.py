"""Who is calling: the client's address, for rate limits.

Behind the platform's reverse proxy every request comes from the proxy; its
``X-Forwarded-For`` names the client. That header is believed only when the direct peer is
one of ``NKOHUB_TRUSTED_PROXIES`` — otherwise anyone could name any address.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated

from fastapi import Depends, Request


def _trusted(peer: str, proxies: list[str]) -> bool:
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(p, strict=False) for p in proxies)


async def client_address(request: Request) -> str:  # async: no worker thread
    peer = request.client.host if request.client else "unknown"
    proxies = request.app.state.runtime.settings.trusted_proxies
    forwarded = request.headers.get("x-forwarded-for", "")
    if forwarded and _trusted(peer, proxies):
        # the proxy appends the address it saw: the last entry is the one it vouches for
        return forwarded.split(",")[-1].strip()[:64] or peer
    return peer


ClientAddress = Annotated[str, Depends(client_address)]
