"""A background job ends when the service stops, even when the cancel reaches it as
another error (PyMongo turns a cancelled operation into its own): it is not restarted."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from nkohub_shared.runtime import ServiceRuntime


async def _run(job) -> tuple[asyncio.Task[None], list[str]]:
    task = asyncio.create_task(ServiceRuntime._keep_running(SimpleNamespace(context=None), job))
    await asyncio.sleep(0.05)
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=5)
    return task, [t.get_name() for t in done]


async def test_a_job_whose_cancel_becomes_another_error_is_not_restarted():
    runs = 0

    async def job(_context) -> None:
        nonlocal runs
        runs += 1
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            raise RuntimeError("operation cancelled") from None

    task, done = await _run(job)
    assert done, "the job kept running after stop"
    assert runs == 1
    assert task.cancelled() or isinstance(task.exception(), RuntimeError)


async def test_a_job_failing_on_its_own_is_restarted():
    runs = 0

    async def job(_context) -> None:
        nonlocal runs
        runs += 1
        if runs == 1:
            raise RuntimeError("a bug")
        await asyncio.sleep(3600)

    task = asyncio.create_task(ServiceRuntime._keep_running(SimpleNamespace(context=None), job))
    for _ in range(40):
        if runs == 2:
            break
        await asyncio.sleep(0.1)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert runs == 2
