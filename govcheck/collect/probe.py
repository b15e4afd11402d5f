"""Home-page availability probes and the V2 figure computed from them.

A probe is one GET of the home page; it fails when it errors, answers >= 400 (not a WAF block) or takes
the slow threshold (the 15-second rule) or longer. Blocked answers are recorded but are not failures.
"""
from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta, timezone
from typing import NamedTuple

import aiohttp
from sqlalchemy import and_, func, select
from sqlalchemy.engine import Engine

from govcheck.collect.archive import utcnow
from govcheck.collect.classify import classifier
from govcheck.collect.config import load_data
from govcheck.collect.store import crawl_probe
from govcheck.model import Site


class Availability(NamedTuple):
    visits: int
    failures: int
    ratio: float  # failures / visits (0.0 when there were no visits)


def probe_defaults() -> dict:
    return dict(load_data()["probe"])


async def probe_once(session: aiohttp.ClientSession, site: Site, timeout: float, slow: float,
                     user_agent: str) -> dict:
    t0 = time.monotonic()
    at = utcnow()
    status = None
    error = None
    body = b""
    try:
        async with session.get(site.url, timeout=aiohttp.ClientTimeout(total=timeout),
                               headers={"User-Agent": user_agent}) as resp:
            status = resp.status
            body = await resp.content.read(200_000)
    except asyncio.TimeoutError:
        error = "timeout"
    except (aiohttp.ClientError, OSError, ValueError) as e:
        error = f"{type(e).__name__}: {e}"[:300]
    elapsed = time.monotonic() - t0
    blocked = classifier().is_blocked(status, body)
    ok = error is None and status is not None and (status < 400 or blocked) and elapsed < slow
    if elapsed >= slow and error is None:
        error = f"slow: 首页打开用时 {elapsed:.1f} 秒"
    return {"site": site.url, "url": site.url, "at": at, "status": status, "elapsed": round(elapsed, 4),
            "ok": ok, "blocked": blocked, "error": error}


async def run_probes(engine: Engine, sites: list[Site], interval: float, count: int | None,
                     timeout: float | None = None, slow: float | None = None,
                     on_round=None) -> int:
    """Probe every site every `interval` seconds, `count` rounds (None = until cancelled)."""
    d = probe_defaults()
    timeout = timeout if timeout is not None else float(d["timeout"])
    slow = slow if slow is not None else float(d["slow_seconds"])
    ua = load_data()["politeness"]["user_agent"]
    n = 0
    async with aiohttp.ClientSession() as session:
        while count is None or n < count:
            start = time.monotonic()
            rows = await asyncio.gather(*(probe_once(session, s, timeout, slow, ua) for s in sites))
            await asyncio.to_thread(_insert, engine, rows)
            n += 1
            if on_round:
                on_round(n, rows)
            if count is not None and n >= count:
                break
            await asyncio.sleep(max(0.0, interval - (time.monotonic() - start)))
    return n


def _insert(engine: Engine, rows: list[dict]) -> None:
    with engine.begin() as c:
        c.execute(crawl_probe.insert(), rows)


def availability(db: Engine, site: str, at: datetime, window: timedelta | None = None) -> Availability:
    """Visits and failures of a site's home page in the window before `at` (default: the week before)."""
    if window is None:
        window = timedelta(days=float(probe_defaults()["window_days"]))
    if at.tzinfo is not None:  # probes are stored as naive UTC
        at = at.astimezone(timezone.utc).replace(tzinfo=None)
    cond = and_(crawl_probe.c.site == site, crawl_probe.c.at >= at - window, crawl_probe.c.at < at)
    with db.connect() as c:
        visits = c.execute(select(func.count()).where(cond)).scalar_one()
        failures = c.execute(select(func.count()).where(cond, crawl_probe.c.ok.is_(False))).scalar_one()
    return Availability(visits, failures, failures / visits if visits else 0.0)


def v2_veto(a: Availability, window: timedelta, veto_ratio: float, min_visits_per_day: float) -> bool | None:
    """True = V2 veto (failure ratio at or above the threshold); None = too few visits to judge."""
    days = window.total_seconds() / 86400
    if a.visits < min_visits_per_day * days:
        return None
    return a.ratio >= veto_ratio
