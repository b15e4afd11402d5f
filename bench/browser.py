"""The browser pass's cost, measured beside its peer in the same run (never a timed assertion in a test).

1. Pages: the same pages (every home page and script-filled list page of a variety region whose lists come
   only from JSON endpoints) fetched plainly through the fetch layer, then rendered by the browser pool
   (Chromium, archived document served, scripts and data fetched): pages per second each, the ratio, and the
   pool's peak memory (resident memory of the whole Chromium process tree, sampled every 0.25 s).
2. Round: the same region inspected without and with `browser=True` (rendering + screenshots for findings):
   seconds each and the ratio — the cost the browser pass adds to a whole round. `--demo` does the same on
   the built-in demo region (40 sites; long).

    python bench/browser.py [--sites 4] [--seed 11] [--demo] [--out DIR]

Record `uptime` beside any figure (the machine is shared).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _pages(models: dict) -> list[str]:
    out = []

    def walk(base, cols):
        for c in cols:
            if c.get("mode") == "json" and c.get("url"):
                out.append(base.rstrip("/") + c["url"])
            walk(base, c.get("children") or [])

    for s in models["sites"]:
        out.append(s["url"])
        walk(s["url"], s["columns"])
    return out


async def _pages_bench(urls: list[str], allow: list[str]) -> dict:
    from govcheck.browser.pool import BrowserPool, site_hosts
    from govcheck.collect.config import CrawlOptions
    from govcheck.collect.fetch import FetchClient

    opts = CrawlOptions.defaults(allow_addresses=allow, min_delay=0, retries=0)
    async with FetchClient(opts) as client:
        sem = asyncio.Semaphore(2)

        async def get(u):
            async with sem:
                return await client.fetch(u, purpose="page", robots=False)

        t0 = time.perf_counter()
        got = await asyncio.gather(*(get(u) for u in urls))
        plain = time.perf_counter() - t0
        ok_plain = sum(1 for r in got if r.status == 200)
        async with BrowserPool(client, size=2) as pool:
            t0 = time.perf_counter()
            res = await asyncio.gather(*(pool.render(u, hosts=site_hosts(u)) for u in urls))
            rendered = time.perf_counter() - t0
            peak = pool.peak_rss
    ok = sum(1 for r in res if r.ok)
    return {"pages": len(urls), "plain_ok": ok_plain, "plain_seconds": round(plain, 2),
            "plain_pages_per_s": round(len(urls) / plain, 2), "rendered_ok": ok,
            "render_seconds": round(rendered, 2), "rendered_pages_per_s": round(len(urls) / rendered, 2),
            "render_over_plain_time": round(rendered / plain, 1), "pool_peak_rss_mb": round(peak / 2 ** 20)}


def _round(seed: int, n: int, out: Path, browser: bool) -> dict:
    from govcheck.sim.variety import Options
    from govcheck.sim.variety_eval import inspect_region

    t0 = time.perf_counter()
    res = inspect_region(seed, n, out, opts=Options(force_mode="json", json_stale=True, styles=("avalon", "zfxxgk")),
                         workers=1, browser=browser)
    secs = time.perf_counter() - t0
    rj = out / "round" / "render.json"
    return {"seconds": round(secs, 1), "sites_exact": sum(s.ok for s in res.sites), "sites": len(res.sites),
            "render": {k: v for k, v in json.loads(rj.read_text(encoding="utf-8")).items() if k != "failures"}
            if rj.exists() else None}


def _demo(out: Path, browser: bool) -> dict:
    from govcheck.commands import DEMO_DIR, _demo_inspect

    t0 = time.perf_counter()
    _demo_inspect(out, DEMO_DIR / "round.toml", None, False, True, browser)
    secs = time.perf_counter() - t0
    rj = out / "render.json"
    return {"seconds": round(secs, 1),
            "render": {k: v for k, v in json.loads(rj.read_text(encoding="utf-8")).items() if k != "failures"}
            if rj.exists() else None}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sites", type=int, default=4)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--demo", action="store_true", help="also the built-in demo round, without and with the pass")
    ap.add_argument("--out", type=Path, default=None)
    a = ap.parse_args()
    base = a.out or Path(tempfile.mkdtemp(prefix="bench-browser-"))
    report: dict = {"load_before": os.getloadavg()}

    from govcheck.sim.variety import Options
    from govcheck.sim.variety_eval import _model_scenario, serve_variety, time_point_for
    from govcheck.sim.variety import site_model

    opts = Options(force_mode="json", json_stale=True, styles=("avalon", "zfxxgk"))
    t0 = time_point_for(a.seed)
    with serve_variety(a.seed, a.sites, base / "pages" / "sites.csv", opts=opts, t0=t0) as served:
        scen = _model_scenario(a.seed, a.sites, opts, t0)
        models = {"sites": []}
        for site, info in zip(scen.sites, served.sites):
            site.url = info["url"]
            models["sites"].append(site_model(site))
        report["pages"] = asyncio.run(_pages_bench(_pages(models), served.allow))
    report["round_plain"] = _round(a.seed, a.sites, base / "plain", False)
    report["round_browser"] = _round(a.seed, a.sites, base / "browser", True)
    report["round_ratio"] = round(report["round_browser"]["seconds"] / report["round_plain"]["seconds"], 2)
    if a.demo:
        report["demo_plain"] = _demo(base / "demo-plain", False)
        report["demo_browser"] = _demo(base / "demo-browser", True)
        report["demo_ratio"] = round(report["demo_browser"]["seconds"] / report["demo_plain"]["seconds"], 2)
    report["load_after"] = os.getloadavg()
    print(json.dumps(report, ensure_ascii=False, indent=1))
    if a.out is None:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
