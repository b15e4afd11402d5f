"""A crawl run: all sites of a roster, several at a time, sharing one global request limit."""
from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import update

from govcheck.collect.archive import utcnow
from govcheck.collect.config import CrawlOptions, load_data
from govcheck.collect.crawler import SiteJob, SiteResult, Stats, crawl_site
from govcheck.collect.fetch import FetchClient
from govcheck.collect.parse import ParsePool
from govcheck.collect.store import crawl_run, make_engine
from govcheck.db import db_url_for
from govcheck.model import Site


def start_run(engine, opts: CrawlOptions, command: str | None) -> int:
    with engine.begin() as c:
        return c.execute(crawl_run.insert().values(
            started_at=utcnow(), obey_robots=opts.obey_robots,
            options=json.dumps(opts.to_dict(), ensure_ascii=False), command=command)).inserted_primary_key[0]


async def crawl_sites(sites: list[Site], out_dir: str | Path, opts: CrawlOptions, db_url: str | None = None,
                      progress: bool = False, command: str | None = None) -> list[SiteResult]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    db_url = db_url or db_url_for(out)
    engine = make_engine(db_url)
    run_id = await asyncio.to_thread(start_run, engine, opts, command)
    stats = Stats(sites_total=len(sites))
    site_sem = asyncio.Semaphore(int(load_data()["run"]["max_sites"]))

    async def one(site: Site) -> SiteResult:
        job = SiteJob(site=site.__dict__.copy(), out_dir=str(out), db_url=db_url, run_id=run_id,
                      options=opts.to_dict())
        async with site_sem:
            return await crawl_site(job, engine, stats, client, parser)

    display = _Progress(stats) if progress else None
    if display:
        display.start()
    try:
        # one fetch layer (politeness per host across sites, one connection pool) and one set of page readers
        async with FetchClient(opts) as client, ParsePool(opts) as parser:
            results = await asyncio.gather(*(one(s) for s in sites))
    finally:
        if display:
            display.stop()
    with engine.begin() as c:
        c.execute(update(crawl_run).where(crawl_run.c.id == run_id).values(finished_at=utcnow()))
    engine.dispose()
    return list(results)


class _Progress:
    """sites, pages/s and errors on stderr, refreshed a few times a second."""

    def __init__(self, stats: Stats):
        from rich.console import Console
        from rich.live import Live

        self.stats = stats
        self.console = Console(stderr=True, soft_wrap=True)
        self.live = Live(self._render(), console=self.console, refresh_per_second=4, transient=False,
                         get_renderable=self._render)

    def _render(self) -> Any:
        import time

        from rich.text import Text

        s = self.stats
        dt = max(1e-6, time.monotonic() - s.started)
        return Text(f"站点 {s.sites_done}/{s.sites_total}  已抓取 {s.fetched} 个  "
                    f"{s.fetched / dt:.1f} 个/秒  错误 {s.errors}", style="bold")

    def start(self) -> None:
        self.live.start()

    def stop(self) -> None:
        self.live.stop()


def main_sync(sites: list[Site], out_dir: str, opts: CrawlOptions, db_url: str | None, progress: bool) -> list[SiteResult]:
    return asyncio.run(crawl_sites(sites, out_dir, opts, db_url, progress, command=" ".join(sys.argv)))
