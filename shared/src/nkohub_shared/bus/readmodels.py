"""Consumers of read models that several services keep alike."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from nkohub_contracts import CloudEvent
from nkohub_contracts.registry import (
    OrganizationDeactivated,
    OrganizationRegistered,
    OrganizationUpdated,
)
from nkohub_shared.bus.consumer import EventConsumer
from nkohub_shared.storage.organizations import OrganizationReadModel

Ctx = TypeVar("Ctx")


def follow_organizations(
    consumer: EventConsumer[Ctx], read_model: Callable[[Ctx], OrganizationReadModel]
) -> None:
    """Register on ``consumer`` the three handlers that keep ``read_model(ctx)`` in step
    with the registry's ``registry.organization.*`` events; each is one ``apply_once``
    write, so they keep no processed-events record (``idempotent``)."""

    @consumer.on(OrganizationRegistered, idempotent=True)
    async def organization_registered(
        ctx: Any, event: OrganizationRegistered, envelope: CloudEvent
    ) -> None:
        await read_model(ctx).store(event.organization, envelope)

    @consumer.on(OrganizationUpdated, idempotent=True)
    async def organization_updated(
        ctx: Any, event: OrganizationUpdated, envelope: CloudEvent
    ) -> None:
        await read_model(ctx).store(event.organization, envelope)

    @consumer.on(OrganizationDeactivated, idempotent=True)
    async def organization_deactivated(
        ctx: Any, event: OrganizationDeactivated, envelope: CloudEvent
    ) -> None:
        await read_model(ctx).deactivate(event.organization_id, event.status, envelope)
