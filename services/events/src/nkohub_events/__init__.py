"""nkohub events service: meetups, registrations, consultations, questions, attendance
and the practice report.

Layout (the same in every service): `domain` (model and rules), `repository` (MongoDB
storage), `api` (HTTP routes), `consumers` (bus handlers), `settings`, and `app`, which
wires them into one runtime and one FastAPI app.
"""
