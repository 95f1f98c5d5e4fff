"""nkohub registry service: the city's NGOs, their people, their needs and their history with us.

- Organizations: ОГРН/ИНН validated with their check digits, КПП by format; a second
  official record with the same ОГРН or ИНН is refused (409 to staff, naming it). Search
  by any word of the name (case, `ё`/`е` and quotes ignored), filters, pages, sort. Anyone
  reads public fields; staff write, export (CSV with BOM, XLSX; Russian headers) and import.
- Self-registration (`POST /organizations` without a token) is a proposal kept apart from
  the official records (`/proposals`): it holds no ОГРН, its answer is always the same
  202, it may set only the self-registration fields, and each address may send 20 an hour.
  Staff approve it (a new record, or chosen fields merged into the official twin) or
  reject it.
- Import (`POST /organizations/import`, `nkohub registry import FILE --city Глазов`):
  Ministry of Justice listing, the own template or an export of it, upsert by ОГРН, never
  overwriting a field staff edited by hand; the CLI writes to the registry's database and
  the running service's outbox relay publishes its events (or the service at its next start).
- People are personal data (152-ФЗ consents; staff only); erasure by an admin or by the
  person on the page of their signed, expiring link (`/people/{id}/erase`) publishes
  `registry.person.erased` with pseudonymous keys and leaves a tombstone, so nothing
  arriving later brings their data back.
- Needs survey and report; history with us (meetups, people, presentations,
  consultations) kept from the events service's events, grants entered by staff.

Publishes `registry.organization.registered|updated|deactivated`, `registry.person.erased`
(through the outbox). Consumes `events.attendance.recorded`, `events.meetup.scheduled|
updated|cancelled`, `events.consultation.completed` (queue `registry.history`).
"""
