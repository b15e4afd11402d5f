"""Benchmark: a normal site's crawl rate with a hostile site crawled beside it, against the rate alone.

    python bench/hostile_neighbour.py                    # 3,000-page normal site, 3 alternating rounds
    python bench/hostile_neighbour.py --pages 1000 --rounds 1

The normal site is bench/crawl.py's generated site; the hostile one (its own process) links 2 pages of
100,000 nested divs, 1 of 200,000, a gzip bomb and a drip (more with --deep/--deeper/--bombs/--drips). Both are crawled in one run (one fetch layer,
one set of page readers), as a round crawls a region. The goal (issue 17): the normal site's pages/s beside
the hostile one within 10% of its rate alone, and none of its fetches flagged slow. `--no-guard` also measures
the second line of defence (the nesting guard off: each deep page costs its worker the CPU limit).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from crawl import free_port, start_site  # noqa: E402  (bench/crawl.py: the generated normal site)


def serve_hostile(port: int, deep: int, deeper: int, bombs: int, drips: int) -> None:
    import asyncio
    import gzip

    from aiohttp import web

    page100k = "<html><head><title>深</title></head><body>" + "<div>" * 100_000 + "x" + "</div>" * 100_000 + "</body></html>"
    page200k = "<html><head><title>深</title></head><body>" + "<div>" * 200_000 + "x" + "</div>" * 200_000 + "</body></html>"
    bomb = gzip.compress(b"\0" * (100 * 2**20), compresslevel=9)
    paths = ([f"/deep/{i}.html" for i in range(deep)] + [f"/deeper/{i}.html" for i in range(deeper)]
             + [f"/bomb/{i}.html" for i in range(bombs)] + [f"/drip/{i}.html" for i in range(drips)])

    async def handler(req: web.Request) -> web.StreamResponse:
        p = req.path
        if p == "/":
            links = "".join(f'<a href="{x}">{x}</a>' for x in paths)
            return web.Response(text=f"<html><head><title>恶意</title></head><body>{links}</body></html>",
                                content_type="text/html")
        if p.startswith("/deep/"):
            return web.Response(text=page100k, content_type="text/html")
        if p.startswith("/deeper/"):
            return web.Response(text=page200k, content_type="text/html")
        if p.startswith("/bomb/"):
            return web.Response(body=bomb, headers={"Content-Type": "text/html", "Content-Encoding": "gzip"})
        if p.startswith("/drip/"):
            resp = web.StreamResponse(headers={"Content-Type": "text/html"})
            await resp.prepare(req)
            try:
                for _ in range(10_000):
                    await resp.write(b"x")
                    await asyncio.sleep(1)
            except (ConnectionError, asyncio.CancelledError, RuntimeError):
                pass
            return resp
        return web.Response(status=404)

    app = web.Application()
    app.router.add_get("/{tail:.*}", handler)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def start_hostile(a) -> tuple[subprocess.Popen, str]:
    import socket

    port = free_port()
    p = subprocess.Popen([sys.executable, __file__, "--serve-hostile", str(port), "--deep", str(a.deep),
                          "--deeper", str(a.deeper), "--bombs", str(a.bombs), "--drips", str(a.drips)])
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    return p, f"http://127.0.0.1:{port}"


def child(normal: str, hostile: str | None, pages: int, concurrency: int, guard: bool) -> None:
    import asyncio

    from govcheck.collect.config import CrawlOptions
    from govcheck.collect.query import fetches
    from govcheck.collect.runner import crawl_sites
    from govcheck.collect.store import make_engine
    from govcheck.model import Site

    out = tempfile.mkdtemp(prefix="bench-neighbour-")
    allow = [normal.split("//", 1)[1]] + ([hostile.split("//", 1)[1]] if hostile else [])
    over = {} if guard else {"max_nesting": 10**9}
    opts = CrawlOptions.defaults(min_delay=0, per_host_concurrency=concurrency, global_limit=2 * concurrency,
                                 max_pages=pages + 10, obey_robots=False, check_external=False, retries=0,
                                 deadline=20, timeout=20, allow_addresses=allow, **over)
    sites = [Site(region="b", unit="normal", name="normal", url=normal + "/")]
    if hostile:
        sites.append(Site(region="b", unit="hostile", name="hostile", url=hostile + "/"))
    res = asyncio.run(crawl_sites(sites, out, opts))
    n = res[0]
    engine = make_engine(f"sqlite:///{out}/round.sqlite")
    rows = fetches(engine, n.site)
    hrows = fetches(engine, res[1].site) if hostile else []
    engine.dispose()
    kinds: dict[str, int] = {}
    for r in hrows:
        k = (r["error"] or "ok").split(":", 1)[0]
        kinds[k] = kinds.get(k, 0) + 1
    import resource

    cpu = sum(u.ru_utime + u.ru_stime for u in (resource.getrusage(resource.RUSAGE_SELF),
                                                  resource.getrusage(resource.RUSAGE_CHILDREN)))
    print("RESULT " + json.dumps({"pages": n.fetched, "seconds": n.elapsed, "pages_per_s": n.pages_per_s,
                                  "cpu_s": cpu,
                                  "slow": sum(1 for r in rows if r["slow"]),
                                  "max_elapsed": max((r["elapsed"] or 0) for r in rows),
                                  "hostile": kinds, "hostile_seconds": res[1].elapsed if hostile else None}))


def measure(normal: str, hostile: str | None, a, guard: bool = True) -> dict:
    cmd = [sys.executable, __file__, "--child", "--normal", normal, "--pages", str(a.pages),
           "--concurrency", str(a.concurrency)] + (["--hostile", hostile] if hostile else []) + \
          ([] if guard else ["--no-guard"])
    cp = subprocess.run(cmd, capture_output=True, text=True)
    line = next((ln for ln in cp.stdout.splitlines() if ln.startswith("RESULT ")), None)
    if line is None:
        raise SystemExit(f"child failed:\n{cp.stderr[-3000:]}")
    return json.loads(line[7:])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=3000)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--deep", type=int, default=2)
    ap.add_argument("--deeper", type=int, default=1)
    ap.add_argument("--bombs", type=int, default=1)
    ap.add_argument("--drips", type=int, default=1)
    ap.add_argument("--no-guard", action="store_true")
    ap.add_argument("--child", action="store_true")
    ap.add_argument("--normal")
    ap.add_argument("--hostile")
    ap.add_argument("--serve-hostile", type=int)
    a = ap.parse_args()
    if a.serve_hostile:
        serve_hostile(a.serve_hostile, a.deep, a.deeper, a.bombs, a.drips)
        return
    if a.child:
        child(a.normal, a.hostile, a.pages, a.concurrency, not a.no_guard)
        return
    print(f"normal site {a.pages} pages, concurrency {a.concurrency}; hostile site: {a.deep}×100k and "
          f"{a.deeper}×200k nested divs, {a.bombs} gzip bombs, {a.drips} drips; {os.cpu_count()} CPUs; "
          f"load {os.getloadavg()[0]:.2f}")
    normal_srv, normal = start_site(a.pages, 10)
    hostile_srv, hostile = start_hostile(a)
    rows: dict[str, list[dict]] = {"alone": [], "beside": []}
    try:
        for rnd in range(a.rounds):
            for mode in ("alone", "beside") if rnd % 2 == 0 else ("beside", "alone"):
                r = measure(normal, hostile if mode == "beside" else None, a)
                rows[mode].append(r)
                print(f"round {rnd + 1} {mode:6s}: normal {r['pages']} pages in {r['seconds']:.1f} s = "
                      f"{r['pages_per_s']:.1f} pages/s, run CPU {r['cpu_s']:.2f} s, slowest fetch {r['max_elapsed']:.2f} s, "
                      f"slow flags {r['slow']}" + (f"; hostile site {r['hostile']} in {r['hostile_seconds']:.1f} s"
                                                   if mode == "beside" else ""))
        if a.no_guard:
            r = measure(normal, hostile, a, guard=False)
            rows["noguard"] = [r]
            print(f"guard off   : normal {r['pages_per_s']:.1f} pages/s, slowest fetch {r['max_elapsed']:.2f} s, "
                  f"slow flags {r['slow']}; hostile {r['hostile']}")
    finally:
        for s in (normal_srv, hostile_srv):
            s.terminate()
            s.wait()
    med = {k: sorted(x["pages_per_s"] for x in v)[len(v) // 2] for k, v in rows.items() if v}
    cpu = {k: sorted(x["cpu_s"] for x in v)[len(v) // 2] for k, v in rows.items() if v}
    ratio = med["beside"] / med["alone"]
    paired = [b["pages_per_s"] / a["pages_per_s"] for a, b in zip(rows["alone"], rows["beside"])]
    print(f"median normal-site pages/s: alone {med['alone']:.1f}, beside the hostile site {med['beside']:.1f} "
          f"= {ratio:.2f}× ({'within' if ratio >= 0.9 else 'NOT within'} 10%; per round "
          f"{', '.join(f'{x:.2f}×' for x in paired)}); slow flags beside: {sum(x['slow'] for x in rows['beside'])}")
    # on a shared machine pages/s swings with others' load; the CPU the hostile site adds to the run does not
    print(f"median run CPU: alone {cpu['alone']:.2f} s, beside {cpu['beside']:.2f} s: the hostile site costs "
          f"{100 * (cpu['beside'] - cpu['alone']) / cpu['alone']:+.1f}% of the normal crawl's CPU; "
          f"load {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
