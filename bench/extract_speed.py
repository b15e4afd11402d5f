"""How long `extract_page` takes on a ~100 KB list page (target: < 10 ms on one core).

    python bench/extract_speed.py [--runs 50]

Pages timed: a synthetic 100 KB TRS-style list page (header menu, sidebar, 200 rows, footer) built from
tests/fixtures/extract/trs_list.html, and every real list page of shared/corpus/real that is labelled as a list.
Reports the median and 90th percentile wall time per page, bytes in -> dict out (decode + parse + all facts).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from govcheck.extract import extract_page  # noqa: E402
from govcheck.paths import real_corpus_dir  # noqa: E402


def synthetic_list(target_bytes: int = 100_000, rows_wanted: int | None = None) -> bytes:
    """A TRS-style list page of ~target_bytes: either dense rows only, or `rows_wanted` rows
    plus header menus and a footer link wall (what real 100 KB list pages mostly consist of)."""
    base = (ROOT / "tests/fixtures/extract/trs_list.html").read_text(encoding="utf-8")
    head, tail = base.split('<ul class="news-list">', 1)
    rows_end = tail.index("</ul>")
    row = ('<li><a href="./202205/t20220512_{n}.html" title="示例县人民政府关于公布第{n}批县级非物质文化遗产代表性项目名录的通知">'
           '示例县人民政府关于公布第{n}批县级非物质文化遗产...</a><span>2022-05-12</span></li>\n')
    rows, n = [], 0
    menu = ""
    if rows_wanted:
        rows = [row.format(n=i) for i in range(rows_wanted)]
        item = ('<li class="menu-item"><a href="/zwgk/lm{n}/" title="栏目{n}" target="_blank">'
                '<span class="menu-text">政务公开栏目{n}</span></a></li>\n')
        used = len((head + tail).encode()) + sum(len(r.encode()) for r in rows)
        links = []
        while used + sum(len(x.encode()) for x in links) < target_bytes:
            links.append(item.format(n=len(links)))
        menu = '<div class="footer-links"><ul class="link-wall">' + "".join(links) + "</ul></div>"
    else:
        filler = len((head + tail).encode())
        while filler + sum(len(r.encode()) for r in rows) < target_bytes:
            rows.append(row.format(n=n))
            n += 1
    return (head + '<ul class="news-list">' + "".join(rows) + tail[rows_end:]).replace(
        '<div class="footer">', menu + '<div class="footer">').encode("utf-8")


def calibration_ms() -> float:
    """CPU ms of a fixed pure-Python loop: compare figures from different machines/loads with it."""
    best = 1e9
    for _ in range(5):
        c0 = time.process_time()
        sum(i * i for i in range(200_000))
        best = min(best, time.process_time() - c0)
    return best * 1000


def timeit(data: bytes, url: str | None, runs: int) -> tuple[float, float, float, float, int]:
    """(median wall ms, p90 wall ms, median CPU ms, min CPU ms, rows)."""
    extract_page(data, url)  # warm caches (lexicon, regexes)
    ts, cpu = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        r = extract_page(data, url)
        ts.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    ts.sort()
    return statistics.median(ts), ts[max(0, int(len(ts) * 0.9) - 1)], statistics.median(cpu), min(cpu), len(r["items"])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=50)
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    url = "http://www.example.gov.cn/zwgk/tzgg/"
    pages = [("synthetic 100 KB TRS list, 60 rows + menus", synthetic_list(rows_wanted=60), url),
             ("synthetic 100 KB TRS list, rows only (dense)", synthetic_list(), url)]
    corpus = real_corpus_dir()
    if corpus is not None:
        labels = json.loads((corpus / "labels-dev.json").read_text(encoding="utf-8"))
        for lab in labels["pages"]:
            if lab.get("kind") == "list":
                pages.append((lab["file"], (corpus / lab["file"]).read_bytes(), lab.get("url")))
    calib = calibration_ms()
    print(f"load average: {os.getloadavg()[0]:.1f}  runs per page: {args.runs}  "
          f"calibration loop: {calib:.1f} ms CPU")
    print("'scaled' = cpu min x 10 / calibration: an ESTIMATE of the figure on a core where the calibration "
          "loop takes 10 ms")
    print(f"{'page':60} {'KB':>6} {'rows':>5} {'wall med':>9} {'wall p90':>9} {'cpu med':>8} {'cpu min':>8} "
          f"{'scaled':>7}")
    for name, data, url in pages:
        med, p90, cpu, cmin, rows = timeit(data, url, args.runs)
        print(f"{name[-60:]:60} {len(data) / 1024:6.1f} {rows:5d} {med:9.2f} {p90:9.2f} {cpu:8.2f} {cmin:8.2f} "
              f"{cmin * 10 / calib:7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
