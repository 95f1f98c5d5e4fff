"""Where a webhook may point: the public internet only, unless the operator allows more.

An admin sets a partner's webhook URL; the sender then POSTs to it from inside the
platform's network. Left open, that is a way to reach RabbitMQ's management port, the
database or a cloud metadata service (SSRF). So a target whose host is, or resolves to,
any address that is not globally routable (loopback, private, link-local, shared,
multicast, reserved, unspecified) is refused, at creation and again at every send (the
name is resolved anew: DNS rebinding), unless ``NKOHUB_WEBHOOK_ALLOW_PRIVATE_TARGETS``
or one of ``NKOHUB_WEBHOOK_ALLOWED_NETWORKS`` allows it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class TargetRefused(ValueError):
    """The URL may not be a webhook target; the message says why (no address in it)."""


def _kind(address: IPAddress) -> str | None:
    """Why an address is not public, or ``None`` if it is."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return _kind(address.ipv4_mapped)
    checks = (
        ("loopback", address.is_loopback),
        ("unspecified", address.is_unspecified),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
        ("not globally routable", not address.is_global),
    )
    return next((kind for kind, hit in checks if hit), None)


@dataclass(frozen=True)
class TargetPolicy:
    allow_private: bool = False
    allowed_networks: tuple[IPNetwork, ...] = field(default_factory=tuple)

    @classmethod
    def of(cls, allow_private: bool, networks: Iterable[str]) -> TargetPolicy:
        return cls(allow_private, tuple(ipaddress.ip_network(n, strict=False) for n in networks))

    def refusal(self, addresses: Iterable[str]) -> str | None:
        """Why these resolved addresses may not be reached (``None``: all may)."""
        found = False
        for text in addresses:
            found = True
            address = ipaddress.ip_address(text.split("%", 1)[0])  # drop an IPv6 zone
            kind = _kind(address)
            if kind is None or self.allow_private:
                continue
            if any(address in network for network in self.allowed_networks):
                continue
            return f"webhook target refused: the host resolves to a {kind} address"
        return None if found else "webhook target refused: the host does not resolve"


def target_host(url: str) -> str:
    """The host of an http(s) URL; ``TargetRefused`` for anything else."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 — raises ValueError on a malformed port
    except ValueError:
        raise TargetRefused("webhook target refused: not a valid URL") from None
    if parts.scheme not in ("http", "https") or not host:
        raise TargetRefused("webhook target refused: only http(s) URLs with a host")
    if parts.username or parts.password:
        raise TargetRefused("webhook target refused: no credentials in the URL")
    return host


def literal_address(host: str) -> str | None:
    """The host itself when it is an IP address (no look-up needed)."""
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None
