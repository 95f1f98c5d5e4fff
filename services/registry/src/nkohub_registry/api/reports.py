"""Staff reports."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from nkohub_registry.api.deps import Service
from nkohub_shared.web.auth import StaffUser

router = APIRouter()


@router.get("/reports/needs")
async def needs_report(service: Service, _: StaffUser) -> dict[str, Any]:
    """Shares (of the organizations that answered) per need, per specialist, and of those
    willing to meet and wanting consultations."""
    return await service.needs_report()
