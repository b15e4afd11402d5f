"""D28 with Debian's firefox-esr over WebDriver BiDi: text Chromium shows that Firefox does not becomes a
需人工核查 note (never a deduction); Firefox's requests are confined like Chromium's (off-site refused, the
page's own data fetched through the fetch layer)."""
from __future__ import annotations

import pytest
from aiohttp import web

from govcheck.browser.firefox import FirefoxBiDi, compat_note, firefox_path, hidden_in_firefox
from govcheck.browser.pool import BrowserPool, available, site_hosts
from govcheck.collect.config import CrawlOptions
from govcheck.collect.fetch import FetchClient
from test_crawl_support import serve

pytestmark = pytest.mark.skipif(not available() or firefox_path() is None,
                                reason="chromium / firefox-esr / playwright not installed")

SAME = ("<html><head><title>首页</title></head><body><h1>示范市人民政府</h1><ul id='l'></ul><script>"
        "fetch('/api/news').then(r=>r.json()).then(d=>{document.getElementById('l').innerHTML="
        "d.map(x=>'<li>'+x+'</li>').join('')});"
        "fetch('http://198.51.100.7/x').then(()=>{document.title='leaked'}).catch(()=>{});</script></body></html>")
SNIFF = ("<html><body><h1>示范市人民政府</h1><div id='n'><p>关于开展2026年度政务公开工作考核的通知</p>"
         "<p>市政府办公室关于印发工作要点的通知</p></div><script>if(navigator.userAgent.indexOf('Firefox')>=0)"
         "{document.getElementById('n').style.display='none'}</script></body></html>")


def app() -> web.Application:
    async def page(req):
        return web.Response(text=SAME if req.path == "/" else SNIFF, content_type="text/html")

    async def news(req):
        return web.json_response(["市长主持召开常务会议", "全市政务服务工作推进会召开"])

    a = web.Application()
    a.router.add_get("/", page)
    a.router.add_get("/sniff", page)
    a.router.add_get("/api/news", news)
    return a


async def test_firefox_differences_become_a_note_and_requests_stay_confined():
    async with serve(app()) as base:
        opts = CrawlOptions.defaults(allow_addresses=[base.split("//")[1]], min_delay=0, retries=0, timeout=3)
        async with FetchClient(opts) as client, BrowserPool(client, size=1) as pool, FirefoxBiDi(client) as ff:
            hosts = site_hosts(base + "/")
            out = {}
            for path in ("/", "/sniff"):
                c = await pool.render(base + path, hosts=hosts)
                f_text, err = await ff.visible_text(base + path, hosts, None, 60)
                assert err is None and c.ok
                out[path] = (c.text, f_text)
    chrome, fox = out["/"]
    assert "leaked" not in fox
    assert "全市政务服务工作推进会召开" in fox  # the list its script loads, fetched through the fetch layer
    assert hidden_in_firefox(chrome, fox) == [] and compat_note(base, [], 3) is None
    chrome, fox = out["/sniff"]
    hidden = hidden_in_firefox(chrome, fox)
    assert "关于开展2026年度政务公开工作考核的通知" in hidden and "示范市人民政府" not in hidden
    note = compat_note(base + "/sniff", hidden, 3)
    assert note and "Firefox" in note and "关于开展2026年度政务公开工作考核的通知"[:20] in note
