"""Publishing real envelopes to the sandbox's bus, as the other services would."""

from __future__ import annotations

import aio_pika

from nkohub_shared.contracts import CloudEvent, IntegrationEvent, new_event


async def publish(amqp_url: str, *events: IntegrationEvent | CloudEvent) -> list[CloudEvent]:
    envelopes = [e if isinstance(e, CloudEvent) else new_event(e) for e in events]
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange("nkohub")
        for envelope in envelopes:
            await exchange.publish(
                aio_pika.Message(
                    envelope.model_dump_json().encode(),
                    message_id=envelope.id,
                    content_type="application/cloudevents+json",
                    delivery_mode=2,
                ),
                routing_key=envelope.type,
            )
    return envelopes
