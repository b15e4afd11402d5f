"""Hostile pages in the browser pool: each is a recorded failure within its time limit, and the pool still
renders an honest page afterwards (a round goes on). Real Chromium, real HTTP over 127.0.0.1."""
from __future__ import annotations

import asyncio
import time

import pytest
from aiohttp import web

from govcheck.browser import pool as bp
from govcheck.collect.config import CrawlOptions
from govcheck.collect.fetch import FetchClient
from test_crawl_support import serve

pytestmark = pytest.mark.skipif(not bp.available(), reason="Debian chromium / playwright not installed "
                                                           "(scripts/install-system-deps.sh)")

PAGES = {
    "/loop": "<html><body><p>loop</p><script>while(true){}</script></body></html>",
    "/alerts": "<html><body><script>for(;;){alert('x')}</script></body></html>",
    "/alloc": ("<html><body><script>var a=[];for(var i=0;i<1024;i++){var b=new Array(1024*1024/8);"
               "for(var j=0;j<b.length;j++){b[j]=j+i*0.5};a.push(b)}</script></body></html>"),
    "/buffer": ("<html><body><script>var u=new Uint8Array(1024*1024*1024);"
                "for(var i=0;i<u.length;i+=4096){u[i]=1};</script></body></html>"),
    "/away": "<html><body><script>location.href='/elsewhere'</script></body></html>",
    "/offsite": "<html><body><script>location.href='http://198.51.100.7/'</script></body></html>",
    "/popups": "<html><body><script>for(var i=0;i<50;i++){window.open('/ok?'+i)}</script></body></html>",
    "/download": "<html><body>x</body></html>",
    "/ok": "<html><head><title>好</title></head><body><ul id='l'></ul><script>"
           "document.getElementById('l').innerHTML='<li>关于印发工作要点的通知 2026-11-30</li>'</script></body></html>",
    "/elsewhere": "<html><body>elsewhere</body></html>",
}

# a JS heap filled up to its limit is slow to die (the collector thrashes first): it may end as a timeout
EXPECT = {"/loop": {"timeout"}, "/alerts": {"dialog_flood"}, "/alloc": {"crash", "memory", "timeout"},
          "/buffer": {"crash", "memory"}, "/away": {"navigated_away"}, "/offsite": {"navigated_away"},
          "/popups": {"popup_flood"}}


def app() -> web.Application:
    async def page(req):
        return web.Response(text=PAGES[req.path], content_type="text/html")

    async def download(req):
        return web.Response(body=b"MZ" + b"\0" * 1000, content_type="application/octet-stream",
                            headers={"Content-Disposition": "attachment; filename=x.exe"})

    a = web.Application()
    for p in PAGES:
        a.router.add_get(p, page)
    a.router.add_get("/file.exe", download)
    return a


async def test_hostile_pages_are_recorded_failures_and_the_pool_goes_on():
    limit = 6.0
    async with serve(app()) as base:
        opts = CrawlOptions.defaults(allow_addresses=[base.split("//")[1]], min_delay=0, retries=0, timeout=3)
        async with FetchClient(opts) as client, bp.BrowserPool(client, size=2, page_timeout=limit,
                                                                memory_mb=512) as pool:
            t0 = time.monotonic()
            results = await asyncio.gather(*(pool.render(base + p, screenshot=True) for p in EXPECT))
            total = time.monotonic() - t0
            good = await pool.render(base + "/ok", screenshot=True)
            dl = await pool.render(base + "/file.exe")
            peak = pool.peak_rss
    for p, r in zip(EXPECT, results):
        assert r.error_kind in EXPECT[p], (p, r.error_kind, r.error)
        assert r.error, p  # a readable reason is recorded
        assert r.elapsed < limit + 3, (p, r.elapsed)  # decided within its time limit
    # two at a time: seven hostile pages end well before seven full limits would
    assert total < len(EXPECT) * (limit + 8)
    away = dict(zip(EXPECT, results))
    assert any(u.endswith("/elsewhere") for u in away["/away"].blocked)  # the navigation was refused
    assert any("198.51.100.7" in u for u in away["/offsite"].blocked)
    assert away["/popups"].popups > 5
    assert good.ok and "关于印发工作要点的通知" in good.html and good.png.startswith(b"\x89PNG")
    assert not dl.ok or not dl.html or "MZ" not in dl.html  # a download is never saved nor read as a page
    assert peak > 0
