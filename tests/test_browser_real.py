"""A real script-filled list page (a 政务公开 platform's list, saved without its scripts and data): rendered
offline, its list stays empty — and that must never read as a blank column. The rendered DOM goes through the
same extraction, and the page keeps its 'drawn by script' reading (a person decides), not 'blank'."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from aiohttp import web

from govcheck.browser.pool import BrowserPool, available
from govcheck.checks.facts import EvidenceRef
from govcheck.collect.config import CrawlOptions
from govcheck.collect.fetch import FetchClient
from govcheck.inspect.adapter import PageRec, extract_one
from govcheck.inspect.rendered import apply_rendered, wants_render
from test_crawl_support import serve

SHARED = Path(os.environ.get("GOVCHECK_SHARED", Path(__file__).resolve().parents[2] / "shared"))
PAGE = SHARED / "corpus/real/pingtan-gov-zwgk-archive/pingtan/zwgk/zfxxgk/gwhwj/hzgfxwj/_lists/index.html"
PATH = "/zwgk/zfxxgk/gwhwj/hzgfxwj/"
AT = dt.date(2024, 6, 1)

pytestmark = [pytest.mark.skipif(not available(), reason="Debian chromium / playwright not installed"),
              pytest.mark.skipif(not PAGE.exists(), reason="real corpus not present")]


async def test_real_script_list_rendered_without_its_data_is_not_blank(tmp_path):
    body = PAGE.read_bytes()

    async def handler(req):
        if req.path == PATH:
            return web.Response(body=body, content_type="text/html")
        return web.Response(status=404, text="not here")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    async with serve(app) as base:
        url = base + PATH
        d, _, _ = extract_one(body, url, "text/html", AT)
        assert wants_render(d) and d["dynamic_list"] and not d["items"]
        opts = CrawlOptions.defaults(allow_addresses=[base.split("//")[1]], min_delay=0, retries=0, timeout=3)
        async with FetchClient(opts) as client, BrowserPool(client, size=1, page_timeout=15) as pool:
            res = await pool.render(url, document=(body, "text/html; charset=utf-8"), screenshot=True)
    assert res.ok, res.error
    assert "平潭" in res.html and res.png.startswith(b"\x89PNG")
    (tmp_path / "r.html").write_text(res.html, encoding="utf-8")
    rec = PageRec(url=url, ref=EvidenceRef(url=url), depth=1, d=dict(d))
    apply_rendered([rec], {url: {"html": str(tmp_path / "r.html"), "ref": {"url": url}}}, AT)
    assert not rec.d.get("blank") and rec.d.get("dynamic_list") and not rec.d.get("items")
