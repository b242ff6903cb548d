"""Background tasks that are never lost to the garbage collector and always log their failures."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger(__name__)

_TASKS: set[asyncio.Task[Any]] = set()


def spawn(coro: Coroutine[Any, Any, Any], *, name: str) -> asyncio.Task[Any]:
    """`asyncio.create_task` that keeps a reference and logs an exception instead of losing it."""
    task = asyncio.create_task(coro, name=name)
    _TASKS.add(task)
    task.add_done_callback(_done)
    return task


def _done(task: asyncio.Task[Any]) -> None:
    _TASKS.discard(task)
    if not task.cancelled() and task.exception() is not None:
        log.error("Background task %s failed", task.get_name(), exc_info=task.exception())


async def drain(seconds: float = 3.0, *, cancel: bool = False) -> None:
    """Wait for outstanding background tasks; with `cancel`, cancel what is still running after `seconds`."""
    pending = [t for t in _TASKS if not t.done() and t is not asyncio.current_task()]
    if not pending:
        return
    _, still_running = await asyncio.wait(pending, timeout=seconds)
    if cancel:
        for task in still_running:
            task.cancel()
        await asyncio.gather(*still_running, return_exceptions=True)
