"""robots.txt rules per origin, read by Protego (Google's matching: `*` wildcards and `$` anchors, longest
match wins), fetched once per origin through the fetch layer.

The standard library's parser ignores `*` and `$`, so `Disallow: /*?` did not stop `/list?page=2`.
A missing (4xx) or unreadable robots.txt allows everything, as the crawler always did.
"""
from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any, Callable

from protego import Protego

if TYPE_CHECKING:  # pragma: no cover
    from govcheck.collect.fetch import FetchClient, FetchResult

ROBOTS_MAX_BYTES = 500_000  # Google reads the first 500 KiB; the rest is ignored
ROBOTS_TTL = 86_400.0  # seconds a robots.txt is trusted (a probe monitor runs for weeks); Google caches a day


def origin_of(url: str) -> str:
    """scheme://host[:port] of a normalised URL: robots rules are per origin."""
    i = url.find("//") + 2
    j = url.find("/", i)
    return url if j < 0 else url[:j]


def parse_rules(status: int | None, body: bytes) -> Protego:
    """Rules from a robots.txt response: only a 2xx body counts (anything else allows everything)."""
    if status is not None and 200 <= status < 300 and body:
        text = body[:ROBOTS_MAX_BYTES].decode("utf-8", errors="replace")
        try:
            return Protego.parse(text)
        except Exception:  # noqa: BLE001 - a hostile robots.txt is treated as absent
            pass
    return Protego.parse("")


class Robots:
    """Robots rules of every origin a caller fetches from. `on_fetch(result)` is told of each robots.txt
    fetched (the crawler archives it and records it in its index); `load()` restores rules read earlier."""

    def __init__(self, client: "FetchClient", agent: str, on_fetch: Callable[["FetchResult"], Any] | None = None):
        self.client = client
        self.agent = agent
        self.on_fetch = on_fetch
        self.rules: dict[str, Protego] = {}
        self._read_at: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def load(self, origin: str, status: int | None, body: bytes) -> None:
        self.rules[origin] = parse_rules(status, body)
        self._read_at[origin] = time.monotonic()

    def _fresh(self, origin: str) -> Protego | None:
        rp = self.rules.get(origin)
        if rp is not None and time.monotonic() - self._read_at.get(origin, 0.0) > ROBOTS_TTL:
            return None
        return rp

    def known(self, url: str) -> bool:
        return origin_of(url) in self.rules

    async def rules_for(self, url: str) -> Protego:
        origin = origin_of(url)
        rp = self._fresh(origin)
        if rp is not None:
            return rp
        lock = self._locks.setdefault(origin, asyncio.Lock())
        async with lock:
            rp = self._fresh(origin)
            if rp is None:
                res = await self.client.fetch(origin + "/robots.txt", purpose="robots", max_body=ROBOTS_MAX_BYTES,
                                              robots=None, polite=False)  # inside a hop's host slot maybe
                if res.error and res.error.startswith("body_too_large"):
                    res.error = None  # the first 500 KB are the rules; the rest is ignored on purpose
                self.load(origin, res.status if not res.error else None, res.body)
                rp = self.rules[origin]
                if self.on_fetch is not None:
                    self.on_fetch(res)
        return rp

    async def allowed(self, url: str) -> bool:
        rp = await self.rules_for(url)
        try:
            return rp.can_fetch(url, self.agent)
        except Exception:  # noqa: BLE001 - Protego on a hostile pattern: allow, as for a broken file
            return True
