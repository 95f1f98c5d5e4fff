"""Publishing real envelopes to the sandbox's bus, as the other services would."""

from tests.support.broker import publish_events as publish

__all__ = ["publish"]
