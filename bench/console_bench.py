"""The web console on a big round: the review queue page and a review action, over real HTTP.

A round of 2,000 sites × 30 findings (60,000; random scorable codes of xianning-2022, seed 20220515) is built in
SQLite (or --db), the console is served by uvicorn on 127.0.0.1, and a logged-in client times:
- the queue page (the default 待复核 view, a unit filter, a rule filter, a deep page), goal < 300 ms;
- a review action (dismiss / reopen of 1 and of 50 findings, with the targets' scores recomputed), goal < 200 ms.
Peer, in the same run: the same rows as plain SQL through the sqlite3 module (the page's SELECT and count; the
decision's UPDATE + review-log INSERT). Printed as medians and ratios. Never a timed assertion in tests.

    python bench/console_bench.py [--sites 2000] [--per-site 30] [--reps 15] [--db URL]
"""
from __future__ import annotations

import argparse
import os
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))


def median_ms(xs: list[float]) -> float:
    return statistics.median(xs) * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sites", type=int, default=2000)
    ap.add_argument("--per-site", type=int, default=30)
    ap.add_argument("--reps", type=int, default=15)
    ap.add_argument("--db", default=None, help="a PostgreSQL URL instead of the round's SQLite file")
    args = ap.parse_args()

    import httpx

    from govcheck.web.server import create_app
    from govcheck.web.auth import add_user
    from govcheck.web.review import QueueFilter, queue
    from web_harness import PASSWORD, csrf_of, login, serve, synthetic_round

    tmp = Path(tempfile.mkdtemp(prefix="console-bench-"))
    out = tmp / "bench"
    t0 = time.perf_counter()
    synthetic_round(out, args.sites, args.per_site, args.db)
    build_s = time.perf_counter() - t0
    print(f"round: {args.sites} sites × {args.per_site} findings built in {build_s:.1f} s; load {os.getloadavg()}")
    app = create_app([out], db_url=args.db, home=tmp / "home")
    add_user(app.state.console.home, "bench", PASSWORD, "inspector")
    h = app.state.console.rounds.get("bench")
    sql = None if args.db else sqlite3.connect(out / "round.sqlite", isolation_level=None)
    cols = ("id, seq, unit, target, target_type, account_type, code, text, points, veto, evidence, review, review_by, "
            "review_reason, review_at, source")

    def plain_page(where: str, params: list, offset: int) -> None:
        sql.execute(f"SELECT review, count(*) FROM findings WHERE round_id=? {where} GROUP BY review",
                    [h.id] + params).fetchall()
        sql.execute(f"SELECT {cols} FROM findings WHERE round_id=? AND review='pending' {where} "
                    f"ORDER BY seq LIMIT 50 OFFSET ?", [h.id] + params + [offset]).fetchall()

    with serve(app) as base:
        c = httpx.Client(base_url=base, timeout=60)
        assert login(c, "bench").status_code == 303
        unit = "单位1234" if args.sites > 1234 else "单位0001"
        code = "D09.2"
        cases = [("待复核 第1页", {}, "", [], 0), ("按单位筛选", {"unit": unit}, "AND unit = ?", [unit], 0),
                 ("按规则筛选", {"rule": code}, "AND code = ?", [code], 0),
                 ("第500页", {"page": "500"}, "", [], 499 * 50)]
        print("\n| 队列页面 | console (HTTP, ms, median) | CPU (ms) | plain SQL (ms) | ratio |")
        print("|---|---:|---:|---:|---:|")
        for label, params, where, sp, offset in cases:
            c.get("/r/bench/review", params=params)  # warm
            web, peer, cpu = [], [], []
            for _ in range(args.reps):
                t, tc = time.perf_counter(), time.process_time()
                r = c.get("/r/bench/review", params=params)
                web.append(time.perf_counter() - t)
                cpu.append(time.process_time() - tc)
                assert r.status_code == 200
                if sql is not None:
                    t = time.perf_counter()
                    plain_page(where, sp, offset)
                    peer.append(time.perf_counter() - t)
            pm = median_ms(peer) if peer else float("nan")
            print(f"| {label} | {median_ms(web):.1f} | {median_ms(cpu):.1f} | {pm:.2f} | {median_ms(web) / pm:.0f}× |")

        page = c.get("/r/bench/review").text
        token = csrf_of(page)
        ids = re.findall(r'name="ids" value="([0-9a-f]+)"', page)
        # 50 findings of 50 different sites: the worst case of a page's bulk action (50 sites rescored)
        wide = [r["id"] for r in queue(h, QueueFilter(sort="unit"), 1500).rows][::30][:50]
        print("\n| 复核操作（含评分重算） | console (HTTP, ms, median) | CPU (ms) | plain SQL UPDATE + log (ms) | ratio |")
        print("|---|---:|---:|---:|---:|")
        for label, chosen in (("1 条", ids[:1]), ("50 条（同一页，2 个网站）", ids[:50]),
                              ("50 条（50 个网站）", wide)):
            n = len(chosen)
            web, peer, cpu = [], [], []
            for i in range(args.reps):
                action = "dismiss" if i % 2 == 0 else "reopen"
                t, tc = time.perf_counter(), time.process_time()
                r = c.post("/r/bench/review", data={"csrf_token": token, "ids": chosen, "action": action,
                                                     "reason": "压测"}, follow_redirects=False)
                web.append(time.perf_counter() - t)
                cpu.append(time.process_time() - tc)
                assert r.status_code == 303, r.text[:300]
                if sql is not None:
                    t = time.perf_counter()
                    q = ",".join("?" * n)
                    sql.execute("BEGIN")
                    sql.execute(f"UPDATE findings SET review=?, review_by=?, review_reason=? WHERE id IN ({q})",
                                ["pending", "bench", "压测", *chosen])
                    sql.executemany("INSERT INTO review_log (finding_id, round_id, action, by, reason, at) "
                                    "VALUES (?, ?, ?, ?, ?, ?)",
                                    [(x, h.id, "reopen", "bench", "压测", "2022-05-15 00:00:00") for x in chosen])
                    sql.execute("COMMIT")
                    peer.append(time.perf_counter() - t)
            pm = median_ms(peer) if peer else float("nan")
            print(f"| {label} | {median_ms(web):.1f} | {median_ms(cpu):.1f} | {pm:.2f} | {median_ms(web) / pm:.0f}× |")
        c.close()
    print(f"\nload after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
