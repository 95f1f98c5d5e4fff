"""nkohub events service: meetups, registrations, consultations, questions, attendance
and the practice report.

Rooms (the same in every service): `domain` (pure rules and the events they record),
`service` (use cases), `repository` (MongoDB storage), `api` (HTTP routes, `/api/v1`),
`pages` (server-rendered pages), `consumers` (bus handlers), `context` (what they share),
`settings`, and `app`, which wires them into one runtime and one FastAPI app.
"""
