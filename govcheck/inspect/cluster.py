"""Rounds beyond one machine: each site's work (crawl, extract, facts, checks) as one dask.distributed task.

`govcheck inspect … --cluster tcp://HOST:8786` sends the sites to a running scheduler (scripts/cluster.md);
`--cluster local` starts a LocalCluster of `--workers` processes here. The client (the `govcheck inspect`
process, holding the round's lock) keeps what only it may do: it gathers each site's outcome and saves the
round — findings and scores into the one store (PostgreSQL when workers sit on several machines).

- **Politeness across the cluster.** A site's task holds a cluster-wide lock (distributed.Lock) on every host
  of its crawl scope, taken in sorted order: a host is never crawled by two workers at once, so the per-host
  delay and concurrency of the fetch layer hold cluster-wide. Inside one worker process, one fetch layer and
  one set of page readers serve all its tasks (`_Runtime`).
- **A worker that dies loses nothing.** The scheduler gives its running site to another worker; that task
  resumes the site's crawl from the index and the WARC files (collect/crawler.py: what was committed is not
  fetched again, a torn tail is replayed or cut). Each attempt writes its own WARC files (a new crawl_run
  id), so there is one writer per file. A site's outcome is returned once, whichever attempt produced it,
  and findings are stored by the client only: none is lost or doubled.
- **Evidence from any machine.** WARC paths in the index and in findings are relative to the round folder,
  which must be the same shared folder (e.g. NFS) on every machine.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time
from pathlib import Path
from typing import Any, Callable

from govcheck.model import Site
from govcheck.rules import RuleSet

# cluster settings the site tasks rely on (also in scripts/cluster.md for a scheduler started by hand)
DASK_CONFIG = {
    # the page readers (collect.parse.ParsePool) are child processes of the worker: a daemonic worker may
    # not have children
    "distributed.worker.daemon": False,
    # a dead worker's host locks go back to the cluster after this long (its site is retried meanwhile)
    "distributed.scheduler.locks.lease-timeout": "10s",
    "distributed.scheduler.locks.lease-validation-interval": "2s",
}


class ClusterError(Exception):
    """A cluster that cannot be reached or used, said in Chinese."""


def run_on_cluster(sites: list[Site], out: Path, db_url: str, opts, at: dt.date, rs: RuleSet, seed: int,
                   finish: Callable, *, cluster: str, workers: int = 2, search: bool = True,
                   on_done: Callable[[Site, str], None] | None = None,
                   client=None) -> dict[str, Any]:
    """Each site's SiteOutcome (or the Exception that ended its task after its retries), by URL.

    `finish`: inspect.run.finish_site (search test and checks; passed in, run.py imports this module).
    `client`: an existing distributed.Client (tests, benches); else one is made from `cluster`."""
    import dask
    from distributed import as_completed

    from govcheck.db import is_sqlite

    if is_sqlite(db_url) and cluster != "local" and client is None:
        raise ClusterError("多台机器共用一轮时须使用 PostgreSQL：请以 --db postgresql+psycopg://… 指定共享数据库"
                           "（SQLite 仅用于单机）")
    made = None
    with dask.config.set(DASK_CONFIG):
        if client is None:
            made = client = _client(cluster, workers)
        try:
            return _gather(client, sites, out, db_url, opts, at, rs, seed, finish, search, on_done, as_completed)
        finally:
            if made is not None:
                cl = getattr(made, "cluster", None)
                made.close()
                if cl is not None:
                    cl.close()


def _client(cluster: str, workers: int):
    from distributed import Client, LocalCluster

    if cluster == "local":
        lc = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                          dashboard_address=None)
        c = Client(lc)
        c.cluster = lc  # type: ignore[attr-defined]
        return c
    try:
        return Client(cluster, timeout=30)
    except (OSError, TimeoutError) as e:
        raise ClusterError(f"无法连接集群调度器 {cluster}：{e}") from None


def _gather(client, sites, out, db_url, opts, at, rs, seed, finish, search, on_done, as_completed) -> dict[str, Any]:
    from govcheck.collect.crawler import site_slug
    from govcheck.collect.urls import host_of

    retries = int(_stream_conf().get("task_retries", 2))
    futs = {}
    for i, s in enumerate(sites):
        hosts = sorted({host_of(s.url)} | {h.lower() for h in s.extra_hosts})
        fut = client.submit(site_task, s.__dict__.copy(), str(out), db_url, opts.to_dict(), at, rs, seed,
                            finish, search, hosts, key=f"govcheck-site-{i:06d}-{site_slug(s.url)}", retries=retries,
                            pure=False)
        futs[fut] = s
    results: dict[str, Any] = {}
    done = failed = pages = 0
    t0 = time.monotonic()
    for fut in as_completed(list(futs)):
        s = futs[fut]
        try:
            r = fut.result()
            results[s.url] = r["outcome"]
            pages += int(r["fetched"])
            done += 1
        except Exception as e:  # noqa: BLE001 - a site that failed every attempt is reported, the round goes on
            results[s.url] = e
            failed += 1
        if on_done:
            rate = pages / max(1e-6, time.monotonic() - t0)
            on_done(s, f"完成 {done}，失败 {failed}；全集群 {rate:.1f} 个地址/秒")
    return results


def _stream_conf() -> dict:
    from .adapter import data

    return data().get("cluster") or {}


# ----------------------------------------------------------------------------------------------- worker
class _Runtime:
    """One event loop thread per worker process with a fetch layer and page readers shared by the site tasks
    this process runs (started once: spawning page readers per site would cost more than small sites)."""

    _lock = threading.Lock()
    _by_opts: dict[str, "_Runtime"] = {}

    def __init__(self, opts_dict: dict):
        from govcheck.collect.config import CrawlOptions

        self.opts = CrawlOptions.from_dict(opts_dict)
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, name="govcheck-crawl-loop", daemon=True).start()
        self.client, self.parser = self.run(self._start())
        import atexit

        atexit.register(self.close)  # the worker process ends: close connections, stop the page readers

    def close(self) -> None:
        async def _close():
            await self.client.close()
            await self.parser.close()

        try:
            asyncio.run_coroutine_threadsafe(_close(), self.loop).result(timeout=10)
        except Exception:  # noqa: BLE001 - the process is ending anyway
            pass
        self.loop.call_soon_threadsafe(self.loop.stop)

    async def _start(self):
        from govcheck.collect.fetch import FetchClient
        from govcheck.collect.parse import ParsePool

        return await FetchClient(self.opts).start(), await ParsePool(self.opts).start()

    def run(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()

    @classmethod
    def get(cls, opts_dict: dict) -> "_Runtime":
        import json

        key = json.dumps(opts_dict, sort_keys=True, default=str)
        with cls._lock:
            rt = cls._by_opts.get(key)
            if rt is None:
                rt = cls._by_opts[key] = cls(opts_dict)
            return rt


_ENGINES: dict[str, Any] = {}


def _engine(db_url: str):
    from govcheck.collect.store import make_engine

    eng = _ENGINES.get(db_url)
    if eng is None:
        eng = _ENGINES[db_url] = make_engine(db_url)
    return eng


def _finish_run(eng, run_id: int) -> None:
    from sqlalchemy import update

    from govcheck.collect.archive import utcnow
    from govcheck.collect.store import crawl_run

    with eng.begin() as c:
        c.execute(update(crawl_run).where(crawl_run.c.id == run_id).values(finished_at=utcnow()))


def site_task(site: dict, out: str, db_url: str, opts_dict: dict, at: dt.date, rs: RuleSet, seed: int,
              finish: Callable, search: bool, hosts: list[str]) -> dict[str, Any]:
    """One site's work on a worker: crawl (or resume) it, read its pages, build its facts, run the
    site-search test and the checks. Returns {"outcome": SiteOutcome, "fetched": URLs fetched}."""
    from contextlib import ExitStack

    from distributed import Lock

    from govcheck.collect.crawler import SiteJob, Stats, crawl_site
    from govcheck.collect.fetch import SyncFetchClient
    from govcheck.collect.runner import start_run

    from .adapter import build_site

    s = Site(**site)
    rt = _Runtime.get(opts_dict)
    eng = _engine(db_url)
    section = str(rs.rule("X03.2").params.get("section", "五")) if "X03.2" in rs.rules else "五"
    with ExitStack() as held:
        for h in hosts:  # sorted: two tasks never wait on each other's second host
            lk = Lock(f"govcheck-host:{h}")
            lk.acquire()
            held.callback(lk.release)
        # each attempt is a crawl run of its own: its own WARC files (one writer per file)
        run_id = start_run(eng, rt.opts, "govcheck inspect --cluster")
        stats = Stats(sites_total=1)
        job = SiteJob(site=site, out_dir=out, db_url=db_url, run_id=run_id, options=opts_dict)
        rt.run(crawl_site(job, eng, stats, rt.client, rt.parser))
        _finish_run(eng, run_id)
        b = build_site(s, eng, out, at, x03_section=section, column_cycles=dict(rs.column_cycles))
        fetcher = SyncFetchClient(rt.opts) if search else None
        try:
            o = finish(s, b, rs, at, seed, eng, Path(out), fetcher)
        finally:
            if fetcher is not None:
                fetcher.close()
    return {"outcome": o, "fetched": stats.fetched}
