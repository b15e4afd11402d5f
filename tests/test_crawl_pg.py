"""The crawl index in PostgreSQL (--db URL), next to the round core's tables."""
from __future__ import annotations

import os

import pytest
from sqlalchemy import delete

from govcheck.collect.config import CrawlOptions
from govcheck.collect.query import fetches, link_outcomes
from govcheck.collect.runner import crawl_sites
from govcheck.collect.store import crawl_fetch, crawl_link, crawl_queue, crawl_site, crawl_skip, make_engine
from govcheck.model import Site
from test_crawl_support import LOCAL, make_site, serve

PG = os.environ.get("GOVCHECK_TEST_PG_URL")


@pytest.mark.skipif(not PG, reason="GOVCHECK_TEST_PG_URL not set (.ci/run sets it)")
async def test_crawl_into_postgresql(tmp_path):
    async with serve(make_site(None, n_articles=6)) as base:
        site = Site(region="x", unit="PG测试", name="n", url=base + "/")
        opts = CrawlOptions.defaults(allow_addresses=LOCAL, min_delay=0, retries=0, timeout=5)
        try:
            res = (await crawl_sites([site], tmp_path, opts, db_url=PG))[0]
            assert res.status == "done", res.message
            engine = make_engine(PG)
            rows = {r["url"]: r for r in fetches(engine, site.url)}
            assert rows[base + "/art/5.html"]["outcome"] == "ok"
            links = {ln["url"]: ln for ln in link_outcomes(engine, site.url)}
            assert links[base + "/missing.html"]["outcome"] == "broken"
            again = (await crawl_sites([site], tmp_path, opts, db_url=PG))[0]
            assert again.fetched == 0  # resume state read back from PostgreSQL
        finally:
            engine = make_engine(PG)
            with engine.begin() as c:
                for t in (crawl_fetch, crawl_link, crawl_queue, crawl_skip):
                    c.execute(delete(t).where(t.c.site == site.url))
                c.execute(delete(crawl_site).where(crawl_site.c.site == site.url))
            engine.dispose()
