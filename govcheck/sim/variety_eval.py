"""Run variety regions through the real inspection and score it against the site models.

Shared by tests/test_sim_variety_accuracy.py and bench/accuracy.py: serve region `seed` (N sites) from a
child process, inspect it with `inspect.run.run_inspect` (crawl → extract → facts → checks), compute each
site's expectations from its model (variety_oracle) and compare. Everything needed to explain a failure is
written next to the round: `models.json` (every site's model: styles, columns with kinds, plants) and
`comparison.json` (per site: expected vs found per code and key, missing 需人工核查 items).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govcheck.rules import load_ruleset
from govcheck.score import displaced

import contextlib
import csv

from .server import ROSTER_HEADERS, style_hooks
from .testing import ServedRegion, region_in_process
from .variety import Options, build_variety, site_model, time_point_for, variety_region
from .variety_oracle import SiteResult, compare, expect


@dataclass
class RegionResult:
    seed: int
    time_point: dt.date
    sites: list[SiteResult]
    pages: int
    seconds: float
    manual_items: int
    errors: list[str] = field(default_factory=list)


@contextlib.contextmanager
def serve_variety(seed: int, n: int, roster: Path, *, parts: int = 1, opts: Options | None = None,
                  t0: dt.date | None = None):
    """Region `seed` of `n` sites served by `parts` child processes (site i by process i % parts), with one
    roster in site order: for regions too large for one process (a 1,000-site scale bench)."""
    opts = opts or Options()
    t0 = t0 or time_point_for(seed)
    optd = dataclasses.asdict(opts)
    roster.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        served = [stack.enter_context(region_in_process(
            variety_region, roster.with_name(f"{roster.stem}.part{k}{roster.suffix}"),
            args=(seed, n, k, parts, optd, t0.isoformat()), feeds=False)) for k in range(parts)]
        rows_by_part = []
        for sv in served:
            with sv.roster.open(encoding="utf-8-sig", newline="") as f:
                rows_by_part.append(list(csv.reader(f))[1:])
        sites, rows = [], []
        for i in range(n):
            k, j = i % parts, i // parts
            sites.append(served[k].sites[j])
            rows.append(rows_by_part[k][j])
        with roster.open("w", encoding="utf-8-sig", newline="") as f:
            w = csv.writer(f)
            w.writerow(ROSTER_HEADERS)
            w.writerows(rows)
        yield ServedRegion(sites=sites, feeds_url=None, roster=roster, allow=[a for sv in served for a in sv.allow])


def _model_scenario(seed: int, n: int, opts: Options, t0: dt.date | None):
    scen = build_variety(seed, n, t0=t0, opts=opts)
    for s in scen.sites:
        style_hooks(s.style)[0](s)  # the same URLs the served copy has (they do not depend on ports)
    return scen


def inspect_region(seed: int, n: int, out: Path, *, rules: str = "xianning-2022", opts: Options | None = None,
                   t0: dt.date | None = None, workers: int = 2, concurrency: int = 8, parts: int = 1,
                   browser: bool = False) -> RegionResult:
    from govcheck.inspect.run import run_inspect

    opts = opts or Options()
    t0 = t0 or time_point_for(seed)
    out.mkdir(parents=True, exist_ok=True)
    roster = out / "sites.csv"
    started = time.perf_counter()
    with serve_variety(seed, n, roster, parts=parts, opts=opts, t0=t0) as served:
        res = run_inspect(roster, out / "round", at=t0, rules=rules, seed=seed, delay=0.0, concurrency=concurrency,
                          progress=False, external=False, workers=workers, browser=browser,
                          allow=served.allow)  # the region is served on loopback, which the fetch layer refuses otherwise
    seconds = time.perf_counter() - started
    scen = _model_scenario(seed, n, opts, t0)
    rs = load_ruleset(rules)
    results: list[SiteResult] = []
    errors: list[str] = []
    models = []
    for site, info, o in zip(scen.sites, served.sites, res.sites):
        url = info["url"]
        site.url = url
        if info["pages"] != site.page_count():  # the served copy was built by other code than this model
            errors.append(f"{site.key}: 服务的网站与模型不一致（{info['pages']} != {site.page_count()} 页）")
        if o.site.url.rstrip("/") != url.rstrip("/"):
            errors.append(f"{site.key}: 名单顺序不符 {o.site.url} != {url}")
            continue
        if o.error:
            errors.append(f"{site.key}: {o.error}")
        exp = expect(site, t0, rs)
        # no double deduction is decided in scoring (score.displaced): a displaced finding is not a deduction
        gone = displaced(list(o.findings), rs)
        counted = [f for i, f in enumerate(o.findings) if i not in gone]
        r = compare(site, exp, counted, o.manual, o.anomalies)
        results.append(r)
        m = site_model(site)
        m["expected"] = [dataclasses.asdict(e) for e in exp.findings + exp.anomalies]
        m["expected_manual"] = [{"code": x.code, "keys": sorted(x.keys), "why": x.why} for x in exp.manual]
        m["column_states"] = exp.states
        m["found"] = [{"code": f.code, "evidence": [e.to_dict() for e in f.evidence], "params": f.params}
                      for f in list(o.findings) + list(o.anomalies)]
        m["manual_found"] = [{"code": x.code, "what": x.what, "urls": x.urls} for x in o.manual]
        m["problems"] = r.problems()
        m["pages"] = o.pages
        models.append(m)
    (out / "models.json").write_text(json.dumps({"seed": seed, "time_point": t0.isoformat(), "rules": rules,
                                                 "sites": models}, ensure_ascii=False, indent=1, default=str),
                                     encoding="utf-8")
    return RegionResult(seed=seed, time_point=t0, sites=results, pages=sum(o.pages for o in res.sites),
                        seconds=seconds, manual_items=sum(len(o.manual) for o in res.sites), errors=errors)


def tally(results: list[SiteResult]) -> dict[str, dict[str, int]]:
    """Per rule code: tp, fp, fn (units: findings, or counted items such as a link or a 科室)."""
    out: dict[str, dict[str, int]] = {}
    for r in results:
        for row in r.rows:
            t = out.setdefault(row.code, {"tp": 0, "fp": 0, "fn": 0, "expected": 0})
            t["tp"] += row.tp
            t["fp"] += row.fp
            t["fn"] += row.fn
            t["expected"] += row.lo
    return out


def summary(regions: list[RegionResult]) -> dict[str, Any]:
    sites = [s for r in regions for s in r.sites]
    per_code = tally(sites)
    return {
        "regions": [{"seed": r.seed, "time_point": r.time_point.isoformat(), "sites": len(r.sites), "pages": r.pages,
                     "seconds": round(r.seconds, 1), "errors": r.errors} for r in regions],
        "sites": len(sites),
        "sites_exact": sum(s.ok for s in sites),
        "per_code": {k: {**v, "recall": (v["tp"] / (v["tp"] + v["fn"])) if (v["tp"] + v["fn"]) else None}
                     for k, v in sorted(per_code.items())},
        "false_deductions": sum(v["fp"] for v in per_code.values()),
        "missed": sum(v["fn"] for v in per_code.values()),
        "manual_expected": sum(s.manual_expected for s in sites),
        "manual_expected_missing": sum(len(s.manual_missing) for s in sites),
        "manual_items": sum(r.manual_items for r in regions),
    }
