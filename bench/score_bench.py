"""Scoring 5,000 sites × 30 findings: govcheck.score vs the same arithmetic as one SQLite query.

Goal (issue 2): under 2 s. Building the inputs (Finding objects / table rows) is outside both timings. The peer is plain SQL (Σ per indicator, capped, per site) run on the same data in
the same process, so the ratio says what the rule-set bookkeeping costs. Run: python bench/score_bench.py
"""
from __future__ import annotations

import random
import sqlite3
import time

from govcheck.model import Finding, Site
from govcheck.rules import load_ruleset
from govcheck.score import apply_rules, score_round

N_SITES, PER_SITE, SEED = 5000, 30, 20220515


def main() -> None:
    rs = load_ruleset("xianning-2022")
    rng = random.Random(SEED)
    codes = [r.code for r in rs.rules.values() if r.target == "site" and r.scored and not r.veto and not r.bonus]
    sites = [Site("市直", f"单位{i}", f"网站{i}", f"http://s{i}.example/") for i in range(N_SITES)]
    raw = [(s, rng.choice(codes)) for s in sites for _ in range(PER_SITE)]

    found = [Finding(s.unit, s.url, "site", c, params={"element": "网站标识码"}) for s, c in raw]
    t0, c0 = time.perf_counter(), time.process_time()
    items = apply_rules(found, rs)
    scores = score_round(sites, [], items, rs)
    ours, ours_cpu = time.perf_counter() - t0, time.process_time() - c0

    db = sqlite3.connect(":memory:")
    db.execute("create table f(site text, code text)")
    db.execute("create table r(code text primary key, indicator text, points real)")
    db.execute("create table i(code text primary key, cap real)")
    db.executemany("insert into r values (?,?,?)", [(r.code, r.indicator, r.points) for r in rs.rules.values()])
    db.executemany("insert into i values (?,?)", [(i.code, i.cap) for i in rs.indicators.values()])
    db.executemany("insert into f values (?,?)", [(s.url, c) for s, c in raw])
    t0, c0 = time.perf_counter(), time.process_time()
    rows = db.execute("""
        select site, 100 - sum(d) from (
          select f.site, min(sum(r.points), coalesce(i.cap, 1e9)) d
          from f join r using(code) join i on i.code = r.indicator group by f.site, r.indicator)
        group by site""").fetchall()
    peer, peer_cpu = time.perf_counter() - t0, time.process_time() - c0

    sql = dict(rows)
    mismatches = sum(1 for s in scores if abs((s.score or 0) - round(sql[s.target], 1)) > 0.051)
    print(f"sites={N_SITES} findings={len(raw)}")
    # CPU time is printed beside wall time: on a shared machine the wall figure measures the neighbours too.
    print(f"govcheck.score: {ours:.3f} s wall, {ours_cpu:.3f} s CPU  (goal < 2 s: {'met' if ours_cpu < 2 else 'NOT met'} on CPU)")
    print(f"SQLite peer:    {peer:.3f} s wall, {peer_cpu:.3f} s CPU")
    print(f"ratio govcheck/peer (CPU): {ours_cpu / peer_cpu:.2f}×   score mismatches vs peer: {mismatches}")


if __name__ == "__main__":
    main()
