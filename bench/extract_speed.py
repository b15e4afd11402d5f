"""How long `extract_page` takes on a ~100 KB list page (target: < 10 ms on one core), with a peer.

    python bench/extract_speed.py [--runs 50] [--no-corpus] [--baseline DIR]

Pages timed: a synthetic 100 KB TRS-style list page in two shapes (60 rows + ~500 menu/footer links, the usual
make-up of a real 100 KB list page; and ~380 rows only, a stress case) built from
tests/fixtures/extract/trs_list.html, every real page of shared/corpus/real labelled as a list, two real
government article pages, and the whole corpus (every HTML file, one pass = one run).

Each figure is bytes in -> contract dict out (decode + parse + every fact), pinned to one core, interleaved
with the peer on the same page in the same run: lxml.html parse + a plain row scan (every li/tr/dd holding a
link: link text, row text, first date by regex). The peer reads far less than we do; the ratio says how much
our reading costs on top of merely parsing a page and walking its rows, and it is steadier than raw times on
a shared machine (both sides see the same load). CPU time is time.process_time(); the machine's load average
is printed before and after.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from govcheck.extract import extract_page  # noqa: E402
from govcheck.paths import real_corpus_dir  # noqa: E402

ARTICLES = ("mhxqwer-govcn-clones/jchgz.gov.cn/index.html", "mhxqwer-govcn-clones/lxhyn.gov.cn/index.html")
_PEER_DATE = re.compile(r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}|\d{1,2}-\d{1,2}")


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


def peer(data: bytes) -> int:
    """lxml.html parse + a plain row scan: the least any list reader has to do."""
    import lxml.html

    doc = lxml.html.fromstring(data)
    found = 0
    for row in doc.iter("li", "tr", "dd"):
        links = row.findall(".//a[@href]")
        if not links:
            continue
        title = links[0].text_content().strip()
        if title and _PEER_DATE.search(row.text_content()):
            found += 1
    return found


def calibration_ms() -> float:
    """CPU ms of a fixed pure-Python loop: compare figures from different machines/loads with it."""
    best = 1e9
    for _ in range(5):
        c0 = time.process_time()
        sum(i * i for i in range(200_000))
        best = min(best, time.process_time() - c0)
    return best * 1000


def load_baseline(root: str):
    """govcheck.extract of another checkout (e.g. `git archive REV govcheck | tar -x -C DIR`), imported
    under its own name so both versions run in this process."""
    import importlib.util

    pkg = Path(root) / "govcheck" / "extract"
    spec = importlib.util.spec_from_file_location("baseline_extract", pkg / "__init__.py",
                                                  submodule_search_locations=[str(pkg)])
    mod = importlib.util.module_from_spec(spec)
    sys.modules["baseline_extract"] = mod
    spec.loader.exec_module(mod)
    return mod.extract_page


def timeit(pages: list[tuple[bytes, str | None]], runs: int, baseline=None) -> dict:
    """Interleaved runs of ours, the peer (and a baseline version) over `pages` (one run = every page once)."""
    for data, url in pages:  # warm caches (lexicon, regexes)
        extract_page(data, url)
        peer(data)
        if baseline:
            baseline(data, url)
    ours_cpu, ours_wall, peer_cpu, base_cpu = [], [], [], []
    rows = 0
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        for data, url in pages:
            r = extract_page(data, url)
        ours_cpu.append((time.process_time() - c0) * 1000)
        ours_wall.append((time.perf_counter() - t0) * 1000)
        rows = len(r["items"])
        c0 = time.process_time()
        for data, _url in pages:
            peer(data)
        peer_cpu.append((time.process_time() - c0) * 1000)
        if baseline:
            c0 = time.process_time()
            for data, url in pages:
                baseline(data, url)
            base_cpu.append((time.process_time() - c0) * 1000)
    med, pmed = statistics.median(ours_cpu), statistics.median(peer_cpu)
    out = {"cpu_med": med, "cpu_min": min(ours_cpu), "wall_med": statistics.median(ours_wall),
           "peer_med": pmed, "ratio": med / pmed if pmed else float("nan"), "rows": rows}
    if base_cpu:
        out["base_med"] = statistics.median(base_cpu)
        out["vs_base"] = med / out["base_med"]
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--no-corpus", action="store_true", help="synthetic pages only")
    ap.add_argument("--baseline", metavar="DIR", help="also time DIR/govcheck/extract (an older checkout), "
                    "interleaved, and print ours/baseline")
    args = ap.parse_args()
    baseline = load_baseline(args.baseline) if args.baseline else None
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    url = "http://www.example.gov.cn/zwgk/tzgg/"
    cases = [("synthetic 100 KB TRS list, 60 rows + menus", [(synthetic_list(rows_wanted=60), url)], args.runs),
             ("synthetic 100 KB TRS list, rows only (dense)", [(synthetic_list(), url)], args.runs)]
    corpus = real_corpus_dir()
    if corpus is not None and not args.no_corpus:
        labels = json.loads((corpus / "labels-dev.json").read_text(encoding="utf-8"))
        for lab in labels["pages"]:
            if lab.get("kind") == "list":
                cases.append((lab["file"], [((corpus / lab["file"]).read_bytes(), lab.get("url"))], args.runs))
        for f in ARTICLES:
            if (corpus / f).exists():
                cases.append((f"article: {f}", [((corpus / f).read_bytes(), None)], args.runs))
        every = [(p.read_bytes(), None) for p in sorted(corpus.rglob("*"))
                 if p.is_file() and p.suffix.lower() in (".html", ".htm", ".jsp")]
        cases.append((f"whole corpus: {len(every)} files, {sum(len(d) for d, _ in every) / 1024:.0f} KB",
                      every, max(3, args.runs // 10)))
    calib = calibration_ms()
    load0 = os.getloadavg()
    print(f"load average before: {load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f}  runs per page: {args.runs}  "
          f"calibration loop: {calib:.1f} ms CPU")
    print("cpu = process_time per run (ms); peer = lxml.html parse + plain row scan, same run, interleaved")
    base_head = f" {'base med':>9} {'ours/base':>9}" if baseline else ""
    print(f"{'page':62} {'KB':>6} {'rows':>5} {'cpu med':>8} {'cpu min':>8} {'wall med':>9} {'peer med':>9} "
          f"{'ours/peer':>9}{base_head}")
    for name, pages, runs in cases:
        r = timeit(pages, runs, baseline)
        kb = sum(len(d) for d, _ in pages) / 1024
        base_cols = f" {r['base_med']:9.2f} {r['vs_base']:9.2f}" if baseline else ""
        print(f"{name[-62:]:62} {kb:6.1f} {r['rows'] if len(pages) == 1 else '':>5} {r['cpu_med']:8.2f} "
              f"{r['cpu_min']:8.2f} {r['wall_med']:9.2f} {r['peer_med']:9.2f} {r['ratio']:9.2f}{base_cols}")
    load1 = os.getloadavg()
    print(f"load average after: {load1[0]:.2f} {load1[1]:.2f} {load1[2]:.2f}  calibration loop now: "
          f"{calibration_ms():.1f} ms CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
