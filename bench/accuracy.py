"""Accuracy of the website checks on sites they were not written against (issue 10).

Serves variety regions (govcheck/sim/variety.py: five page styles modelled on real chrome, random structure,
defects drawn from the rule catalogue), inspects them with the real pipeline (`inspect.run.run_inspect`:
crawl → extract → facts → checks) and compares every site's findings with what its model says a person
would find (govcheck/sim/variety_oracle.py). Prints per rule code the true positives, false positives (false
deductions) and false negatives (misses), recall, the false deductions in total and the 需人工核查 counts;
writes the machine-readable result (--json) and keeps each region's round and models.json under --out.

    python bench/accuracy.py                       # 4 seeds × 55 sites (220 sites), xianning-2022
    python bench/accuracy.py --seeds 1 --sites 20 --size 0.5     # a quick look

The peer is the model itself: no other tool reads these sites. Wall time depends on the machine's load
(recorded with the result).
"""
from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from govcheck.sim.variety import VSTYLES, Options  # noqa: E402
from govcheck.sim.variety_eval import inspect_region, summary  # noqa: E402

DEFAULT_SEEDS = [1, 2, 3, 8]  # four time points: 2022-05-15, 2021-11-18, 2022-09-20, 2023-06-16


def load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=DEFAULT_SEEDS)
    ap.add_argument("--sites", type=int, default=55, help="sites per seed")
    ap.add_argument("--size", type=float, default=1.0, help="scales the number of entries per column")
    ap.add_argument("--rules", default="xianning-2022")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", type=Path, default=None, help="keep rounds and models here (default: a temp dir)")
    ap.add_argument("--json", type=Path, default=Path(__file__).resolve().parent / "results" / "accuracy.json")
    a = ap.parse_args(argv)

    out = a.out or Path(tempfile.mkdtemp(prefix="govcheck-accuracy-"))
    started, load_before = time.perf_counter(), load()
    regions = []
    for seed in a.seeds:
        r = inspect_region(seed, a.sites, out / f"seed-{seed}", rules=a.rules, opts=Options(size=a.size),
                           workers=a.workers)
        exact = sum(s.ok for s in r.sites)
        print(f"seed {seed}（监测时间点 {r.time_point}）：{len(r.sites)} 个网站，{r.pages} 页，{r.seconds:.0f} s，"
              f"与模型完全一致 {exact} 个" + (f"；错误 {r.errors}" if r.errors else ""), flush=True)
        regions.append(r)
    s = summary(regions)
    wall = time.perf_counter() - started

    print()
    print(f"{'编码':<7}{'应发现':>6}{'TP':>6}{'FP(误扣)':>10}{'FN(漏检)':>10}{'召回率':>9}")
    for code, v in s["per_code"].items():
        rec = "—" if v["recall"] is None else f"{v['recall']:.1%}"
        print(f"{code:<7}{v['expected']:>6}{v['tp']:>6}{v['fp']:>10}{v['fn']:>10}{rec:>9}")
    print()
    print(f"网站 {s['sites']} 个，与模型完全一致 {s['sites_exact']} 个；误扣（false deductions）合计 {s['false_deductions']} 处，"
          f"漏检 {s['missed']} 处")
    print(f"需人工核查：模型要求 {s['manual_expected']} 项，缺 {s['manual_expected_missing']} 项；"
          f"本轮共列出 {s['manual_items']} 项")
    # where the misses and false deductions are, per page style
    by_style: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    styles = {}
    for path in sorted(out.glob("seed-*/models.json")):
        for m in json.loads(path.read_text(encoding="utf-8"))["sites"]:
            styles[m["key"]] = m["style"]
            by_style[m["style"]]["sites"] += 1
            by_style[m["style"]]["exact"] += not m["problems"]
    print("按样式：" + "；".join(f"{st} {by_style[st]['exact']}/{by_style[st]['sites']} 一致" for st in VSTYLES if st in by_style))
    print(f"用时 {wall:.0f} s；负载（1/5/15 分钟）开始 {load_before}，结束 {load()}；结果目录 {out}")

    sites = [x for r in regions for x in r.sites]
    result = {
        "when": dt.datetime.now().isoformat(timespec="seconds"), "rules": a.rules, "seeds": a.seeds,
        "sites_per_seed": a.sites, "size": a.size, "wall_seconds": round(wall, 1),
        "load_before": load_before, "load_after": load(), "out": str(out), **s,
        "per_style": {k: dict(v) for k, v in by_style.items()},
        "problems": {x.site: x.problems() for x in sites if not x.ok},
    }
    a.json.parent.mkdir(parents=True, exist_ok=True)
    a.json.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"已写出 {a.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
