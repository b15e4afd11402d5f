"""Serves the replica accounts' timelines as RSS 2.0 / Atom feeds, the way an RSSHub instance would.

`make_feed_app(accounts_dir)` reads accounts.csv (数据来源 "{base_url}/feeds/<id>.xml") and posts.csv
(账号 = the feed id) and answers /feeds/<id>.xml; WeChat accounts come as RSS 2.0, the other platforms
as Atom, so both parsers paths are exercised.
"""
from __future__ import annotations

import asyncio
import re
import socket
import threading
from collections import defaultdict
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

from aiohttp import web

from govcheck.newmedia.roster import RosterError, _get, map_columns, read_accounts, read_table
from govcheck.newmedia.timeline import CHINA_TZ, parse_datetime

FEED_ID_RE = re.compile(r"/feeds/([^/]+)\.xml$")


def _load(accounts_dir: Path) -> tuple[dict[str, dict], dict[str, list[dict]]]:
    roster = read_accounts(accounts_dir / "accounts.csv")
    feeds: dict[str, dict] = {}
    for a in roster:
        m = FEED_ID_RE.search(a.source or "")
        if m:
            feeds[m.group(1)] = {"name": a.name, "type": a.type, "unit": a.unit, "account_id": a.account_id}
    posts: dict[str, list[dict]] = defaultdict(list)
    path = accounts_dir / "posts.csv"
    rows = read_table(path)
    hi, col = map_columns(rows, "posts", path)
    for ri in range(hi + 1, len(rows)):
        row = rows[ri]
        if not any(row):
            continue
        dt = parse_datetime(_get(row, col, "published"))
        if dt is None:
            raise RosterError(f"{path}: 第{ri + 1}行 发布时间无法识别")
        posts[_get(row, col, "account")].append({"published": dt, "title": _get(row, col, "title"),
                                                 "text": _get(row, col, "text"), "url": _get(row, col, "url")})
    for ps in posts.values():
        ps.sort(key=lambda p: p["published"], reverse=True)
    return feeds, posts


def render_rss(meta: dict, posts: list[dict], self_url: str) -> str:
    items = "".join(
        f"<item><title>{escape(p['title'])}</title><link>{escape(p['url'])}</link>"
        f"<guid isPermaLink=\"false\">{escape(p['url'])}</guid>"
        f"<pubDate>{format_datetime(p['published'])}</pubDate>"
        f"<description>{escape(p['text'])}</description></item>"
        for p in posts)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
            f"<title>{escape(meta['name'])}</title><link>{escape(self_url)}</link>"
            f"<description>{escape(meta['unit'])} {escape(meta['type'])}</description>{items}</channel></rss>")


def render_atom(meta: dict, posts: list[dict], self_url: str) -> str:
    updated = (posts[0]["published"] if posts else datetime(2000, 1, 1, tzinfo=CHINA_TZ)).isoformat()
    entries = "".join(
        f"<entry><title>{escape(p['title'])}</title><link href=\"{escape(p['url'])}\"/>"
        f"<id>{escape(p['url'])}</id><published>{p['published'].isoformat()}</published>"
        f"<updated>{p['published'].isoformat()}</updated><summary>{escape(p['text'])}</summary></entry>"
        for p in posts)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>{escape(meta['name'])}</title><id>{escape(self_url)}</id><updated>{updated}</updated>"
            f"<author><name>{escape(meta['unit'])}</name></author>{entries}</feed>")


def make_feed_app(accounts_dir: str | Path) -> web.Application:
    feeds, posts = _load(Path(accounts_dir))

    async def feed(request: web.Request) -> web.Response:
        fid = request.match_info["fid"]
        meta = feeds.get(fid)
        if meta is None:
            return web.Response(status=404, text="未找到该订阅源")
        url = str(request.url)
        if meta["type"].startswith("微信"):
            return web.Response(text=render_rss(meta, posts.get(fid, []), url), content_type="application/rss+xml")
        return web.Response(text=render_atom(meta, posts.get(fid, []), url), content_type="application/atom+xml")

    app = web.Application()
    app.router.add_get("/feeds/{fid}.xml", feed)
    return app


async def start_feed_server(accounts_dir: str | Path, host: str = "127.0.0.1", port: int = 0) -> tuple[web.AppRunner, str]:
    """Start in the running loop; returns (runner, base_url). Stop with `await runner.cleanup()`."""
    runner = web.AppRunner(make_feed_app(accounts_dir))
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    sock = site._server.sockets[0]  # the real port when port=0
    return runner, f"http://{host}:{sock.getsockname()[1]}"


class FeedServerThread:
    """The feed server in its own thread and loop, for synchronous callers (the demo, `load_timeline`)."""

    def __init__(self, accounts_dir: str | Path, host: str = "127.0.0.1"):
        self.accounts_dir, self.host = accounts_dir, host
        self.base_url = ""
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._runner: web.AppRunner | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._runner, self.base_url = self._loop.run_until_complete(start_feed_server(self.accounts_dir, self.host))
        except BaseException as e:  # reported to the starting thread
            self._error = e
            self._ready.set()
            return
        self._ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(self._runner.cleanup())
        self._loop.close()

    def __enter__(self) -> "FeedServerThread":
        self._thread.start()
        self._ready.wait()
        if self._error:
            raise self._error
        return self

    def __exit__(self, *exc) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
