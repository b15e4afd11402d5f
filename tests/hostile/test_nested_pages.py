"""A page whose parsing is quadratic (deeply nested elements) beside a normal site: it becomes a recorded
error and the normal site's fetch timings stay normal (issue 17 item 5: a neighbour's instant responses were
recorded at 22.8 s and flagged slow under the 15-second rule)."""
from __future__ import annotations

from aiohttp import web

from govcheck.collect.config import CrawlOptions
from govcheck.collect.fetch import error_kind
from govcheck.collect.parse import nesting_depth
from govcheck.collect.query import fetches
from govcheck.collect.runner import crawl_sites
from govcheck.collect.store import make_engine
from govcheck.model import Site
from hostile_support import allow_of, memory_ceiling, serve


def nested(n: int, closed: bool = True) -> str:
    return "<html><head><title>深</title></head><body>" + "<div>" * n + "x" + ("</div>" * n if closed else "") + \
        "</body></html>"


def deep_app() -> web.Application:
    pages = {"/deep1.html": nested(100_000), "/deep2.html": nested(200_000), "/deep3.html": nested(100_000, False),
             "/spans.html": nested(50_000).replace("div", "span")}

    async def home(req):
        links = "".join(f'<a href="{p}">{p}</a>' for p in pages)
        return web.Response(text=f"<html><head><title>首页</title></head><body>{links}</body></html>",
                            content_type="text/html")

    app = web.Application()
    app.router.add_get("/", home)
    for path, text in pages.items():
        async def h(req, text=text):
            return web.Response(text=text, content_type="text/html")
        app.router.add_get(path, h)
    return app


def normal_app(n: int = 80) -> web.Application:
    async def page(req):
        i = int(req.match_info.get("i", 0))
        links = "".join(f'<li><a href="/p/{k}.html">文章{k}</a></li>' for k in range(i * 3 + 1, min(n, i * 3 + 4)))
        return web.Response(text=f"<html><head><title>页面{i}</title></head><body><ul>{links}</ul>"
                                 f"<div>{'咸宁市人民政府办公室' * 50}</div></body></html>", content_type="text/html")

    app = web.Application()
    app.router.add_get("/", page)
    app.router.add_get(r"/p/{i:\d+}.html", page)
    return app


async def _crawl_beside(tmp_path, **over):
    async with serve(deep_app()) as deep, serve(normal_app()) as normal:
        opts = CrawlOptions.defaults(allow_addresses=allow_of(deep) + allow_of(normal), min_delay=0, retries=0,
                                     slow_seconds=5.0, obey_robots=False, **over)
        sites = [Site(region="x", unit="嵌套页面", name="n", url=deep + "/"),
                 Site(region="x", unit="正常网站", name="n", url=normal + "/")]
        with memory_ceiling(300) as peak:
            res = await crawl_sites(sites, tmp_path, opts)
    engine = make_engine(f"sqlite:///{tmp_path}/round.sqlite")
    rows = {r.site: fetches(engine, r.site) for r in res}
    engine.dispose()
    return res, rows, peak


def _normal_stays_normal(res, rows) -> None:
    normal = rows[res[1].site]
    assert res[1].status == "done" and len(normal) == 80
    assert all(r["outcome"] == "ok" for r in normal)
    assert not any(r["slow"] for r in normal), max(r["elapsed"] for r in normal)  # no false 15-second flags


async def test_nesting_guard_refuses_quadratic_pages(tmp_path):
    res, rows, peak = await _crawl_beside(tmp_path)
    deep = {r["url"].rsplit("/", 1)[1]: r for r in rows[res[0].site]}
    for name in ("deep1.html", "deep2.html", "deep3.html", "spans.html"):
        assert error_kind(deep[name]["error"]) == "parse_refused", deep[name]["error"]
        # not read, archived all the same; suspected: a person looks, never a broken link, never extracted
        assert deep[name]["outcome"] == "suspected" and deep[name]["status"] == 200 and deep[name]["warc"]
    _normal_stays_normal(res, rows)
    print(f"guard: memory +{peak.growth_mb:.0f} MB, normal max {max(r['elapsed'] for r in rows[res[1].site]):.2f} s")


async def test_cpu_limit_stops_a_page_the_guard_lets_through(tmp_path):
    # the guard switched off: the CPU limit (1 s per page, enforced by the kernel in the worker) ends it
    res, rows, peak = await _crawl_beside(tmp_path, max_nesting=10**9, parse_cpu_seconds=1.0)
    deep = {r["url"].rsplit("/", 1)[1]: r for r in rows[res[0].site]}
    for name in ("deep1.html", "deep2.html", "deep3.html"):
        assert error_kind(deep[name]["error"]) == "parse_timeout", deep[name]["error"]
        assert deep[name]["outcome"] == "suspected"
    assert deep[""]["outcome"] == "ok"  # the home page around them was read
    _normal_stays_normal(res, rows)
    print(f"cpu limit: memory +{peak.growth_mb:.0f} MB, normal max {max(r['elapsed'] for r in rows[res[1].site]):.2f} s")


def test_nesting_estimate_on_real_pages(real_corpus):
    """The guard's estimate on the real corpus stays far below the limit (no real page is refused)."""
    limit = CrawlOptions.defaults().max_nesting
    depths = [nesting_depth(p.read_bytes(), limit) for p in real_corpus.rglob("*")
              if p.suffix.lower() in (".html", ".htm", ".shtml")]
    assert len(depths) > 50 and max(depths) < limit / 10, max(depths)
    assert nesting_depth(nested(100_000).encode(), limit) > limit
