"""Connecting to a RabbitMQ cluster: every node named, the connection moving between them.

``NKOHUB_AMQP_URL`` names one node with the credentials and the vhost;
``NKOHUB_AMQP_NODES`` (``["127.0.0.1:5701", "127.0.0.1:5702", "127.0.0.1:5703"]``) names
them all. A process first connects to the first node that accepts a TCP connection; when
its connection drops (the node died, a network cut), each reconnection attempt goes to the
next node in turn, so a process is back on a living node after one reconnect interval.
The queues are quorum queues (``bus.topology``): their messages live on a majority of the
nodes, so whatever node a process lands on serves the same queues.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import Any

from aio_pika import RobustConnection
from yarl import URL

log = logging.getLogger("nkohub.cluster")

PROBE_SECONDS = 1.0


def node_urls(url: str, nodes: Sequence[str]) -> list[URL]:
    """``url`` (credentials, vhost, query) once per ``host:port`` of ``nodes``."""
    base = URL(url)
    urls = []
    for node in nodes:
        host, _, port = node.rpartition(":")
        urls.append(base.with_host(host or node).with_port(int(port) if host else base.port))
    return urls


async def _answers(url: URL) -> bool:
    with contextlib.suppress(OSError, TimeoutError):
        _, writer = await asyncio.wait_for(
            asyncio.open_connection(url.host, url.port), PROBE_SECONDS
        )
        writer.close()
        return True
    return False


def failover_connection(urls: Sequence[URL]) -> type[RobustConnection]:
    """A robust connection class that starts on the first node answering and moves to the
    next node on every reconnection attempt."""
    nodes = tuple(urls)

    class FailoverConnection(RobustConnection):
        _node = 0

        async def connect(self, timeout: Any = None) -> None:
            for i, url in enumerate(nodes):
                if await _answers(url):
                    self._node = i
                    break
            self.url = nodes[self._node]
            await super().connect(timeout)

        # aio-pika clears ``transport`` at the start of every connection attempt, then
        # connects to ``self.url``. Every attempt after the first follows a dropped
        # connection or a failed attempt: it goes to the next node.
        @property
        def transport(self) -> Any:
            return self.__dict__.get("_transport")

        @transport.setter
        def transport(self, value: Any) -> None:
            self.__dict__["_transport"] = value
            if value is not None:
                log.info("RabbitMQ: connected to node %s:%s", self.url.host, self.url.port)
            elif "url" in self.__dict__:  # not the constructor's first assignment
                if self.__dict__.get("_attempted"):
                    self._node = (self._node + 1) % len(nodes)
                    self.url = nodes[self._node]
                    log.warning("RabbitMQ: trying node %s:%s", self.url.host, self.url.port)
                self.__dict__["_attempted"] = True

    return FailoverConnection
