"""The console consumes no events: it reads the services through their HTTP APIs when a
page is asked for (so what it shows is never a stale copy)."""

from __future__ import annotations

from nkohub_console.context import ConsoleContext
from nkohub_shared.bus.consumer import EventConsumer

CONSUMERS: list[EventConsumer[ConsoleContext]] = []
