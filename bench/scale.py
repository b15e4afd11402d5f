"""Scale bench (issue 15): a region of up to 1,000 generated sites (govcheck.sim.variety, several server
processes on 127.0.0.1) inspected by one process and by a 2-worker dask LocalCluster.

    python bench/scale.py                        # sizes 100 and 1000, both modes
    python bench/scale.py --sizes 100,300 --modes single,cluster --parts 4

For each size N (the first N sites of one served region) and mode it runs `govcheck inspect` (run_inspect;
the search test on, external link checks off, no per-host delay) into a fresh folder and prints:
- seconds per site, and its ratio to the same mode at the smallest size (goal: ≤ 1.2× — flat);
- peak resident memory of each worker process (sampled every 0.2 s over the process tree, the region's
  server processes left out) — flat; and the CPU seconds of the inspection's processes per archived page;
- cluster vs single-process wall time at equal cores (2 extraction processes vs 2 dask workers) — the
  scheduling overhead (goal ≤ 10 %);
- crawl-index bytes per archived page (SQLite dbstat of the crawl_ tables / fetches with a WARC record;
  goal ≤ 2 KB), and WARC bytes per page;
- per-page costs for docs/scale.md: fetched URLs per second of the whole run.
The machine's load average is printed beside every figure (the machine is shared); results also go to
bench/results/scale-<time>.json.
"""
from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class PeakRSS:
    """Peak RSS per descendant process of this one (workers, page readers, dask worker processes)."""

    def __init__(self, interval: float = 0.2):
        self.interval = interval
        self.peak: dict[int, tuple[str, int]] = {}
        self.cpu: dict[int, float] = {}  # last seen user+system CPU seconds per process (a sample's lag lost)
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            try:
                procs = [me] + me.children(recursive=True)
            except psutil.Error:
                procs = [me]
            for p in procs:
                if p.pid in self.before:
                    continue  # the region's server processes: not the inspection's cost
                try:
                    rss = p.memory_info().rss
                    name = " ".join(p.cmdline()[1:4])[:80]
                    t = p.cpu_times()
                    self.cpu[p.pid] = t.user + t.system
                except psutil.Error:
                    continue
                old = self.peak.get(p.pid)
                if old is None or rss > old[1]:
                    self.peak[p.pid] = (name, rss)
            self._stop.wait(self.interval)

    def __enter__(self) -> "PeakRSS":
        self.before = {p.pid for p in psutil.Process().children(recursive=True)}
        t = psutil.Process().cpu_times()
        self.cpu0 = t.user + t.system
        self._t.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._t.join()


