"""Benchmark: the govcheck crawler vs Scrapy on the same generated local site.

    python bench/crawl.py                 # 5,000-page site, 3 alternating rounds, then a 50,000-page memory run
    python bench/crawl.py --pages 5000 --rounds 1 --memory-pages 0   # quick look

Both crawlers run in their own subprocess (peak RSS is each one's own, our page-reading workers included),
with the same concurrency,
no delay, following every same-host link; the site is served by a separate process on 127.0.0.1.
Our crawler does its full job (WARC/1.1 archive, SQLite index, link records); Scrapy only parses links.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TEXT = ("咸宁市人民政府办公室关于印发政府网站与政务新媒体检查工作方案的通知。" * 40)


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


# ------------------------------------------------------------------ the site (own process)
def serve(port: int, pages: int, fanout: int) -> None:
    from aiohttp import web

    nav = "".join(f'<li><a href="/p{i}.html">栏目{i}</a></li>' for i in range(min(pages, 30)))
    head = ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>{t}</title></head><body>'
            f'<ul class="nav">{nav}</ul>')

    async def handler(req: web.Request) -> web.Response:
        path = req.path
        if path == "/":
            i = 0
        elif path.startswith("/p") and path.endswith(".html"):
            try:
                i = int(path[2:-5])
            except ValueError:
                return web.Response(status=404)
            if not 0 <= i < pages:
                return web.Response(status=404)
        else:
            return web.Response(status=404)
        kids = "".join(f'<li><a href="/p{k}.html">文章{k}</a><span>2022-05-12</span></li>'
                       for k in range(i * fanout + 1, min(pages, i * fanout + fanout + 1)))
        body = head.format(t=f"页面{i}") + f"<ul class='list'>{kids}</ul><div>{TEXT}</div></body></html>"
        return web.Response(text=body, content_type="text/html")

    app = web.Application()
    app.router.add_get("/{tail:.*}", handler)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None, reuse_port=True)


# ------------------------------------------------------------------ the crawlers (own processes)
def run_ours(base: str, pages: int, concurrency: int, out: str) -> dict:
    import asyncio

    from govcheck.collect.config import CrawlOptions
    from govcheck.collect.runner import crawl_sites
    from govcheck.model import Site

    opts = CrawlOptions.defaults(min_delay=0, per_host_concurrency=concurrency, global_limit=concurrency,
                                 max_pages=pages + 10, obey_robots=False, check_external=False, retries=0,
                                 allow_addresses=[base.split("//", 1)[1]],  # the local bench site, explicitly
                                 **({"parse_workers": int(os.environ["GOVCHECK_PARSE_WORKERS"])}
                                    if os.environ.get("GOVCHECK_PARSE_WORKERS") else {}))
    t0 = time.perf_counter()
    res = asyncio.run(crawl_sites([Site(region="b", unit="bench", name="bench", url=base + "/")], out, opts))[0]
    dt = time.perf_counter() - t0
    return {"pages": res.fetched, "seconds": dt, "status": res.status, "errors": res.errors}


def run_scrapy(base: str, pages: int, concurrency: int, out: str) -> dict:
    import scrapy
    from scrapy.crawler import CrawlerProcess

    counter = {"n": 0}
    host = base.split("//", 1)[1]

    class Bench(scrapy.Spider):
        name = "bench"
        start_urls = [base + "/"]
        allowed_domains = ["127.0.0.1"]

        def parse(self, response):
            counter["n"] += 1
            for href in response.css("a::attr(href)").getall():
                url = response.urljoin(href)
                if url.split("//", 1)[1].split("/", 1)[0] == host:
                    yield scrapy.Request(url, callback=self.parse)

    proc = CrawlerProcess(settings={
        "LOG_LEVEL": "ERROR", "CONCURRENT_REQUESTS": concurrency, "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
        "DOWNLOAD_DELAY": 0, "ROBOTSTXT_OBEY": False, "TELNETCONSOLE_ENABLED": False,
        "AUTOTHROTTLE_ENABLED": False, "COOKIES_ENABLED": False, "RETRY_ENABLED": False,
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
    })
    t0 = time.perf_counter()
    proc.crawl(Bench)
    proc.start()
    dt = time.perf_counter() - t0
    return {"pages": counter["n"], "seconds": dt, "status": "done", "errors": 0}


def child(which: str, base: str, pages: int, concurrency: int) -> None:
    import threading

    import psutil

    out = tempfile.mkdtemp(prefix=f"bench-{which}-")
    fn = run_ours if which == "ours" else run_scrapy
    samples: list[float] = []
    peak = [0.0]
    stop = threading.Event()

    def tree_rss(p) -> float:  # the crawler's page-reading workers are child processes: count them too
        total = p.memory_info().rss
        for c in p.children(recursive=True):
            try:
                total += c.memory_info().rss
            except psutil.Error:
                pass
        return total / 2**20

    def sample() -> None:  # RSS (process + children) five times a second; quartiles show whether it stays flat
        p = psutil.Process()
        while not stop.wait(0.2):
            v = tree_rss(p)
            samples.append(v)
            peak[0] = max(peak[0], v)

    threading.Thread(target=sample, daemon=True).start()
    r = fn(base, pages, concurrency, out)
    stop.set()
    if samples:
        r["rss_quartiles_mb"] = [round(samples[min(len(samples) - 1, int(len(samples) * q))]) for q in
                                 (0.25, 0.5, 0.75, 1.0)]
    r["main_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # CPU of the crawler and its (joined) page-reading workers: steadier than pages/s on a shared machine
    cpu = [resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    r["cpu_s"] = sum(u.ru_utime + u.ru_stime for u in cpu)
    r["peak_rss_mb"] = max(peak[0], r["main_rss_mb"])
    r["warc_mb"] = sum(f.stat().st_size for f in Path(out).rglob("*") if f.is_file()) / 1e6
    print("RESULT " + json.dumps(r))


def measure(which: str, base: str, pages: int, concurrency: int) -> dict:
    cp = subprocess.run([sys.executable, __file__, "--child", which, "--base", base, "--pages", str(pages),
                         "--concurrency", str(concurrency)], capture_output=True, text=True)
    line = next((ln for ln in cp.stdout.splitlines() if ln.startswith("RESULT ")), None)
    if line is None:
        raise SystemExit(f"{which} failed:\n{cp.stderr[-3000:]}")
    r = json.loads(line[7:])
    r["pages_per_s"] = r["pages"] / r["seconds"]
    return r


def start_site(pages: int, fanout: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    p = subprocess.Popen([sys.executable, __file__, "--serve", str(port), "--pages", str(pages),
                          "--fanout", str(fanout)])
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    return p, f"http://127.0.0.1:{port}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=5000)
    ap.add_argument("--fanout", type=int, default=10)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--memory-pages", type=int, default=50000)
    ap.add_argument("--child")
    ap.add_argument("--base")
    ap.add_argument("--serve", type=int)
    a = ap.parse_args()
    if a.serve:
        serve(a.serve, a.pages, a.fanout)
        return
    if a.child:
        child(a.child, a.base, a.pages, a.concurrency)
        return
    sys.path.insert(0, str(HERE.parent))
    print(f"site: {a.pages} pages, fanout {a.fanout}; concurrency {a.concurrency}; no delay; {os.cpu_count()} CPUs")
    server, base = start_site(a.pages, a.fanout)
    try:
        rows = {"ours": [], "scrapy": []}
        for rnd in range(a.rounds):
            for which in ("ours", "scrapy") if rnd % 2 == 0 else ("scrapy", "ours"):
                r = measure(which, base, a.pages, a.concurrency)
                rows[which].append(r)
                print(f"round {rnd + 1} {which:6s}: {r['pages']:6d} pages in {r['seconds']:6.1f} s = "
                      f"{r['pages_per_s']:7.1f} pages/s, peak RSS {r['peak_rss_mb']:.0f} MB "
                      f"(main process {r['main_rss_mb']:.0f} MB), CPU {1000 * r['cpu_s'] / max(1, r['pages']):.2f} ms/page")
    finally:
        server.terminate()
        server.wait()
    if a.rounds:
        med = {k: sorted(r["pages_per_s"] for r in v)[len(v) // 2] for k, v in rows.items()}
        pairs = [o["pages_per_s"] / s["pages_per_s"] for o, s in zip(rows["ours"], rows["scrapy"])]
        print(f"median pages/s: ours {med['ours']:.1f}, scrapy {med['scrapy']:.1f}, "
              f"ratio {med['ours'] / med['scrapy']:.2f}x (per round: {', '.join(f'{x:.1f}x' for x in pairs)})")
        print(f"peak RSS: ours {max(r['peak_rss_mb'] for r in rows['ours']):.0f} MB, "
              f"scrapy {max(r['peak_rss_mb'] for r in rows['scrapy']):.0f} MB")
    if a.memory_pages:
        server, base = start_site(a.memory_pages, a.fanout)
        try:
            r = measure("ours", base, a.memory_pages, a.concurrency)
        finally:
            server.terminate()
            server.wait()
        print(f"memory run: ours {r['pages']} pages in {r['seconds']:.1f} s = {r['pages_per_s']:.1f} pages/s, "
              f"peak RSS {r['peak_rss_mb']:.0f} MB (RSS at 25/50/75/100% of the run: "
              f"{r.get('rss_quartiles_mb')} MB), archive + index {r['warc_mb']:.0f} MB")


if __name__ == "__main__":
    main()
