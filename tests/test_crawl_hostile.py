"""Hostile servers: each trick ends as a recorded fetch error, and the crawl still finishes."""
from __future__ import annotations

import asyncio
import gzip
import time

from aiohttp import web

from govcheck.collect.config import CrawlOptions
from govcheck.collect.query import fetches
from govcheck.collect.runner import crawl_sites
from govcheck.collect.store import make_engine
from govcheck.model import Site
from test_crawl_support import LOCAL, free_port, serve

MB = 1024 * 1024


def hostile_app(garbage_base: str) -> web.Application:
    app = web.Application()
    bomb = gzip.compress(b"\0" * (50 * MB), compresslevel=9)  # ~50 KB on the wire

    async def home(req):
        links = "".join(f'<a href="{p}">{p}</a>' for p in
                        ["/big.html", "/bomb.html", "/loop1", "/drip.html", "/fake.html", "/doc.pdf",
                         "/fine.html", "/random.html", "/badutf8.html", f"{garbage_base}/garbage.html"])
        return web.Response(text=f"<html><head><title>首页</title></head><body>{links}</body></html>",
                            content_type="text/html")

    async def big(req):
        resp = web.StreamResponse(headers={"Content-Type": "text/html"})
        resp.content_length = 50 * MB
        await resp.prepare(req)
        chunk = b"<p>" + b"x" * (MB - 3)
        try:
            for _ in range(50):
                await resp.write(chunk)
        except (ConnectionError, asyncio.CancelledError):
            pass
        return resp

    async def gzbomb(req):
        return web.Response(body=bomb, headers={"Content-Type": "text/html", "Content-Encoding": "gzip"})

    async def loop1(req):
        raise web.HTTPFound("/loop2")

    async def loop2(req):
        raise web.HTTPFound("/loop1")

    async def drip(req):
        resp = web.StreamResponse(headers={"Content-Type": "text/html"})
        resp.content_length = 1000
        await resp.prepare(req)
        try:
            for _ in range(1000):
                await resp.write(b"x")
                await asyncio.sleep(1)
        except (ConnectionError, asyncio.CancelledError):
            pass
        return resp

    async def fake(req):  # says HTML, is a PDF
        return web.Response(body=b"%PDF-1.4\n" + b"\x00\x01\x02" * 100, content_type="text/html")

    async def doc(req):  # says PDF, is an HTML error page
        return web.Response(body=b"<!DOCTYPE html><html><body>error</body></html>", content_type="application/pdf")

    async def random_bytes(req):  # says UTF-8 HTML, is noise
        import random

        return web.Response(body=random.Random(7).randbytes(20000), content_type="text/html", charset="utf-8")

    async def bad_utf8(req):  # real HTML with a few invalid bytes: decoded with replacement, not an error
        text = "咸宁市人民政府办公室关于印发政府网站检查工作方案的通知。" * 5
        body = f"<html><title>坏字节</title><body>{text}".encode() + b"\xff\xfe\x80" + "结束</body></html>".encode()
        return web.Response(body=body, content_type="text/html", charset="utf-8")

    async def fine(req):
        return web.Response(text="<html><title>正常</title></html>", content_type="text/html")

    for path, h in [("/", home), ("/big.html", big), ("/bomb.html", gzbomb), ("/loop1", loop1), ("/loop2", loop2),
                    ("/drip.html", drip), ("/fake.html", fake), ("/doc.pdf", doc), ("/fine.html", fine),
                    ("/random.html", random_bytes), ("/badutf8.html", bad_utf8)]:
        app.router.add_get(path, h)
    return app


async def _garbage_server():
    async def handle(reader, writer):
        try:
            await reader.read(1000)
            writer.write(b"\x00\xff\xfeNOT HTTP AT ALL\x01\x02\r\n\r\n\xff\xff")
            await writer.drain()
        finally:
            writer.close()

    port = free_port()
    server = await asyncio.start_server(handle, "127.0.0.1", port)
    return server, f"http://127.0.0.1:{port}"


async def test_hostile_servers_end_as_recorded_errors(tmp_path):
    gserver, gbase = await _garbage_server()
    try:
        async with serve(hostile_app(gbase)) as base:
            site = Site(region="x", unit="恶意测试", name="n", url=base + "/",
                        extra_hosts=[gbase.split("//")[1]])  # the roster declares the second host
            opts = CrawlOptions.defaults(allow_addresses=LOCAL, min_delay=0, retries=0, timeout=2.0, max_body_bytes=2 * MB,
                                         max_decoded_bytes=2 * MB, max_redirects=5, obey_robots=False)
            t0 = time.monotonic()
            res = (await crawl_sites([site], tmp_path, opts))[0]
            assert time.monotonic() - t0 < 30
    finally:
        gserver.close()
    assert res.status == "done", res.message
    engine = make_engine(f"sqlite:///{tmp_path}/round.sqlite")
    rows = {r["url"].split("/", 3)[3]: r for r in fetches(engine, res.site)}
    engine.dispose()

    def kind(name):
        err = rows[name]["error"]
        assert err, f"{name} has no error recorded"
        return err.split(":", 1)[0]

    assert kind("big.html") == "body_too_large"
    assert rows["big.html"]["wire_bytes"] <= 2 * MB
    from govcheck.collect.query import read_record

    headers, status, body = read_record(tmp_path, rows["big.html"]["warc"], rows["big.html"]["warc_offset"])
    assert headers["WARC-Truncated"] == "length" and status == 200 and len(body) == 2 * MB  # kept as evidence
    assert kind("bomb.html") == "decompressed_too_large"
    assert kind("loop1") == "redirect_loop"
    assert kind("drip.html") == "timeout"
    assert kind("fake.html") == "content_type_mismatch"
    assert kind("doc.pdf") == "content_type_mismatch"
    assert kind("garbage.html") in ("bad_response", "server_disconnected", "reset", "error")
    assert rows["fine.html"]["error"] is None and rows["fine.html"]["outcome"] == "ok"
    assert kind("random.html") == "content_type_mismatch"
    assert rows["badutf8.html"]["error"] is None and rows["badutf8.html"]["title"] == "坏字节"
    # every error is recorded as a fetch, none of them counts as ok
    for name in ("big.html", "bomb.html", "loop1", "drip.html", "fake.html", "doc.pdf", "garbage.html",
                 "random.html"):
        assert rows[name]["outcome"] != "ok"


async def test_site_that_is_down(tmp_path):
    """Connection refused on the home page: one suspected fetch recorded, the run carries on."""
    port = free_port()  # nothing listens here
    async with serve(hostile_app("http://127.0.0.1:1")) as other:
        sites = [Site(region="x", unit="宕机单位", name="n", url=f"http://127.0.0.1:{port}/"),
                 Site(region="x", unit="正常单位", name="m", url=other + "/fine.html")]
        opts = CrawlOptions.defaults(allow_addresses=LOCAL, min_delay=0, retries=1, backoff=0.01, timeout=2.0, obey_robots=False)
        down, up = await crawl_sites(sites, tmp_path, opts)
    assert down.status == "done" and down.suspected == 1 and down.pages == 0
    assert up.status == "done" and up.pages == 1
    engine = make_engine(f"sqlite:///{tmp_path}/round.sqlite")
    [row] = fetches(engine, sites[0].url)
    engine.dispose()
    assert row["error"].startswith("connect") and row["attempts"] == 2 and row["outcome"] == "suspected"
