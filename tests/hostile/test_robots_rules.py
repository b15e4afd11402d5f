"""robots.txt read with wildcards and `$` (Protego): `Disallow: /*?` stops `/list?page=2` for the crawl, at a
redirect hop, and for the site-search test (issue 14 item 4, issue 17 item 6)."""
from __future__ import annotations

import asyncio

from aiohttp import web

from govcheck.checks.facts import Item, SiteFacts
from govcheck.collect.config import CrawlOptions
from govcheck.collect.fetch import SyncFetchClient, error_kind
from govcheck.collect.query import fetches
from govcheck.collect.runner import crawl_sites
from govcheck.collect.store import crawl_skip, make_engine
from govcheck.inspect.adapter import SiteBuild
from govcheck.inspect.run import search_test
from govcheck.model import Site
from govcheck.rules import load_ruleset
from hostile_support import allow_of, serve

ROBOTS = "User-agent: *\nDisallow: /*?\nDisallow: /*.pdf$\n"


def robots_app(hits: list) -> web.Application:
    async def home(req):
        links = "".join(f'<a href="{p}">{p}</a>' for p in
                        ["/list", "/list?page=2", "/doc.pdf", "/doc.pdf.html", "/go"])
        return web.Response(text=f"<html><head><title>首页</title></head><body>{links}</body></html>",
                            content_type="text/html")

    async def any_page(req):
        hits.append(req.path_qs)
        if req.path == "/go":
            raise web.HTTPFound("/list?page=3")
        return web.Response(text="<html><title>页</title></html>", content_type="text/html")

    async def robots(req):
        return web.Response(text=ROBOTS, content_type="text/plain")

    app = web.Application()
    app.router.add_get("/", home)
    app.router.add_get("/robots.txt", robots)
    app.router.add_get("/{tail:.+}", any_page)
    return app


async def test_wildcards_and_anchors_are_obeyed_by_the_crawl(tmp_path):
    hits: list = []
    async with serve(robots_app(hits)) as base:
        opts = CrawlOptions.defaults(allow_addresses=allow_of(base), min_delay=0, retries=0)
        res = (await crawl_sites([Site(region="x", unit="robots", name="n", url=base + "/")], tmp_path, opts))[0]
    engine = make_engine(f"sqlite:///{tmp_path}/round.sqlite")
    rows = {r["url"].split("/", 3)[3]: r for r in fetches(engine, res.site)}
    with engine.connect() as c:
        skipped = {r.url.split("/", 3)[3]: r.reason for r in c.execute(crawl_skip.select())}
    engine.dispose()
    assert skipped == {"list?page=2": "robots", "doc.pdf": "robots"}
    assert rows["list"]["outcome"] == "ok" and rows["doc.pdf.html"]["outcome"] == "ok"
    assert error_kind(rows["go"]["error"]) == "robots"  # the redirect's target is disallowed: not followed
    assert sorted(hits) == ["/doc.pdf.html", "/go", "/list"]  # nothing disallowed was requested
    assert rows["robots.txt"]["kind"] == "robots" and rows["robots.txt"]["warc"]


async def test_the_search_test_obeys_the_same_rules(tmp_path):
    hits: list = []
    async with serve(robots_app(hits)) as base:
        b = SiteBuild(facts=SiteFacts(url=base + "/", unit="robots"), pages=1,
                      search_forms=[{"action": base + "/search", "field": "q"}],
                      articles=[Item(title="关于印发工作要点的通知", url=base + "/a.html")])
        opts = CrawlOptions.defaults(allow_addresses=allow_of(base), min_delay=0)

        def run():
            with SyncFetchClient(opts) as client:
                return search_test(b, load_ruleset("gb2019"), seed=1, client=client)

        facts = await asyncio.to_thread(run)
    assert facts.works is None and facts.tests == []
    assert facts.errors and "robots:" in facts.errors[0]
    assert hits == []  # the query was never sent
