"""Bus handlers of the notifications service, named after the event they handle."""

from nkohub_shared.bus import EventConsumer

CONSUMERS: list[EventConsumer] = []
