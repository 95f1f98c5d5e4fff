"""Whether the running task is being cancelled. PyMongo turns a cancelled operation into
an error of its own, so a loop that catches ``Exception`` to carry on must ask this
before it does, or it outlives the cancel (a service that does not stop)."""

from __future__ import annotations

import asyncio


def being_cancelled() -> bool:
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0
