"""Crawl the styles-demo replica region (TRS, 大汉, 信息公开 platform and a GBK site) end to end."""
from __future__ import annotations

import hashlib
from collections import Counter

import pytest
from warcio.archiveiterator import ArchiveIterator

from govcheck.collect.config import CrawlOptions
from govcheck.collect.query import fetches, link_outcomes, read_record
from govcheck.collect.roster import read_sites
from govcheck.collect.runner import crawl_sites
from govcheck.collect.store import make_engine
from test_crawl_support import LOCAL

sim = pytest.importorskip("govcheck.sim.testing")


@pytest.fixture(scope="module")
def region():
    from govcheck.sim import load_scenario

    with sim.running_region(load_scenario("styles-demo")) as reg:
        yield reg


@pytest.fixture(scope="module")
def crawl(region, tmp_path_factory):
    import asyncio

    out = tmp_path_factory.mktemp("simcrawl")
    roster = region.write_roster(out / "sites.csv")
    sites = read_sites(roster)
    opts = CrawlOptions.defaults(allow_addresses=LOCAL, min_delay=0, retries=0, timeout=4.0, slow_seconds=2.0, per_host_concurrency=4,
                                 backoff=0.01, check_external=False)  # the replica links out to the real web
    results = asyncio.run(crawl_sites(sites, out / "round", opts))
    engine = make_engine(f"sqlite:///{out}/round/round.sqlite")
    yield {r.site: r for r in results}, engine, out / "round"
    engine.dispose()


def _site(region, key):
    return region.site(key), region.scenario.site(key)


def test_every_style_crawled_fully(region, crawl):
    results, engine, out = crawl
    for s in region.sites:
        r = results[s["url"]]
        assert r.status == "done", r.message
        rows = fetches(engine, s["url"], "page")
        ok_pages = [x for x in rows if x["outcome"] == "ok"]
        # the scenario says how many pages the site has; the crawl reaches nearly all of them
        assert len(ok_pages) >= 0.9 * s["pages"], (s["key"], len(ok_pages), s["pages"])
        site = region.scenario.site(s["key"])
        col = site.column_by_path("首页>政府信息公开>法定主动公开内容>政策文件")
        urls = {x["url"] for x in rows}
        assert s["url"].rstrip("/") + col.url in urls
        assert all(x["sha256"] for x in ok_pages)


def test_gbk_site_titles_decoded(region, crawl):
    results, engine, out = crawl
    s = next(s for s in region.sites if s["encoding"] == "gbk")
    home = next(x for x in fetches(engine, s["url"], "page") if x["url"] == s["url"])
    assert home["title"] and s["name"] in home["title"]


def test_json_api_column_fetched(region, crawl):
    results, engine, out = crawl
    s, site = _site(region, "demo-hanweb")
    col = next(c for c in site.all_columns() if c.render == "json_api")
    api_rows = fetches(engine, s["url"], "api")
    assert any(f"/api/column/{col.id}/list" in r["url"] and r["status"] == 200 for r in api_rows)
    assert len(col.items) > 15  # more than one API page
    assert any(f"/api/column/{col.id}/list" in r["url"] and "page=2" in r["url"] for r in api_rows)
    page_urls = {r["url"] for r in fetches(engine, s["url"], "page") if r["outcome"] == "ok"}
    # the column's items, which only the API lists, are crawled too
    item_urls = [it.url for it in col.items]  # every page of the paginated API is followed
    assert item_urls and all(item_urls)
    for u in item_urls:
        assert (s["url"].rstrip("/") + u if u.startswith("/") else u) in page_urls, u
    col_row = next(r for r in fetches(engine, s["url"], "page") if r["url"].endswith(col.url))
    assert col_row["note"] is None  # its API was found, so no browser pass is needed


