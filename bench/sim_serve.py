"""How fast the replica region starts and serves pages (the crawler benchmark must not be bound by it).

Run: python bench/sim_serve.py [SCENARIO] [--site KEY] [--concurrency N] [--pages N]
Prints region start time, then pages/s for fetching every page of one site with N requests in flight.
"""
from __future__ import annotations

import argparse
import asyncio
import time

import aiohttp

from govcheck.sim import load_scenario
from govcheck.sim.testing import running_region


async def fetch_all(base: str, paths: list[str], concurrency: int) -> tuple[int, int, float]:
    q: asyncio.Queue[str] = asyncio.Queue()
    for p in paths:
        q.put_nowait(p)
    ok = nbytes = 0

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal ok, nbytes
        while not q.empty():
            p = q.get_nowait()
            async with session.get(base + p) as r:
                body = await r.read()
                ok += r.status == 200
                nbytes += len(body)

    t = time.perf_counter()
    conn = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=conn) as s:
        await asyncio.gather(*(worker(s) for _ in range(concurrency)))
    return ok, nbytes, time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("scenario", nargs="?", default="xianning-2022q2")
    ap.add_argument("--site", default=None, help="site key (default: the largest site)")
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--pages", type=int, default=0, help="limit (0 = all pages of the site)")
    a = ap.parse_args()
    t = time.perf_counter()
    scen = load_scenario(a.scenario)
    t_load = time.perf_counter() - t
    t = time.perf_counter()
    with running_region(scen) as reg:
        t_start = time.perf_counter() - t
        total = sum(s["pages"] for s in reg.sites)
        print(f"scenario {scen.name}: {len(reg.sites)} sites, ~{total} pages; load {t_load:.2f}s, serve-start {t_start:.2f}s")
        key = a.site or max(reg.sites, key=lambda s: s["pages"])["key"]
        site = scen.site(key)
        roles = site.special.get("roles") or {}
        paths = sorted({p for p, tgt in site.routes.items() if tgt[0] in ("home", "column", "item", "sitemap")
                        and roles.get(p, "main") == "main"})  # pages of a second (platform) host are left out
        if a.pages:
            paths = paths[: a.pages]
        base = reg.site(key)["url"].rstrip("/")
        for run in ("cold", "warm"):
            ok, nbytes, el = asyncio.run(fetch_all(base, paths, a.concurrency))
            print(f"{key} ({site.style}, {site.encoding}) {run}: {ok}/{len(paths)} pages in {el:.2f}s = "
                  f"{ok / el:.0f} pages/s, {nbytes / el / 1e6:.1f} MB/s, concurrency {a.concurrency}")


if __name__ == "__main__":
    main()
