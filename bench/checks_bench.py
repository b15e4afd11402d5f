"""Website checks: speed of run_checks on a large synthetic site, and agreement on real labelled pages.

    python bench/checks_bench.py            # both parts
    python bench/checks_bench.py --sites 40 --columns 300 --items 40

Part 1 builds SiteFacts with many columns, pages, footers, links and messages (dates spread over two years
so that every freshness rule has work) and times run_checks over N such sites.
Part 2 builds FooterFacts for every labelled page in shared/corpus/real (labels-dev.json) twice — from the
extraction layer's output and from the human footer labels — and counts pages where the D21 verdicts (the
set of missing footer elements) agree. It measures extraction + check together, against labels. (The labels'
`meta` holds only some tags, so D27 cannot be compared this way.)
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from govcheck.checks import run_checks  # noqa: E402
from govcheck.checks.build import footer_from_page, ref_for  # noqa: E402
from govcheck.checks.facts import (ColumnFacts, FooterFacts, HomeFacts, Item, LinkOutcome, Message,  # noqa: E402
                                   PageTags, SiteFacts)
from govcheck.rules import load_ruleset  # noqa: E402

AT = dt.date(2022, 5, 15)
KINDS = ["动态要闻", "通知公告", "政策文件", "政策解读", "统计信息", "人事信息", "在线访谈", "专题专栏", "other"]


def synthetic_site(i: int, n_cols: int, n_items: int, rng: random.Random) -> SiteFacts:
    url = f"http://s{i}.example.gov.cn/"
    cols = []
    for c in range(n_cols):
        kind = rng.choice(KINDS)
        base = AT - dt.timedelta(days=rng.randint(-5, 700))
        items = [Item(f"t{k}", f"{url}a/{c}/{k}.html", (base - dt.timedelta(days=3 * k)).isoformat())
                 for k in range(n_items)]
        blank = rng.random() < 0.03
        cols.append(ColumnFacts(path=f"首页>栏目{c // 20}>栏目{c}", name=f"栏目{c}", kind=kind,
                                first_level=c % 20 == 0, url=f"{url}c/{c}/", items=[] if blank else items, blank=blank))
    pages = [PageTags(f"{url}p/{k}.html", rng.choice(["content", "column"]),
                      {"SiteName": "x"} if rng.random() < 0.5 else {"SiteName": "x", "ArticleTitle": "y", "ColumnName": "z"})
             for k in range(200)]
    footers = [FooterFacts(f"{url}p/{k}.html", is_home=k == 0, conac=True, site_id_code="1", icp="a", police_record="b",
                           sponsor="c", contact=True, error_report_entry=rng.random() < 0.9) for k in range(200)]
    links = [LinkOutcome(f"{url}x/{k}", f"{url}p/{k}.html", rng.choice(["broken", "suspected", "ok"]), on_home=k < 5)
             for k in range(300)]
    msgs = [Message(f"m{k}", f"{url}m/{k}", (AT - dt.timedelta(days=rng.randint(0, 400))).isoformat(),
                    None if rng.random() < 0.05 else AT.isoformat(), "u", "a") for k in range(300)]
    home = HomeFacts(url, [Item("h", url, (AT - dt.timedelta(days=rng.randint(0, 30))).isoformat())])
    return SiteFacts(url=url, unit=f"单位{i}", name=f"单位{i}", home=home, columns_known=True, columns=cols,
                     pages=pages, footers=footers, links=links, messages=msgs)


def speed(n_sites: int, n_cols: int, n_items: int) -> None:
    rs = load_ruleset("xianning-2022")
    rng = random.Random(1)
    sites = [synthetic_site(i, n_cols, n_items, rng) for i in range(n_sites)]
    t0 = time.perf_counter()
    n_find = 0
    for s in sites:
        n_find += len(run_checks(s, rs, AT, 7).findings)
    wall = time.perf_counter() - t0
    print(f"speed: {n_sites} sites x {n_cols} columns x {n_items} items (+200 pages, 200 footers, 300 links, "
          f"300 messages each): {wall:.2f} s, {wall / n_sites * 1000:.0f} ms/site, {n_find} findings")


def agreement() -> None:
    from govcheck.extract import extract_page
    from govcheck.paths import real_corpus_dir

    root = real_corpus_dir()
    if root is None:
        print("agreement: shared/corpus/real not found")
        return
    rs = load_ruleset("xianning-2022")
    labels = json.loads((root / "labels-dev.json").read_text(encoding="utf-8"))["pages"]
    hall = ("site_id_code", "icp", "police_record", "sponsor")
    res = {"D21": [0, 0]}
    for lab in labels:
        url = lab.get("url") or "http://example.gov.cn/x.html"
        d = extract_page((root / lab["file"]).read_bytes(), url)
        ref = ref_for(url)
        if lab.get("footer"):
            lf = {k: v for k, v in lab["footer"].items() if k in FooterFacts.__dataclass_fields__}
            lf["present"] = any(lf.get(k) for k in hall)
            a = _d21(SiteFacts(url=url, unit="u", footers=[footer_from_page(d, ref)]), rs)
            b = _d21(SiteFacts(url=url, unit="u", footers=[FooterFacts(url=url, **lf)]), rs)
            # a null label is "not scored" (corpus README): leave that element out of the comparison
            unscored = {el for el, key in ELEMENTS.items() if lab["footer"].get(key) is None}
            a, b = a - unscored, b - unscored
            res["D21"][0] += a == b
            res["D21"][1] += 1
            if a != b:
                print(f"  D21 differs on {lab['file']}: extraction-built {sorted(a)}, label-built {sorted(b)}")
    for code, (ok, n) in res.items():
        print(f"agreement {code}: extraction-built verdict = label-built verdict on {ok}/{n} labelled pages")


def _elements() -> dict[str, str]:
    from govcheck.checks.base import data

    return data()["footer_elements"]


ELEMENTS = _elements()


def _codes(sf: SiteFacts, rs, prefix: str):
    return [f for f in run_checks(sf, rs, AT, 1).findings if f.code.startswith(prefix)]


def _d21(sf: SiteFacts, rs) -> set[str]:
    return {f.params["element"] for f in _codes(sf, rs, "D21")}


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--sites", type=int, default=40)
    ap.add_argument("--columns", type=int, default=300)
    ap.add_argument("--items", type=int, default=40)
    a = ap.parse_args()
    speed(a.sites, a.columns, a.items)
    agreement()