def test_hazards_recorded(region, crawl):
    results, engine, out = crawl
    s, site = _site(region, "demo-trs")
    sp = site.special
    base = s["url"].rstrip("/")
    links = link_outcomes(engine, s["url"])
    by_url = {}
    for ln in links:
        by_url.setdefault(ln["url"], ln)
    for b in sp["broken"]:
        o = by_url[base + b["url"]]
        if b["status"] == 404:
            assert o["outcome"] == "broken" and o["status"] == 404
        else:  # 500 and a hanging page are suspected, not confirmed
            assert o["outcome"] == "suspected", (b, o)
    # the WAF page is blocked, never broken
    waf = [ln for ln in links if any(ln["url"].startswith(base + p) for p in sp["waf"]["paths"])]
    assert waf and all(ln["outcome"] == "blocked" for ln in waf)
    assert results[s["url"]].blocked >= 1
    # the calendar trap is stopped and recorded
    cal = [r for r in fetches(engine, s["url"]) if "/calendar/" in r["url"]]
    assert 1 <= len(cal) <= 40
    traps = [ln for ln in links if ln["outcome"] == "trap"]
    assert traps and all("/calendar/" in t["url"] for t in traps)
    # the slow page is recorded against the (compressed) 15-second rule
    slow = next(r for r in fetches(engine, s["url"]) if r["url"] == base + sp["slow"][0]["url"])
    assert slow["slow"] and slow["elapsed"] >= 2.0


def test_warc_matches_index(region, crawl):
    results, engine, out = crawl
    for s in region.sites:
        rows = [r for r in fetches(engine, s["url"]) if r["status"] is not None]
        for r in rows[:: max(1, len(rows) // 40)]:
            headers, status, body = read_record(out, r["warc"], r["warc_offset"])
            assert headers["WARC-Record-ID"] == r["record_id"] and status == r["status"]
            if r["sha256"]:
                assert hashlib.sha256(body).hexdigest() == r["sha256"]
        responses = Counter()
        for wf in results[s["url"]].warc_files:
            with open(out / wf, "rb") as f:
                for rec in ArchiveIterator(f):
                    if rec.rec_type == "response":
                        responses[rec.rec_headers.get_header("WARC-Target-URI")] += 1
        assert responses and max(responses.values()) == 1


def test_second_host_declared_in_the_roster(tmp_path):
    """赤壁市 keeps its 政府信息公开 platform on a second host, declared in the roster's 其他域名 column:
    the crawl follows it there and indexes those pages under the site."""
    import asyncio
    import shutil

    from govcheck.sim.scenario import SCENARIOS_DIR

    dst = tmp_path / "cbs"
    shutil.copytree(SCENARIOS_DIR / "xianning-2022q2", dst)
    for f in (dst / "sites").glob("*.yaml"):
        if f.name != "03-cbs.yaml":
            f.unlink()
    with sim.running_region(dst) as reg:
        [site] = read_sites(reg.write_roster(tmp_path / "sites.csv"))
        assert site.extra_hosts
        opts = CrawlOptions.defaults(allow_addresses=LOCAL, min_delay=0, retries=0, timeout=4.0, per_host_concurrency=4,
                                     check_external=False, max_pages=250)
        [res] = asyncio.run(crawl_sites([site], tmp_path / "round", opts))
    engine = make_engine(f"sqlite:///{tmp_path}/round/round.sqlite")
    rows = fetches(engine, site.url, "page")
    links = link_outcomes(engine, site.url)
    engine.dispose()
    assert res.status == "done", res.message
    platform = site.extra_hosts[0]
    on_platform = [r for r in rows if r["url"].split("/")[2] == platform and r["outcome"] == "ok"]
    assert len(on_platform) >= 20
    assert all(ln["internal"] for ln in links if ln["url"].split("/")[2] == platform)


def test_direct_record_reader_equals_warcio(region, crawl):
    """read_record reads plain responses without warcio (inspect reads every page): for every record the
    index points at — pages, error pages, WAF blocks, the GBK site — it returns what warcio returns."""
    results, engine, out = crawl
    compared = 0
    for s in region.sites:
        for r in fetches(engine, s["url"]):
            if not r["warc"] or r["warc_offset"] is None or r["status"] is None:
                continue  # a fetch with no response (a timeout) archives its request only
            with open(out / r["warc"], "rb") as f:
                f.seek(r["warc_offset"])
                rec = next(iter(ArchiveIterator(f)))
                want = (dict(rec.rec_headers.headers),
                        int(rec.http_headers.get_statuscode()) if rec.http_headers else None,
                        rec.content_stream().read())
            assert read_record(out, r["warc"], r["warc_offset"]) == want, r["url"]
            compared += 1
    assert compared > 200
