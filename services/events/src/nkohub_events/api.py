"""HTTP routes of the events service (prefix `/api/v1`)."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1", tags=["events"])
