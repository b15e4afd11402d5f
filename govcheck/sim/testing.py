"""Run a replica region from synchronous code (tests, the demo, benchmarks)."""
from __future__ import annotations

import asyncio
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .scenario import Scenario
from .server import RegionServer


@contextmanager
def running_region(scenario: Scenario | str | Path, host: str = "127.0.0.1", **kwargs) -> Iterator[RegionServer]:
    """Start the region in a background thread with its own event loop; yields it with every site listening."""
    server = RegionServer(scenario, host=host, **kwargs)
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    error: list[BaseException] = []

    def run() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(server.start())
        except BaseException as e:  # reported to the caller's thread
            error.append(e)
            ready.set()
            return
        ready.set()
        loop.run_forever()
        loop.run_until_complete(server.stop())
        loop.close()

    t = threading.Thread(target=run, name="replica-region", daemon=True)
    t.start()
    ready.wait()
    if error:
        t.join()
        raise error[0]
    try:
        yield server
    finally:
        loop.call_soon_threadsafe(loop.stop)
        t.join(timeout=10)
