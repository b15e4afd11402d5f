"""Home-page availability probes and the V2 figure computed from them.

A probe is one GET of the home page; it fails when it errors, answers >= 400 (not a WAF block) or takes
the slow threshold (the 15-second rule) or longer. Blocked answers are recorded but are not failures.
"""
from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta, timezone
from typing import NamedTuple

from sqlalchemy import and_, func, or_, select
from sqlalchemy.engine import Engine

from govcheck.collect.archive import utcnow
from govcheck.collect.classify import classifier
from govcheck.collect.config import CrawlOptions, load_data
from govcheck.collect.fetch import FetchClient, error_kind
from govcheck.collect.store import crawl_probe
from govcheck.model import Site


class Availability(NamedTuple):
    visits: int
    failures: int
    ratio: float  # failures / visits (0.0 when there were no visits)


def probe_defaults() -> dict:
    return dict(load_data()["probe"])


async def probe_once(client: FetchClient, site: Site, timeout: float, slow: float, max_body: int = 200_000) -> dict:
    """One visit of the home page through the fetch layer (robots rules, address policy, TLS facts hold
    here too). One attempt, no retries: each probe is one visit. Errors keep their kind (dns/connect/tls/
    timeout/address_refused/…); a probe robots.txt forbids is recorded but is not a visit."""
    at = utcnow()
    res = await client.fetch(site.url, purpose="probe", max_body=max_body, retries=0, deadline=timeout,
                             timeout=timeout, robots=True)
    error = res.error
    if error and error_kind(error) == "body_too_large":
        error = None  # a probe reads only the head of the page on purpose
    if error and error_kind(error) == "robots":
        return {"site": site.url, "url": site.url, "at": at, "status": None, "elapsed": 0.0, "ok": True,
                "blocked": True, "error": "robots: robots.txt 不允许访问首页，本次未探测（不计入访问次数）"}
    status = res.status
    elapsed = res.elapsed
    body = res.body or (res.hops[-1].body if res.hops else b"")
    blocked = classifier().is_blocked(status, body)
    ok = error is None and status is not None and (status < 400 or blocked) and elapsed < slow
    if elapsed >= slow and error is None:
        error = f"slow: 首页打开用时 {elapsed:.1f} 秒"
    return {"site": site.url, "url": site.url, "at": at, "status": status, "elapsed": round(elapsed, 4),
            "ok": ok, "blocked": blocked, "error": error[:500] if error else None}


async def run_probes(engine: Engine, sites: list[Site], interval: float, count: int | None,
                     timeout: float | None = None, slow: float | None = None,
                     on_round=None, opts: CrawlOptions | None = None) -> int:
    """Probe every site every `interval` seconds, `count` rounds (None = until cancelled). `opts`: the fetch
    layer's settings (the address allow-list above all); defaults when None."""
    d = probe_defaults()
    timeout = timeout if timeout is not None else float(d["timeout"])
    slow = slow if slow is not None else float(d["slow_seconds"])
    opts = opts or CrawlOptions.defaults()
    n = 0
    async with FetchClient(opts) as client:
        while count is None or n < count:
            start = time.monotonic()
            rows = await asyncio.gather(*(probe_once(client, s, timeout, slow) for s in sites))
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
    # a probe robots.txt forbade was not a visit
    cond = and_(crawl_probe.c.site == site, crawl_probe.c.at >= at - window, crawl_probe.c.at < at,
                or_(crawl_probe.c.error.is_(None), crawl_probe.c.error.not_like("robots:%")))
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
