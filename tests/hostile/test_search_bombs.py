"""The site-search test against hostile results pages: each ends as a recorded error of its kind, in bounded
memory and time, with what arrived archived under its true status line (issue 17 item 3)."""
from __future__ import annotations

import asyncio
import gzip
import time

import pytest
from aiohttp import web

from govcheck.checks.facts import Item, SiteFacts
from govcheck.collect.config import CrawlOptions
from govcheck.collect.fetch import SyncFetchClient
from govcheck.collect.query import read_record
from govcheck.inspect.adapter import SiteBuild
from govcheck.inspect.run import SearchArchive, search_test
from govcheck.rules import load_ruleset
from hostile_support import MB, allow_of, memory_ceiling, serve

TITLE = "关于印发示范市2022年政务公开工作要点的通知"
GZIP_BOMB = gzip.compress(b"\0" * (200 * MB), compresslevel=9)  # ~200 KB on the wire
_BROTLI: list[bytes] = []


def brotli_bomb() -> bytes:
    if not _BROTLI:
        import brotli

        _BROTLI.append(brotli.compress(b"\0" * (200 * MB), quality=5))  # ~ a few hundred bytes on the wire
    return _BROTLI[0]


def results_app(mode: str) -> web.Application:
    async def search(req: web.Request) -> web.StreamResponse:
        if mode == "endless":  # a results page that never ends
            resp = web.StreamResponse(headers={"Content-Type": "text/html"})
            await resp.prepare(req)
            try:
                while True:
                    await resp.write(b"<p>" + b"x" * 65533)
            except (ConnectionError, asyncio.CancelledError, RuntimeError):
                return resp
        if mode == "gzip_bomb":
            return web.Response(body=GZIP_BOMB, headers={"Content-Type": "text/html", "Content-Encoding": "gzip"})
        if mode == "brotli_bomb":
            return web.Response(body=brotli_bomb(),
                                headers={"Content-Type": "text/html", "Content-Encoding": "br"})
        if mode == "drip":  # one byte a second, forever
            resp = web.StreamResponse(headers={"Content-Type": "text/html"})
            await resp.prepare(req)
            try:
                for _ in range(100_000):
                    await resp.write(b"x")
                    await asyncio.sleep(1)
            except (ConnectionError, asyncio.CancelledError, RuntimeError):
                pass
            return resp
        if mode == "not_found":
            return web.Response(status=404, reason="Not Found", text="<html>无此页面</html>", content_type="text/html")
        return web.Response(text=f"<html><body><ul><li><a href='/art/1.html'>{TITLE}</a></li></ul></body></html>",
                            content_type="text/html")

    app = web.Application()
    app.router.add_get("/search", search)
    return app


def build_for(base: str) -> SiteBuild:
    facts = SiteFacts(url=base + "/", unit="搜索测试局")
    return SiteBuild(facts=facts, pages=1, search_forms=[{"action": base + "/search", "field": "q"}],
                     articles=[Item(title=TITLE, url=base + "/art/1.html")])


def run_search(base: str, tmp_path, **over):
    opts = CrawlOptions.defaults(allow_addresses=allow_of(base), min_delay=0, **over)
    rs = load_ruleset("gb2019")
    with SyncFetchClient(opts) as client:
        return search_test(build_for(base), rs, seed=1, timeout=over.get("deadline", 3.0),
                           archive=SearchArchive(tmp_path, base), client=client)


CASES = [("endless", "body_too_large", 120), ("gzip_bomb", "decompressed_too_large", 150),
         ("brotli_bomb", "decompressed_too_large", 150), ("drip", "timeout", 60)]


@pytest.mark.parametrize("mode,kind,ceiling_mb", CASES, ids=[c[0] for c in CASES])
async def test_search_results_bomb_is_a_recorded_error(mode, kind, ceiling_mb, tmp_path):
    if mode == "brotli_bomb":
        brotli_bomb()  # made before the memory is measured: the server shares this process
    async with serve(results_app(mode)) as base:
        t0 = time.monotonic()
        with memory_ceiling(ceiling_mb) as peak:
            facts = await asyncio.to_thread(run_search, base, tmp_path)
        took = time.monotonic() - t0
    assert facts.present is True and facts.works is None and facts.tests == []
    assert len(facts.errors) == 1 and f"：{kind}:" in facts.errors[0], facts.errors
    assert took < 3.0 + 20, took  # the query's deadline (3 s) holds; nothing hangs (was 122 s for a drip)
    print(f"{mode}: {took:.1f} s, memory +{peak.growth_mb:.0f} MB")


async def test_search_results_archived_with_their_true_status(tmp_path):
    async with serve(results_app("not_found")) as base:
        facts = await asyncio.to_thread(run_search, base, tmp_path)
    assert facts.works is False
    warcs = list((tmp_path / "warc").glob("search-*.warc.gz"))
    assert len(warcs) == 1
    from warcio.archiveiterator import ArchiveIterator

    with warcs[0].open("rb") as f:
        lines = {r.rec_headers.get_header("WARC-Target-URI").split("/", 3)[3].split("?")[0]:
                 r.http_headers.statusline for r in ArchiveIterator(f) if r.rec_type == "response"}
    assert lines == {"search": "404 Not Found", "robots.txt": "404 Not Found"}  # the robots.txt consulted too


async def test_a_working_search_is_judged_and_cited(tmp_path):
    async with serve(results_app("ok")) as base:
        facts = await asyncio.to_thread(run_search, base, tmp_path)
    assert facts.works is True and [t.found for t in facts.tests] == [True]
    ref = facts.tests[0].ref
    headers, status, body = read_record(tmp_path, ref.warc, ref.offset)
    assert status == 200 and TITLE.encode() in body and ref.status == 200 and ref.sha256
