"""Crawl a local government-style site and check the index, the WARC read back, and link outcomes."""
from __future__ import annotations

import hashlib
from collections import Counter

import pytest
from warcio.archiveiterator import ArchiveIterator

from govcheck.collect.config import CrawlOptions
from govcheck.collect.query import fetches, link_outcomes, read_record
from govcheck.collect.runner import crawl_sites
from govcheck.collect.store import make_engine
from govcheck.model import Site
from test_crawl_support import LOCAL, make_external, make_site, serve


@pytest.fixture
async def crawled(tmp_path):
    async with serve(make_external()) as ext, serve(make_site(ext)) as base:
        opts = CrawlOptions.defaults(allow_addresses=LOCAL, min_delay=0, retries=0, timeout=5, backoff=0.01)
        site = Site(region="测试市", unit="测试局", name="测试网", url=base + "/")
        results = await crawl_sites([site], tmp_path, opts)
        engine = make_engine(f"sqlite:///{tmp_path}/round.sqlite")
        yield base, ext, results[0], engine, tmp_path
        engine.dispose()


async def test_index_and_outcomes(crawled):
    base, ext, res, engine, out = crawled
    assert res.status == "done", res.message
    rows = {r["url"]: r for r in fetches(engine, res.site)}
    assert rows[base + "/"]["status"] == 200 and rows[base + "/"]["kind"] == "page"
    assert rows[base + "/"]["title"] == "测试首页"
    for i in range(12):
        assert rows[f"{base}/art/{i}.html"]["outcome"] == "ok"
    links = link_outcomes(engine, res.site)
    by_url = {}
    for ln in links:
        by_url.setdefault(ln["url"], ln)
    assert by_url[base + "/missing.html"]["outcome"] == "broken"
    assert by_url[base + "/missing.html"]["referrer"] == base + "/"
    assert by_url[base + "/err500.html"]["outcome"] == "suspected"
    assert by_url[base + "/waf.html"]["outcome"] == "blocked"  # a WAF page is not a broken link
    assert by_url[base + "/private/secret.html"]["outcome"] == "robots"
    assert by_url[ext + "/gone.html"]["outcome"] == "broken" and not by_url[ext + "/gone.html"]["internal"]
    assert by_url[ext + "/ok.html"]["outcome"] == "ok"
    # external links are checked with HEAD first, then GET when HEAD is refused
    assert rows[ext + "/ok.html"]["method"] == "HEAD"
    assert by_url[ext + "/nohead.html"]["outcome"] == "ok" and rows[ext + "/nohead.html"]["method"] == "GET"
    assert by_url[base + "/img/logo.png"]["tag"] == "img"
    assert rows[base + "/files/report.pdf"]["kind"] == "asset"
    # the redirect is followed and the final URL recorded
    assert rows[base + "/old"]["final_url"] == base + "/art/1.html"
    assert rows[base + "/old"]["redirects"] == 1
    # GBK page decoded
    assert rows[base + "/gbk.html"]["title"] == "GBK页面"
    # JSON-API column: the API named by the script is fetched and its items crawled
    assert rows[base + "/api/list?col=12"]["kind"] == "api"
    assert rows[base + "/art/api-1.html"]["outcome"] == "ok"
    assert rows[base + "/dyn.html"]["note"] is None
    assert rows[base + "/dyn2.html"]["note"] == "动态加载"
    # the calendar trap is stopped and recorded
    traps = [ln for ln in links if ln["outcome"] == "trap"]
    assert traps and all("/calendar" in t["url"] for t in traps)
    cal = [u for u in rows if "/calendar" in u]
    assert 3 <= len(cal) <= 40
    assert res.traps >= 1 and res.blocked == 1 and res.broken >= 2


async def test_warc_read_back(crawled):
    base, ext, res, engine, out = crawled
    rows = fetches(engine, res.site)
    for r in rows:
        if r["status"] is None:
            continue
        headers, status, body = read_record(out, r["warc"], r["warc_offset"])
        assert headers["WARC-Record-ID"] == r["record_id"]
        assert headers["WARC-Type"] == "response"
        assert status == r["status"]
        if r["sha256"]:
            assert hashlib.sha256(body).hexdigest() == r["sha256"]
    # every file reads from start to end; one response per fetched URL, each with its request
    responses, requests, concurrent = Counter(), Counter(), set()
    for wf in {r["warc"] for r in rows}:
        with open(out / wf, "rb") as f:
            for rec in ArchiveIterator(f, check_digests=True):
                assert rec.rec_headers.protocol == "WARC/1.1"
                rec.content_stream().read()
                assert rec.digest_checker.passed is not False, rec.digest_checker.problems
                t = rec.rec_type
                if t == "response":
                    responses[rec.rec_headers.get_header("WARC-Target-URI")] += 1
                elif t == "request":
                    requests[rec.rec_headers.get_header("WARC-Target-URI")] += 1
                    concurrent.add(rec.rec_headers.get_header("WARC-Concurrent-To"))
    for u in [r["url"] for r in rows if r["kind"] != "external"]:
        assert responses[u] == 1, u
        assert requests[u] >= 1
    assert {r["record_id"] for r in rows if r["record_id"]} <= concurrent


async def test_rerun_is_a_noop(crawled, tmp_path):
    base, ext, res, engine, out = crawled
    n = len(fetches(engine, res.site))
    opts = CrawlOptions.defaults(allow_addresses=LOCAL, min_delay=0, retries=0, timeout=5)
    again = await crawl_sites([Site(region="测试市", unit="测试局", name="测试网", url=res.site)], out, opts)
    assert again[0].fetched == 0
    assert len(fetches(engine, res.site)) == n


