"""nkohub notifications service: e-mail and other channels that reach people.

Rooms (the same in every service): `domain` (pure rules), `service` (use cases),
`repository` (MongoDB storage), `channels` (SMTP, webhook and Telegram adapters), `api`
(HTTP routes) and `pages` (pages behind the links in e-mails), `consumers` (bus
handlers), `context` (what all of them receive), `settings`, and `app`, which wires them
into one runtime and one FastAPI app.
"""
