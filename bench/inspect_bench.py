"""Inspecting the replica region vs merely crawling it (goal: inspect ≤ 1.5 × crawl).

    python bench/inspect_bench.py                       # whole xianning-2022q2 region, 1 round
    python bench/inspect_bench.py --units 市科技局,嘉鱼县 --rounds 2

Each round serves the replica in-process on 127.0.0.1 and runs, into fresh directories and in alternating
order, (a) `govcheck crawl` only (collect.runner.crawl_sites) and (b) the whole `run_inspect` (crawl with
extraction overlapped in worker processes, checks, site-search test, scoring, 附件1/通报 written). Both use
the same crawl options: no politeness delay, per-host concurrency 8, external links not checked (the
sandbox has no DNS; each external check would only wait for a resolver error).
"""
from __future__ import annotations

import argparse
import asyncio
import csv
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from govcheck.collect.config import CrawlOptions  # noqa: E402
from govcheck.collect.roster import read_sites  # noqa: E402
from govcheck.collect.runner import crawl_sites  # noqa: E402
from govcheck.inspect.run import run_inspect  # noqa: E402
from govcheck.sim import load_scenario  # noqa: E402
from govcheck.sim.testing import running_region  # noqa: E402

ROUND_TOML = Path(__file__).resolve().parent.parent / "govcheck" / "demo" / "xianning-2022q2" / "round.toml"


def subset(full: Path, units: list[str] | None, dest: Path) -> Path:
    with full.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    keep = [rows[0]] + [r for r in rows[1:] if not units or r[1] in units]
    with dest.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(keep)
    return dest


def crawl_only(roster: Path, out: Path, concurrency: int, allow: list[str]) -> float:
    opts = CrawlOptions.defaults(min_delay=0.0, per_host_concurrency=concurrency, check_external=False,
                                 allow_addresses=allow)
    t0 = time.perf_counter()
    asyncio.run(crawl_sites(read_sites(roster), out, opts))
    return time.perf_counter() - t0


def inspect(roster: Path, out: Path, concurrency: int, workers: int, allow: list[str]) -> tuple[float, dict, int]:
    t0 = time.perf_counter()
    res = run_inspect(roster, out, round_config=ROUND_TOML, delay=0.0, concurrency=concurrency, workers=workers,
                      progress=False, external=False, allow=allow)
    return time.perf_counter() - t0, res.timings, sum(o.pages for o in res.sites)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", default="", help="comma-separated unit names (default: all 40)")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    units = [u for u in a.units.split(",") if u] or None
    tmp = Path(tempfile.mkdtemp(prefix="inspect-bench-"))
    rows = []
    try:
        with running_region(load_scenario("xianning-2022q2")) as reg:
            reg.write_roster(tmp / "all.csv")
            roster = subset(tmp / "all.csv", units, tmp / "sites.csv")
            for r in range(a.rounds):
                order = ["crawl", "inspect"] if r % 2 == 0 else ["inspect", "crawl"]
                got = {}
                for what in order:
                    out = tmp / f"{what}-{r}"
                    if what == "crawl":
                        got["crawl"] = crawl_only(roster, out, a.concurrency, reg.allow)
                    else:
                        got["inspect"], got["timings"], got["pages"] = inspect(roster, out, a.concurrency, a.workers,
                                                                               reg.allow)
                    shutil.rmtree(out, ignore_errors=True)
                ratio = got["inspect"] / got["crawl"]
                rows.append((r + 1, "→".join(order), got["pages"], got["crawl"], got["inspect"], ratio, got["timings"]))
                print(f"round {r + 1} ({'→'.join(order)}): {got['pages']} pages; crawl {got['crawl']:.1f} s; "
                      f"inspect {got['inspect']:.1f} s; ratio {ratio:.2f}×; inspect stages "
                      + ", ".join(f"{k} {v:.1f} s" for k, v in got["timings"].items()), flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    ratios = sorted(x[5] for x in rows)
    print(f"median ratio inspect/crawl: {ratios[len(ratios) // 2]:.2f}× (goal ≤ 1.5×)")


if __name__ == "__main__":
    main()
