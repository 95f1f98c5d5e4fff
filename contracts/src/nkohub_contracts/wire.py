"""Where the events travel: the names a subscriber needs to declare its own queue.

- ``EXCHANGE_NAME``: the durable topic exchange every event is published to, with the
  routing key equal to the event's ``type`` (bind to ``Model.type``, or a pattern such as
  ``events.meetup.*``).
- ``HISTORY_STREAM_NAME``: a RabbitMQ stream bound to that exchange for every key; it keeps
  every event published, within the operator's retention (size and age), to be read from
  the beginning, from a time or from an offset (AMQP 0.9.1 ``x-stream-offset``).
- Messages: body = the CloudEvents envelope (JSON), ``content_type``
  ``CLOUDEVENTS_CONTENT_TYPE``, ``message_id`` = the event's id, persistent.
"""

from __future__ import annotations

from nkohub_contracts.envelope import CLOUDEVENTS_CONTENT_TYPE

__all__ = ["CLOUDEVENTS_CONTENT_TYPE", "EXCHANGE_NAME", "HISTORY_STREAM_NAME"]

EXCHANGE_NAME = "nkohub"
HISTORY_STREAM_NAME = "nkohub.history"
