"""SSRF: redirects (crawler) and search form actions pointing at cloud metadata, private and loopback addresses
are refused after DNS resolution, on the address about to be connected to, and recorded as fetch errors
(issue 17 item 4). A site the round allows explicitly is read."""
from __future__ import annotations

import asyncio

import pytest
from aiohttp import web

from govcheck.checks.facts import Item, SiteFacts
from govcheck.collect.config import CrawlOptions
from govcheck.collect.fetch import AddressPolicy, FetchClient, error_kind
from govcheck.collect.query import fetches
from govcheck.collect.runner import crawl_sites
from govcheck.collect.store import make_engine
from govcheck.inspect.adapter import SiteBuild
from govcheck.inspect.run import search_test
from govcheck.model import Site
from govcheck.rules import load_ruleset
from hostile_support import allow_of, memory_ceiling, serve


def canary_app(hits: list) -> web.Application:
    """A loopback service the round did not allow: it must never see a request."""
    async def any_path(req):
        hits.append(req.path)
        return web.Response(text="secret")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", any_path)
    return app


def redirecting_app(canary: str) -> web.Application:
    targets = {
        "/meta": "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "/private": "http://10.20.30.40/admin/",
        "/private6": "http://[fd00::1]/",
        "/loopback": canary + "/internal",
        "/byname": "http://localhost:" + canary.rsplit(":", 1)[1] + "/by-name",
        "/chain": "/chain2",
        "/chain2": "http://192.168.1.1/",
    }

    async def home(req):
        links = "".join(f'<a href="{p}">{p}</a>' for p in [*targets, "/fine.html"] if p != "/chain2")
        return web.Response(text=f"<html><head><title>首页</title></head><body>{links}</body></html>",
                            content_type="text/html")

    async def fine(req):
        return web.Response(text="<html><title>正常</title></html>", content_type="text/html")

    app = web.Application()
    app.router.add_get("/", home)
    app.router.add_get("/fine.html", fine)
    for path, to in targets.items():
        async def go(req, to=to):
            raise web.HTTPFound(to)
        app.router.add_get(path, go)
    return app


async def test_redirects_to_internal_addresses_are_refused_and_recorded(tmp_path):
    hits: list = []
    async with serve(canary_app(hits)) as canary, serve(redirecting_app(canary)) as base:
        opts = CrawlOptions.defaults(allow_addresses=allow_of(base), min_delay=0, retries=0, timeout=3,
                                     obey_robots=False)
        with memory_ceiling(150):
            res = (await crawl_sites([Site(region="x", unit="重定向测试", name="n", url=base + "/")], tmp_path,
                                     opts))[0]
    assert res.status == "done", res.message
    engine = make_engine(f"sqlite:///{tmp_path}/round.sqlite")
    rows = {r["url"].split("/", 3)[3]: r for r in fetches(engine, res.site)}
    engine.dispose()
    for name in ("meta", "private", "private6", "loopback", "byname", "chain"):  # chain: 2 hops, then private
        r = rows[name]
        assert error_kind(r["error"]) == "address_refused", (name, r["error"])
        # suspected: a person looks (a policy refusal is no evidence the link is broken); the redirect itself
        # is archived as evidence
        assert r["outcome"] == "suspected" and r["redirects"] >= 1
    assert rows["chain"]["redirects"] == 2
    assert "169.254.169.254" in rows["meta"]["error"] and "元数据" in rows["meta"]["error"]
    assert "localhost" in rows["byname"]["error"]  # refused after resolution, naming what the name resolved to
    assert rows["fine.html"]["outcome"] == "ok"
    assert hits == []  # the loopback service never saw a request


async def test_an_allowed_site_is_read_and_one_not_allowed_is_refused(tmp_path):
    hits: list = []
    async with serve(canary_app(hits)) as other:
        async with FetchClient(CrawlOptions.defaults(min_delay=0, retries=0)) as c:
            res = await c.fetch(other + "/x")  # nothing allowed: loopback is refused
        assert error_kind(res.error) == "address_refused" and res.hops[0].status is None
        async with FetchClient(CrawlOptions.defaults(allow_addresses=allow_of(other), min_delay=0)) as c:
            ok = await c.fetch(other + "/y")
    assert ok.status == 200 and ok.error is None
    assert hits == ["/y"]


def test_allow_list_entries():
    p = AddressPolicy(["127.0.0.1:8080", "10.0.0.0/8", "oa.example.gov.cn", "[::1]:9000"])
    assert p.refusal("127.0.0.1", 8080) is None
    assert p.refusal("127.0.0.1", 8081) is not None
    assert p.refusal("10.9.8.7", 443) is None
    assert p.refusal("::1", 9000) is None and p.refusal("::1", 9001) is not None
    assert p.name_allowed("OA.example.gov.cn.", 443)
    assert "元数据" in AddressPolicy().refusal("169.254.169.254", 80)
    assert AddressPolicy().refusal("::ffff:127.0.0.1", 80) is not None  # IPv4-mapped loopback
    assert AddressPolicy().refusal("100.64.0.1", 80) is not None  # carrier-grade NAT
    assert AddressPolicy().refusal("202.103.24.68", 80) is None  # public
    with pytest.raises(ValueError):
        AddressPolicy(["10.0.0.1:http"])


def search_form_app(action: str) -> web.Application:
    async def search(req):
        raise web.HTTPFound(action)

    app = web.Application()
    app.router.add_get("/search", search)
    return app


@pytest.mark.parametrize("action", ["http://169.254.169.254/search", "http://172.16.0.9/search", "redirect"])
async def test_search_form_action_to_internal_addresses_is_refused(action, tmp_path):
    hits: list = []
    async with serve(canary_app(hits)) as canary, serve(search_form_app(canary + "/search")) as base:
        form_action = base + "/search" if action == "redirect" else action  # redirect: the site's own action
        b = SiteBuild(facts=SiteFacts(url=base + "/", unit="搜索"), pages=1,  # bounces to the loopback canary
                      search_forms=[{"action": form_action, "field": "q"}],
                      articles=[Item(title="关于印发工作要点的通知", url=base + "/a.html")])
        opts = CrawlOptions.defaults(allow_addresses=allow_of(base), min_delay=0, retries=0)
        from govcheck.collect.fetch import SyncFetchClient

        def run():
            with SyncFetchClient(opts) as client:
                return search_test(b, load_ruleset("gb2019"), seed=1, timeout=3, client=client)

        facts = await asyncio.to_thread(run)
    assert facts.works is None and facts.tests == []
    assert facts.errors and "address_refused:" in facts.errors[0], facts.errors
    assert hits == []
