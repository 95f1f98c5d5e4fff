"""Integration events published by the registry service."""

from __future__ import annotations

from nkohub_shared.contracts.base import IntegrationEvent  # noqa: F401
