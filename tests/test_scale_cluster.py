"""A round on a real dask.distributed LocalCluster (2 worker processes) into PostgreSQL, with one worker
SIGKILLed mid-round: the round completes with the findings of a single-process round of the same sites, no
page is archived twice beyond what was in flight, and no host was crawled by two workers at once.

Real HTTP on 127.0.0.1 (the small replica region in a child process), real PostgreSQL (GOVCHECK_TEST_PG_URL,
in a schema of its own), the real scheduler and worker processes."""
from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from govcheck.inspect.run import run_inspect
from govcheck.sim.testing import region_in_process
from small_region import small_scenario
from test_core_safety import RULES, SEED, comparable, scores, time_point

PG = os.environ.get("GOVCHECK_TEST_PG_URL")
SCHEMA = "govcheck_cluster_test"



def _pg_schema_url() -> str:
    """The test database with a fresh schema of its own first on the search path."""
    eng = create_engine(PG)
    with eng.begin() as c:
        c.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        c.execute(text(f"CREATE SCHEMA {SCHEMA}"))
    eng.dispose()
    sep = "&" if "?" in PG else "?"
    return f"{PG}{sep}options=-csearch_path%3D{SCHEMA}"


@pytest.fixture(scope="module")
def region(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cluster-region")
    with region_in_process(small_scenario, tmp / "sites.csv", args=(str(tmp),), feeds=False) as reg:
        yield reg


def _inspect(region, out: Path, **kw):
    # a small per-host delay keeps each site's crawl going long enough to be cut mid-way
    return run_inspect(region.roster, out, at=time_point(), rules=RULES, seed=SEED, delay=0.01, concurrency=4,
                       progress=False, external=False, workers=1, allow=region.allow, **kw)


@pytest.mark.skipif(not PG, reason="GOVCHECK_TEST_PG_URL not set (.ci/run sets it)")
def test_cluster_round_survives_a_killed_worker(region, tmp_path):
    import dask
    from distributed import Client, LocalCluster

    from govcheck.collect.config import load_data
    from govcheck.collect.store import crawl_fetch, crawl_site
    from govcheck.inspect.cluster import DASK_CONFIG

    single = tmp_path / "single"
    _inspect(region, single)

    url = _pg_schema_url()
    out = tmp_path / "cluster"
    with dask.config.set(DASK_CONFIG):
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    try:
        result: dict = {}

        def run() -> None:
            try:
                result["res"] = _inspect(region, out, db=url, cluster=cluster.scheduler_address)
            except BaseException as e:  # noqa: BLE001 - surfaced below
                result["error"] = e

        th = threading.Thread(target=run)
        th.start()
        eng = create_engine(url)
        killed = None
        deadline = time.monotonic() + 120
        while th.is_alive() and time.monotonic() < deadline and killed is None:
            time.sleep(0.05)
            try:
                with eng.connect() as c:
                    n = c.execute(select(func.count()).select_from(crawl_fetch)).scalar() or 0
                    running = [s for (s,) in c.execute(select(crawl_site.c.site)
                                                       .where(crawl_site.c.status == "running"))]
            except Exception:  # noqa: BLE001 - tables not created yet
                continue
            if n < 15 or not running:
                continue
            busy = {w: keys for w, keys in client.processing().items() if keys}
            if not busy:
                continue
            pids = client.run(os.getpid)
            victim = sorted(busy)[0]
            os.kill(pids[victim], signal.SIGKILL)
            killed = (victim, list(busy[victim]), n)
        th.join(timeout=600)
        assert not th.is_alive(), "the cluster round did not finish"
        assert "error" not in result, result.get("error")
        assert killed is not None, "no worker was killed mid-round (the round ended first)"

        # the round completed with the single-process round's findings and scores
        assert comparable(out) == comparable(single)
        assert scores(out) == scores(single)
        res = result["res"]
        assert not [o for o in res.sites if o.error], [o.error for o in res.sites]

        with eng.connect() as c:
            # every site's crawl finished, and more than one crawl run wrote: the killed attempt and its retry
            assert {s for (s,) in c.execute(select(crawl_site.c.status))} == {"done"}
            rows = c.execute(select(crawl_fetch.c.site, crawl_fetch.c.url, crawl_fetch.c.kind,
                                    crawl_fetch.c.run_id, crawl_fetch.c.fetched_at, crawl_fetch.c.elapsed)).all()
        eng.dispose()
        # no page archived twice beyond what was in flight when the worker died
        seen: dict[tuple, int] = {}
        for r in rows:
            seen[(r.site, r.url, r.kind)] = seen.get((r.site, r.url, r.kind), 0) + 1
        twice = [k for k, v in seen.items() if v > 1]
        bound = 4 + int(load_data()["archive"]["writer_queue"]) + 1
        assert len(twice) <= bound, (len(twice), bound, twice[:5])
        # one writer per WARC file: each crawl run has its own files
        names = [p.name for p in (out / "warc").glob("*.warc.gz")]
        assert len(names) == len(set(names))
    finally:
        client.close()
        cluster.close()
        eng2 = create_engine(PG)
        with eng2.begin() as c:
            c.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        eng2.dispose()


def test_host_never_crawled_by_two_workers_at_once(region, tmp_path):
    """Two roster rows on one host (units sharing a platform host): on a 2-worker LocalCluster their site
    tasks hold the host's lock in turn, so their fetches never overlap in time."""
    from govcheck.collect.store import crawl_fetch
    from govcheck.roster import read_sites

    lines = region.roster.read_text(encoding="utf-8-sig").splitlines()
    first = next(iter(read_sites(region.roster)))
    cells = lines[1].split(",")
    twin = [c.replace(first.url, first.url + "index.html") if c == first.url else c for c in cells]
    twin[1] = cells[1] + "二"
    roster = tmp_path / "sites.csv"
    roster.write_text("\n".join([lines[0], lines[1], ",".join(twin)]) + "\n", encoding="utf-8")
    assert len(read_sites(roster)) == 2
    out = tmp_path / "shared-host"
    run_inspect(roster, out, at=time_point(), rules=RULES, seed=SEED, delay=0.0, concurrency=4, progress=False,
                external=False, workers=2, allow=region.allow, cluster="local", search=False)
    eng = create_engine(f"sqlite:///{out / 'round.sqlite'}")
    with eng.connect() as c:
        spans = c.execute(select(crawl_fetch.c.site, func.min(crawl_fetch.c.fetched_at),
                                 func.max(crawl_fetch.c.fetched_at)).group_by(crawl_fetch.c.site)).all()
    eng.dispose()
    assert len(spans) == 2, spans
    (_, a0, a1), (_, b0, b1) = sorted(spans, key=lambda r: r[1])
    assert a1 <= b0, f"two workers fetched from one host at once: {spans}"
