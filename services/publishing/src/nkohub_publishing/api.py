"""HTTP routes of the publishing service (prefix `/api/v1`)."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1", tags=["publishing"])
