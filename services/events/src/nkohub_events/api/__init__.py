"""HTTP routes of the events service (prefix `/api/v1`)."""

from nkohub_events.api import (
    calendar,
    consultations,
    meetups,
    organizations,
    questions,
    registrations,
    reports,
)

routers = [
    meetups.router,
    registrations.router,
    consultations.router,
    questions.router,
    calendar.router,
    reports.router,
    organizations.router,
]
