"""A browser's requests routed through the fetch layer (the API the browser pass uses): the page renders from
fetch-layer responses, and a script's request to the cloud metadata address is refused, never sent."""
from __future__ import annotations

import shutil

import pytest
from aiohttp import web

from govcheck.collect.browser import BrowserRouter
from govcheck.collect.config import CrawlOptions
from govcheck.collect.fetch import FetchClient, error_kind
from test_crawl_support import serve

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def app() -> web.Application:
    async def home(req):
        html = ("<html><head><title>动态</title></head><body><ul id='list'></ul><script>"
                "fetch('/api/list').then(r=>r.json()).then(d=>{document.getElementById('list').innerHTML="
                "d.items.map(x=>'<li>'+x+'</li>').join('')});"
                "fetch('http://169.254.169.254/latest/meta-data/').catch(()=>{document.title='refused'});"
                "</script></body></html>")
        return web.Response(text=html, content_type="text/html")

    async def api(req):
        return web.json_response({"items": ["关于印发工作要点的通知", "政务公开"]})

    a = web.Application()
    a.router.add_get("/", home)
    a.router.add_get("/api/list", api)
    return a


@pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium not installed (scripts/install-system-deps.sh)")
async def test_browser_requests_go_through_the_fetch_layer():
    pw = pytest.importorskip("playwright.async_api")
    async with serve(app()) as base:
        opts = CrawlOptions.defaults(allow_addresses=[base.split("//")[1]], min_delay=0, retries=0, timeout=3)
        async with FetchClient(opts) as client, pw.async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            try:
                page = await browser.new_page()
                router = BrowserRouter(client)
                await page.route("**/*", router.handle)
                await page.goto(base + "/")
                await page.wait_for_function("document.querySelectorAll('#list li').length == 2 && "
                                             "document.title == 'refused'", timeout=15000)
                items = await page.eval_on_selector_all("#list li", "els => els.map(e => e.textContent)")
            finally:
                await browser.close()
    assert items == ["关于印发工作要点的通知", "政务公开"]
    by_url = {r.url: r for r in router.results}
    assert by_url[base + "/api/list"].status == 200 and by_url[base + "/api/list"].purpose == "browser"
    meta = by_url["http://169.254.169.254/latest/meta-data/"]
    assert error_kind(meta.error) == "address_refused" and meta.status is None
