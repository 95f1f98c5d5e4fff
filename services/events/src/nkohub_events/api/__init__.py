"""HTTP routes of the events service (prefix `/api/v1`)."""

from nkohub_events.api import consultations, meetups, questions, registrations

routers = [meetups.router, registrations.router, consultations.router, questions.router]
