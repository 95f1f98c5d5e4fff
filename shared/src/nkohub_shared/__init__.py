"""Contracts and plumbing shared by the four nkohub services.

- ``settings``: one pydantic-settings class per service, prefix ``NKOHUB_``.
- ``contracts``: integration events (pydantic models) and the CloudEvents envelope.
- ``storage``: the MongoDB client, indexes and the transactional outbox.
- ``bus``: the RabbitMQ topology, the outbox relay and idempotent consumers.
- ``web``: the FastAPI app factory, health, auth and error handling.
"""
