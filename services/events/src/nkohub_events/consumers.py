"""Bus handlers of the events service, named after the event they handle."""

from nkohub_shared.bus import EventConsumer

CONSUMERS: list[EventConsumer] = []