def index_stats(out: Path) -> dict:
    db = out / "round.sqlite"
    c = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    tables = dict(c.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name").fetchall())
    crawl = sum(v for k, v in tables.items() if k.startswith(("crawl_", "ix_crawl_", "sqlite_autoindex_crawl_")))
    pages = c.execute("SELECT COUNT(*) FROM crawl_fetch WHERE warc IS NOT NULL").fetchone()[0]
    fetched = c.execute("SELECT COUNT(*) FROM crawl_fetch").fetchone()[0]
    links = c.execute("SELECT COUNT(*) FROM crawl_link").fetchone()[0]
    c.close()
    warc = sum(p.stat().st_size for p in (out / "warc").glob("*.warc.gz"))
    return {"index_bytes": crawl, "db_bytes": db.stat().st_size, "archived": pages, "fetched": fetched,
            "link_rows": links, "index_bytes_per_page": crawl / max(1, pages), "warc_bytes": warc,
            "warc_bytes_per_page": warc / max(1, pages), "tables": tables}


def one_run(roster: Path, out: Path, allow: list[str], mode: str, workers: int, at) -> dict:
    from govcheck.inspect.run import run_inspect

    load0 = os.getloadavg()[0]
    t0 = time.perf_counter()
    with PeakRSS() as mem:
        res = run_inspect(roster, out, at=at, rules="xianning-2022", delay=0.0, concurrency=8, progress=False,
                          external=False, workers=workers, allow=allow, cluster="local" if mode == "cluster" else None)
    wall = time.perf_counter() - t0
    me = os.getpid()
    workers_rss = sorted((rss for pid, (name, rss) in mem.peak.items() if pid != me), reverse=True)
    st = index_stats(out)
    return {"mode": mode, "sites": len(res.sites), "wall": wall, "per_site": wall / max(1, len(res.sites)),
            "timings": res.timings, "findings": len(res.findings),
            "failed": sum(1 for o in res.sites if o.error or o.access),
            "main_peak_rss": mem.peak.get(me, ("", 0))[1], "worker_peak_rss": workers_rss[:6],
            "fetched_per_s": st["fetched"] / max(1e-6, res.timings.get("crawl+extract", wall)),
            "cpu_seconds": sum(mem.cpu.values()) - mem.cpu0,
            "cpu_ms_per_page": 1000 * (sum(mem.cpu.values()) - mem.cpu0) / max(1, st["archived"]),
            "load_before": load0, "load_after": os.getloadavg()[0], **st}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="100,1000")
    ap.add_argument("--modes", default="single,cluster")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--parts", type=int, default=4, help="server processes for the region")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--work", default="/tmp/govcheck-scale-bench")
    a = ap.parse_args()
    import shutil

    from govcheck.sim.variety_eval import serve_variety, time_point_for

    sizes = sorted(int(x) for x in a.sizes.split(","))
    modes = a.modes.split(",")
    work = Path(a.work)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    runs = []
    t = time.perf_counter()
    with serve_variety(a.seed, max(sizes), work / "sites-all.csv", parts=a.parts) as reg:
        print(f"region of {max(sizes)} sites served by {a.parts} processes in {time.perf_counter() - t:.0f} s "
              f"(load {os.getloadavg()[0]:.1f})", flush=True)
        lines = reg.roster.read_text(encoding="utf-8-sig").splitlines()
        for n in sizes:
            roster = work / f"sites-{n}.csv"
            roster.write_text("\n".join(lines[:n + 1]) + "\n", encoding="utf-8")
            for mode in modes:
                r = one_run(roster, work / f"{mode}-{n}", reg.allow, mode, a.workers, time_point_for(a.seed))
                runs.append({"n": n, **r})
                print(f"{mode:8s} {n:5d} sites: {r['wall']:7.1f} s, {r['per_site']:.2f} s/site, "
                      f"{r['fetched_per_s']:.0f} URLs/s, index {r['index_bytes_per_page']:.0f} B/page, "
                      f"WARC {r['warc_bytes_per_page'] / 1024:.1f} KB/page, CPU {r['cpu_ms_per_page']:.0f} ms/page, "
                      f"worker peak {max(r['worker_peak_rss'] or [0]) / 2**20:.0f} MB, "
                      f"failed {r['failed']}  (load {r['load_before']:.1f}→{r['load_after']:.1f})", flush=True)
    print("\nratios")
    for mode in modes:
        base = next((r for r in runs if r["mode"] == mode and r["n"] == sizes[0]), None)
        for r in runs:
            if r["mode"] == mode and base and r is not base:
                print(f"{mode}: per-site time at {r['n']} / at {base['n']} = {r['per_site'] / base['per_site']:.2f} "
                      f"(goal ≤ 1.2); worker peak {max(r['worker_peak_rss'] or [0]) / max(1, max(base['worker_peak_rss'] or [1])):.2f}×")
    for n in sizes:
        s = next((r for r in runs if r["mode"] == "single" and r["n"] == n), None)
        c = next((r for r in runs if r["mode"] == "cluster" and r["n"] == n), None)
        if s and c:
            print(f"{n} sites: cluster / single wall = {c['wall'] / s['wall']:.2f} (overhead goal ≤ 1.10)")
    res_dir = ROOT / "bench" / "results"
    res_dir.mkdir(exist_ok=True)
    path = res_dir / f"scale-{time.strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps({"argv": sys.argv, "cpus": os.cpu_count(), "runs": runs}, ensure_ascii=False,
                               indent=1, default=str), encoding="utf-8")
    print(f"→ {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
