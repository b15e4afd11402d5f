"""The crawl index keeps links per target (and per home-page copy), not per occurrence, and the checks read
the same thing from it as from every occurrence: D22.1/D22.2 link outcomes, why a URL was not read, the
我要写信 entries. The occurrences are read again from the archived pages."""
from __future__ import annotations

from aiohttp import web
from sqlalchemy import func, select
from govcheck.collect.config import CrawlOptions
from govcheck.collect.query import link_outcomes
from govcheck.collect.runner import crawl_sites
from govcheck.collect.store import crawl_link, make_engine
from govcheck.inspect import adapter
from govcheck.model import Site
from test_crawl_support import LOCAL, serve

NAV = ('<a href="/">首页</a><a href="/index.html">网站首页</a><a href="/gone.html">政务公开</a>'
       '<a href="/xj.html">我要写信</a><a href="/xj.html">写信</a><a href="/robots-only.html">机构</a>')


def _site(n: int = 30) -> web.Application:
    app = web.Application()

    def page(body: str) -> web.Response:
        return web.Response(text=f"<html><head><title>t</title></head><body>{NAV}{body}</body></html>",
                            content_type="text/html")

    async def home(req):
        return page("".join(f'<a href="/a/{i}.html">文章{i}</a>' for i in range(n)) + '<a href="/home-only.html">专栏</a>')

    async def art(req):
        i = int(req.match_info["i"])
        # later pages link to the home page's broken target too, under another text
        extra = '<a href="/home-only.html">专栏文章</a><a href="/dead.html">附件</a>' if i % 3 == 0 else ""
        return page(f"<p>正文{i}</p>{extra}")

    async def gone(req):
        return web.Response(status=404, text="no")

    async def xj(req):
        return page("<p>系统维护，暂停受理</p>")

    async def robots(req):
        return web.Response(text="User-agent: *\nDisallow: /robots-only.html\n")

    app.router.add_get("/", home)
    app.router.add_get("/index.html", home)
    app.router.add_get("/a/{i}.html", art)
    app.router.add_get("/gone.html", gone)
    app.router.add_get("/dead.html", gone)
    app.router.add_get("/home-only.html", gone)
    app.router.add_get("/xj.html", xj)
    app.router.add_get("/robots.txt", robots)
    return app


def _occurrences(engine, out, site: str, outcomes: dict[str, dict]) -> list[dict]:
    """Every link of every archived page, read again from the archived bytes, in crawl order, with its
    target's outcome: what a per-occurrence table would have held."""
    from govcheck.collect.links import extract_links
    from govcheck.collect.query import fetches, read_record
    from govcheck.collect.urls import host_of

    rows = []
    for f in fetches(engine, site):
        if f["kind"] != "page" or f["outcome"] != "ok" or f["warc_offset"] is None:
            continue
        body = read_record(out, f["warc"], f["warc_offset"])[2].decode("utf-8")
        for ln in extract_links(body, f["final_url"] or f["url"]).links:
            o = outcomes.get(ln.url) or {"outcome": "unchecked", "status": None, "error": None}
            rows.append({"referrer": f["url"], "url": ln.url, "tag": ln.tag, "text": ln.text or None,
                         "internal": host_of(ln.url) == host_of(site),
                         **{k: o[k] for k in ("outcome", "status", "error")}})
    return rows


def _entries(rows: list[dict]) -> dict[str, tuple]:
    words = adapter.data()["channel"]["entry_words"]
    e: dict[str, tuple] = {}
    for lk in rows:
        t = (lk.get("text") or "").strip()
        if lk.get("internal") and t and any(w in t for w in words):
            e.setdefault(lk["url"].split("#")[0], (lk["referrer"], t, lk["outcome"]))
    return e


async def test_links_per_target_read_as_every_occurrence(tmp_path):
    async with serve(_site()) as base:
        site = Site(region="x", unit="索引测试", name="n", url=base + "/")
        opts = CrawlOptions.defaults(allow_addresses=LOCAL, min_delay=0, retries=0, timeout=5,
                                     check_external=False)
        res = (await crawl_sites([site], tmp_path, opts))[0]
        assert res.status == "done", res.message
    engine = make_engine(f"sqlite:///{tmp_path / 'round.sqlite'}")
    kept = link_outcomes(engine, site.url)
    outcomes = {r["url"]: r for r in kept}
    every = _occurrences(engine, tmp_path, site.url, outcomes)
    with engine.connect() as c:
        n_rows = c.execute(select(func.count()).select_from(crawl_link)).scalar()
    # ~30 pages × ~8 links: some 250 occurrences; per target (text variants, home copies) far fewer rows
    assert len(every) > 200
    targets = {(r["url"], r["text"] or "") for r in every}
    assert n_rows < len(every) / 3
    assert len(targets) <= n_rows <= len(targets) * 3  # + the home page's / and /index.html copies

    # the checks' reads are the same from the index as from every occurrence
    def d22(rows):
        return [(x.url, x.referrer, x.on_home, x.outcome) for x in adapter._links(rows, {}, None, site.url)]

    assert d22(kept) == d22(every)
    got = d22(kept)
    assert (base + "/home-only.html", base + "/", True, "broken") in got  # D22.1: on the home page
    assert any(u == base + "/home-only.html" and not on_home for u, _, on_home, _ in got)  # and D22.2 elsewhere
    assert any(u == base + "/dead.html" and not on_home for u, _, on_home, _ in got)
    assert adapter._unread_reasons(kept) == adapter._unread_reasons(every)
    assert _entries(kept) == _entries(every) and _entries(kept)

    # a resumed or replayed item adds no row twice (the key is unique; inserts skip what is stored)
    again = (await crawl_sites([site], tmp_path, opts))[0]
    with engine.connect() as c:
        assert c.execute(select(func.count()).select_from(crawl_link)).scalar() == n_rows
    assert again.status == "done"
    engine.dispose()


def test_old_per_occurrence_table_is_folded_in(tmp_path):
    """A round crawled before this change (crawl_link per occurrence, no key) opens with its links kept."""
    import sqlite3

    db = tmp_path / "round.sqlite"
    c = sqlite3.connect(db)
    c.execute("CREATE TABLE crawl_link (id INTEGER PRIMARY KEY AUTOINCREMENT, site VARCHAR(500) NOT NULL, "
              "referrer TEXT NOT NULL, url TEXT NOT NULL, tag VARCHAR(12), text TEXT, internal BOOLEAN)")
    c.execute("CREATE INDEX ix_crawl_link_site_url ON crawl_link (site, url)")
    s = "http://h.example/"
    rows = [(s, s, s + "x.html", "a", "写信", 1), (s, s + "p1.html", s + "x.html", "a", "写信", 1),
            (s, s + "p1.html", s + "y.html", "a", None, 1), (s, s + "p2.html", s + "y.html", "a", None, 1),
            (s, s + "index.html", s + "y.html", "a", None, 1)]
    c.executemany("INSERT INTO crawl_link (site, referrer, url, tag, text, internal) VALUES (?,?,?,?,?,?)", rows)
    c.commit()
    c.close()
    engine = make_engine(f"sqlite:///{db}")
    got = [(r["referrer"], r["url"], r["text"]) for r in link_outcomes(engine, s)]
    engine.dispose()
    # first occurrence per target and text off the home page, plus each home copy's own, in their order:
    # p2's repeat of y.html is gone
    assert got == [(s, s + "x.html", "写信"), (s + "p1.html", s + "x.html", "写信"),
                   (s + "p1.html", s + "y.html", None), (s + "index.html", s + "y.html", None)]