async def test_max_pages_and_politeness(tmp_path):
    async with serve(make_site(None, n_articles=40)) as base:
        opts = CrawlOptions.defaults(allow_addresses=LOCAL, min_delay=0.02, retries=0, timeout=5, max_pages=15, per_host_concurrency=1)
        res = (await crawl_sites([Site(region="x", unit="u", name="n", url=base + "/")], tmp_path, opts))[0]
        engine = make_engine(f"sqlite:///{tmp_path}/round.sqlite")
        rows = [r for r in fetches(engine, res.site) if r["kind"] not in ("robots", "external")]
        assert len(rows) == 15
        assert res.limit_skipped > 0
        times = sorted(r["fetched_at"] for r in fetches(engine, res.site))
        span = (times[-1] - times[0]).total_seconds()
        assert span >= 0.02 * (len(times) - 1) * 0.95  # one request at a time, 20 ms apart
        engine.dispose()


async def test_retries_with_backoff_on_5xx(tmp_path):
    from aiohttp import web

    calls = {"n": 0}

    async def flaky(req):
        calls["n"] += 1
        if calls["n"] < 3:
            return web.Response(status=502, text="bad gateway")
        return web.Response(text="<html><title>好了</title></html>", content_type="text/html")

    app = web.Application()
    app.router.add_get("/", flaky)
    async with serve(app) as base:
        opts = CrawlOptions.defaults(allow_addresses=LOCAL, min_delay=0, retries=2, backoff=0.05, timeout=5, obey_robots=False)
        res = (await crawl_sites([Site(region="x", unit="u", name="n", url=base + "/")], tmp_path, opts))[0]
    engine = make_engine(f"sqlite:///{tmp_path}/round.sqlite")
    [row] = fetches(engine, res.site)
    engine.dispose()
    assert row["attempts"] == 3 and row["status"] == 200 and row["outcome"] == "ok"
    assert row["elapsed"] >= 0.05 + 0.1  # backoff doubled between attempts


async def test_site_in_a_directory_of_a_shared_host(tmp_path):
    """Two units' sites under one host: each crawl stays in its own directory, the other is only checked."""
    from aiohttp import web

    async def page(req):
        unit = req.match_info["unit"]
        other = "b" if unit == "a" else "a"
        body = (f'<a href="/bm/{unit}/1.html">文章</a><a href="/bm/{other}/index.html">兄弟单位</a>'
                f'<a href="/bm/{unit}/missing.html">坏链</a><link rel="stylesheet" href="/css/x.css">')
        return web.Response(text=f"<html><title>{unit}</title>{body}</html>", content_type="text/html")

    async def art(req):
        return web.Response(text="<html><title>文章</title></html>", content_type="text/html")

    async def css(req):
        return web.Response(text="body{}", content_type="text/css")

    app = web.Application()
    app.router.add_get("/bm/{unit}/index.html", page)
    app.router.add_get("/bm/{unit}/1.html", art)
    app.router.add_get("/css/x.css", css)
    async with serve(app) as base:
        sites = [Site(region="x", unit=f"单位{u}", name=u, url=f"{base}/bm/{u}/index.html") for u in "ab"]
        opts = CrawlOptions.defaults(allow_addresses=LOCAL, min_delay=0, retries=0, timeout=5, obey_robots=False)
        results = await crawl_sites(sites, tmp_path, opts)
    engine = make_engine(f"sqlite:///{tmp_path}/round.sqlite")
    rows = {r["url"]: r for r in fetches(engine, sites[0].url)}
    links = {ln["url"]: ln for ln in link_outcomes(engine, sites[0].url)}
    engine.dispose()
    assert all(r.status == "done" for r in results)
    assert rows[f"{base}/bm/a/1.html"]["kind"] == "page"
    assert rows[f"{base}/bm/b/index.html"]["kind"] == "external"  # checked, not crawled
    assert f"{base}/bm/b/1.html" not in rows
    assert rows[f"{base}/css/x.css"]["kind"] == "asset"  # shared assets of the host are fetched
    assert links[f"{base}/bm/a/missing.html"]["outcome"] == "broken"


async def test_index_rebuilt_from_the_warc_alone(crawled, tmp_path_factory):
    """Each fetch's index rows are archived next to it, so a lost database can be rebuilt from the WARC."""
    from govcheck.collect.archive import recover_tail
    from govcheck.collect.crawler import site_slug

    base, ext, res, engine, out = crawled
    fresh = make_engine(f"sqlite:///{tmp_path_factory.mktemp('rebuilt')}/round.sqlite")
    n = recover_tail(fresh, out, res.site, site_slug(res.site))
    cols = ("url", "kind", "status", "outcome", "sha256", "record_id", "warc", "warc_offset", "warc_end", "fetched_at")
    key = lambda rows: sorted(tuple(r[c] for c in cols) for r in rows)  # noqa: E731
    assert n == len(fetches(engine, res.site))
    assert key(fetches(fresh, res.site)) == key(fetches(engine, res.site))
    old_links = sorted((x["referrer"], x["url"], x["outcome"]) for x in link_outcomes(engine, res.site))
    assert sorted((x["referrer"], x["url"], x["outcome"]) for x in link_outcomes(fresh, res.site)) == old_links
    fresh.dispose()
