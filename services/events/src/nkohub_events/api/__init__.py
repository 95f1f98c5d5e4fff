"""HTTP API of the events service: the one ``/api/v1`` prefix, set here for every route."""

from fastapi import APIRouter

from nkohub_events.api import (
    calendar,
    consultations,
    meetups,
    organizations,
    printouts,
    questions,
    registrations,
    reports,
)

router = APIRouter(prefix="/api/v1")
for module in (
    meetups,
    registrations,
    consultations,
    questions,
    calendar,
    reports,
    organizations,
    printouts,
):
    router.include_router(module.router)
