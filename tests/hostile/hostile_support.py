"""Hostile servers on 127.0.0.1 and a memory ceiling sampled while a case runs."""
from __future__ import annotations

import socket
import threading
import time
from contextlib import asynccontextmanager, contextmanager

import psutil
from aiohttp import web

MB = 1024 * 1024


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@asynccontextmanager
async def serve(app: web.Application):
    """An aiohttp app on a free 127.0.0.1 port; yields its base URL."""
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
    await runner.setup()
    port = free_port()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


def allow_of(base: str) -> list[str]:
    """The allow-list entry for exactly this server (host:port): other loopback ports stay refused."""
    return [base.split("//", 1)[1]]


def _rss() -> int:
    p = psutil.Process()
    total = p.memory_info().rss
    for c in p.children(recursive=True):
        try:
            total += c.memory_info().rss
        except psutil.Error:
            pass
    return total


class Peak:
    def __init__(self):
        self.base = _rss()
        self.peak = self.base

    @property
    def growth_mb(self) -> float:
        return (self.peak - self.base) / MB


@contextmanager
def memory_ceiling(mb: float, every: float = 0.01):
    """Sample this process's RSS (and its children's: page readers) while the block runs; fail when it grew
    by more than `mb` megabytes above what it was before."""
    peak = Peak()
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak.peak = max(peak.peak, _rss())
            time.sleep(every)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    try:
        yield peak
    finally:
        stop.set()
        t.join()
        peak.peak = max(peak.peak, _rss())
    assert peak.growth_mb <= mb, f"memory grew by {peak.growth_mb:.0f} MB (ceiling {mb} MB)"
