"""The replica region's HTTP server: every site of a scenario on its own 127.0.0.1 port.

Pages are rendered on request from the scenario model (nothing is written to disk), so a region of
tens of thousands of pages starts in about a second. Hazards a crawler must survive (WAF blocks, 5xx,
hanging responses, slow pages, an endless calendar) are served where the scenario plants them.
"""
from __future__ import annotations

import asyncio
import csv
import datetime as dt
import json
import logging
import re
import socket
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any

from aiohttp import web

from .render import Renderer, assign_urls, renderer_for
from .scenario import STYLES, Scenario, SimSite, derive_seed, load_data, load_scenario

log = logging.getLogger(__name__)

ROSTER_HEADERS = ["区域", "单位名称", "网站名称", "首页网址", "网站类型", "对外服务", "网站标识码"]
EXTRA_HOSTS_HEADER = "其他域名"  # optional roster column: hosts in scope besides the home page's

# A 1x1 transparent PNG and a minimal PDF: enough for link checks and content-type sniffing.
PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
PDF_STUB = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\n"
            b"trailer<</Root 1 0 R>>\n%%EOF\n")
CSS_STUB = b"body{margin:0;font:14px/1.8 'Microsoft YaHei',SimSun,sans-serif}.w1200{width:1200px;margin:0 auto}\n"
JS_STUB = b"/* replica */\nfunction createPageHTML(n, cur, name, ext) {}\n"
ATTACH_TYPES = {"pdf": "application/pdf", "doc": "application/msword",
                "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def compress(body: bytes, encoding: str) -> bytes:
    if encoding == "br":
        import brotli

        return brotli.compress(body)
    if encoding == "zstd":
        try:
            from compression import zstd  # type: ignore
        except ImportError:
            from backports import zstd  # type: ignore
        return zstd.compress(body)
    if encoding == "gzip":
        import gzip

        return gzip.compress(body)
    return body


HREF_RE = re.compile(r'(href|src|action)="(/[^"]*)"')

# Page styles served by other modules: style -> (assign_urls(site), SiteApp subclass). The modules named in
# STYLE_PLUGINS register their styles here when imported (govcheck.sim.variety_app builds on this module, so
# it is loaded by name, not imported: the package stays free of import cycles); the replica's own styles are
# not listed.
STYLE_HOOKS: dict[str, tuple[Any, type]] = {}
STYLE_PLUGINS = ("govcheck.sim.variety_app",)


def style_hooks(style: str) -> tuple[Any, type] | None:
    if style not in STYLE_HOOKS and style not in STYLES:
        import importlib

        for name in STYLE_PLUGINS:
            importlib.import_module(name)
    return STYLE_HOOKS.get(style)


class SiteApp:
    """One site's request handling (`role` "platform" serves the subtree a site moves to a second host)."""

    def __init__(self, site: SimSite, scenario: Scenario, cache_size: int = 512, role: str = "main"):
        self.site = site
        self.role = role
        self.bases: dict[str, str] = {}  # role -> base URL, set when the site's hosts are listening
        self.scenario = scenario
        self.r: Renderer = renderer_for(site, scenario.time_point)
        self.cache: OrderedDict[str, bytes] = OrderedDict()
        self.cache_size = cache_size
        self.page_yaml = load_data("page.yaml")
        self.started = time.monotonic()  # outage windows are counted from here

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.handle)
        return app

    def encode(self, text: str) -> bytes:
        roles = self.site.special.get("roles")
        if roles:
            text = self.cross_host(text, roles)
        return text.encode(self.site.encoding, errors="xmlcharrefreplace")

    def cross_host(self, text: str, roles: dict[str, str]) -> str:
        """Links to pages the other host serves become absolute URLs on that host."""
        def sub(m: re.Match) -> str:
            path = m.group(2).split("?", 1)[0]
            role = roles.get(path, "main" if path in self.site.routes else self.role)
            if role == self.role or role not in self.bases:
                return m.group(0)
            return f'{m.group(1)}="{self.bases[role]}{m.group(2)}"'
        return HREF_RE.sub(sub, text)

    def html(self, text: str, status: int = 200, key: str | None = None) -> web.Response:
        body = self.encode(text)
        if key is not None:
            self.cache[key] = body
            if len(self.cache) > self.cache_size:
                self.cache.popitem(last=False)
        return self.html_bytes(body, status)

    def html_bytes(self, body: bytes, status: int = 200) -> web.Response:
        ctype = "text/html"
        if self.site.header_charset:
            ctype += f"; charset={self.site.meta_charset}"
        headers = {"Content-Type": ctype, "Server": "nginx"}
        enc = self.site.special.get("content_encoding")
        if enc and enc != "identity":
            body = compress(body, enc)
            headers["Content-Encoding"] = enc
        return web.Response(body=body, status=status, headers=headers)

    def waf_hit(self, request: web.Request) -> bool:
        waf = self.site.special.get("waf")
        if not waf:
            return False
        path = request.path
        if any(path.startswith(p) for p in waf["paths"]):
            return True
        qs = request.query_string.lower()
        return any(q.lower() in qs for q in waf["query"])

    def waf_response(self, request: web.Request) -> web.Response:
        w = self.page_yaml["waf"]
        ref = derive_seed(self.site.key, request.path_qs) % 10**12
        return web.Response(body=w["body"].format(ref=ref).encode("utf-8"), status=int(w["status"]),
                            headers={"Content-Type": "text/html; charset=utf-8", "Server": w["server"],
                                     "X-Safedog-Flow-Item": "403"})

    def not_found(self) -> web.Response:
        return web.Response(body=self.page_yaml["not_found"].encode("utf-8"), status=404,
                            headers={"Content-Type": "text/html; charset=utf-8", "Server": "nginx"})

    def down_now(self) -> bool:
        o = self.site.special.get("outage")
        if not o:
            return False
        return (time.monotonic() - self.started) % o["period"] < o["down"]

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if self.down_now():
            o = self.site.special["outage"]
            if o["mode"] == "hang":
                await asyncio.sleep(o["hang"])
            return web.Response(status=503, text="Service Unavailable")
        if self.waf_hit(request):
            return self.waf_response(request)
        path = request.path
        target = self.site.routes.get(path)
        if target is not None and target[0] == "write" and self.site.special.get("channel_broken"):
            if self.site.special["channel_broken"] == "missing":  # the entry points at a page taken down
                return self.not_found()
            if self.site.special["channel_broken"] == "error":  # the letter system behind the form is down
                return web.Response(body=self.page_yaml["server_error"].encode("utf-8"), status=500,
                                    headers={"Content-Type": "text/html; charset=utf-8", "Server": "nginx"})
            if request.method == "POST":
                return web.Response(status=405)
        if request.method == "POST" and target is not None and target[0] == "write":
            return await self.submit(request)
        if request.method not in ("GET", "HEAD"):
            return web.Response(status=405)
        if target is None:
            return self.static(path, request)
        roles = self.site.special.get("roles")
        if roles:
            role = roles.get(path, "main")
            if self.role == "platform" and path == "/":
                top = next(c for c in self.site.columns if c.name == self.site.special["platform_column"])
                raise web.HTTPFound(top.url)
            if role != self.role and target[0] not in ("robots", "search", "write"):
                return self.not_found()
        kind = target[0]
        if kind == "column":
            col = target[1]
            page = target[2]
            if self.site.style == "hanweb" and "pageNum" in request.query:
                try:
                    page = int(request.query["pageNum"])
                except ValueError:
                    return self.not_found()
            if page < 1 or page > col.pages():
                return self.not_found()
            key = f"col:{col.id}:{page}"
            if key in self.cache:
                return self.html_bytes(self.cache[key])
            return self.html(self.r.render_column(col, page), key=key)
        if kind == "item":
            key = f"item:{target[1].id}"
            if key in self.cache:
                return self.html_bytes(self.cache[key])
            return self.html(self.r.render_item(target[1]), key=key)
        if kind == "home":
            return self.html(self.r.render_home(), key="home")
        if kind == "sitemap":
            return self.html(self.r.render_sitemap())
        if kind == "contact":
            return self.html(self.r.render_contact())
        if kind == "robots":
            robots = self.site.special.get("robots") or "User-agent: *\nDisallow:\n"
            return web.Response(text=robots, content_type="text/plain")
        if kind == "attachment":
            it = target[1]
            return web.Response(body=PDF_STUB, content_type=ATTACH_TYPES.get(it.extra["attachment"], "application/octet-stream"))
        if kind == "error500":
            return web.Response(body=self.page_yaml["server_error"].encode("utf-8"), status=500,
                                headers={"Content-Type": "text/html; charset=utf-8"})
        if kind == "timeout":
            await asyncio.sleep(target[1])
            return web.Response(status=504, text="Gateway Timeout")
        if kind == "slow":
            await asyncio.sleep(target[1])
            return self.html(self.r.render_slow())
        if kind == "search":
            broken = self.site.special.get("search_broken")
            if broken == "missing":  # the site offers no search at all
                return self.not_found()
            if broken == "error":  # the search backend is down: every query ends in a server error
                return web.Response(body=self.page_yaml["server_error"].encode("utf-8"), status=500,
                                    headers={"Content-Type": "text/html; charset=utf-8", "Server": "nginx"})
            return self.html(self.r.render_search(request.query.get("q", "")))
        if kind == "write":
            return self.html(self.r.render_write())
        if kind == "trap":
            return self.html(self.r.render_trap({k: v for k, v in request.query.items()}))
        return self.not_found()

    async def submit(self, request: web.Request) -> web.Response:
        """The online consultation channel accepts a letter (nothing is stored)."""
        form = await request.post()
        labels = self.page_yaml["labels"]
        if not (str(form.get("f0", "")).strip() and str(form.get("f1", "")).strip()):
            return self.html(self.r.render_write(labels["write_missing"]), status=400)
        code = derive_seed(self.site.key, form.get("f0"), form.get("f1")) % 10**8
        return self.html(self.r.render_write(labels["write_ok"].format(unit=self.site.unit, code=f"{code:08d}")))

    def static(self, path: str, request: web.Request) -> web.StreamResponse:
        if path.startswith("/images/"):
            return web.Response(body=PNG_1X1, content_type="image/png")
        if path.startswith("/css/"):
            return web.Response(body=CSS_STUB, content_type="text/css")
        if path.startswith("/js/"):
            return web.Response(body=JS_STUB, content_type="application/javascript")
        if path.startswith("/api/column/"):
            return self.api(path, request)
        return self.not_found()

    def api(self, path: str, request: web.Request) -> web.Response:
        """The JSON behind a column that the page renders with JavaScript."""
        parts = path.strip("/").split("/")
        try:
            col = self.site.cols_by_id[int(parts[2])]
            page = int(request.query.get("page", "1"))
            size = int(request.query.get("size", str(col.page_size)))
        except (IndexError, KeyError, ValueError):
            return self.not_found()
        if col.render != "json_api" or size < 1:
            return self.not_found()
        items = col.items[(page - 1) * size: page * size]
        data = {"total": len(col.items), "page": page, "pageCount": max(1, -(-len(col.items) // size)),
                "data": [{"title": it.title, "url": it.url, "date": it.date.isoformat()} for it in items]}
        return web.Response(text=json.dumps(data, ensure_ascii=False), content_type="application/json")


class RegionServer:
    """Serve every site of a scenario on its own port; `sites` lists them once started."""

    def __init__(self, scenario: Scenario | str | Path, host: str = "127.0.0.1", ports: dict[str, int] | None = None,
                 feeds: bool = True, base_port: int | None = None):
        self.scenario = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        self.host = host
        self.ports = dict(ports or {})
        if base_port:  # stable ports for demos: sites in file order from base_port, the feed server after them
            for i, st in enumerate(self.scenario.sites):
                self.ports.setdefault(st.key, base_port + i)
            self.ports.setdefault("__feeds__", base_port + len(self.scenario.sites))
        self.feeds = feeds
        self.feeds_url: str | None = None
        self._runners: list[web.AppRunner] = []
        self.listening: list[int] = []  # every port this region serves on
        self.ca = None  # the region's CA when it serves HTTPS sites (sim.tls.RegionCA)
        self._ca_dir: str | None = None
        self.sites: list[dict[str, Any]] = []
        self.apps: dict[str, SiteApp] = {}

    @property
    def allow(self) -> list[str]:
        """The address allow-list a round needs to inspect this region (its own host:port pairs only;
        the fetch layer refuses loopback addresses otherwise)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return [f"{host}:{p}" for p in self.listening]

    @property
    def time_point(self) -> dt.date:
        return self.scenario.time_point

    async def _serve(self, app: web.Application, port: int = 0, ssl_context=None) -> int:
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.2)
        await runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, port))
        site = web.SockSite(runner, sock, ssl_context=ssl_context)
        await site.start()
        self._runners.append(runner)
        port = sock.getsockname()[1]
        self.listening.append(port)
        return port

    async def start(self) -> None:
        for s in self.scenario.sites:
            hooks = style_hooks(s.style)
            (hooks[0] if hooks else assign_urls)(s)
            sa = (hooks[1] if hooks else SiteApp)(s, self.scenario)
            tls = s.special.get("tls")
            ctx = self.ca_for().server_context(s.key, tls, self.host) if tls else None
            port = await self._serve(sa.app(), int(self.ports.get(s.key, 0)), ssl_context=ctx)
            scheme = "https" if tls else "http"
            s.url = f"{scheme}://{self.host}:{port}/"
            sa.bases["main"] = f"{scheme}://{self.host}:{port}"
            self.apps[s.key] = sa
            extra = []
            if s.special.get("platform_column"):
                pa = SiteApp(s, self.scenario, role="platform")
                pport = await self._serve(pa.app(), int(self.ports.get(s.key + "/platform", 0)))
                sa.bases["platform"] = pa.bases["platform"] = f"http://{self.host}:{pport}"
                pa.bases["main"] = sa.bases["main"]
                self.apps[s.key + "/platform"] = pa
                extra.append(f"{self.host}:{pport}")
            self.sites.append({**s.roster_row(), "key": s.key, "pages": s.page_count(), "extra_hosts": extra})
        if self.feeds and self.scenario.accounts_dir is not None:
            try:
                from govcheck.newmedia.feedserver import make_feed_app  # owned by the new-media stage
            except ImportError:
                make_feed_app = None
            if make_feed_app is not None:
                try:
                    port = await self._serve(make_feed_app(self.scenario.accounts_dir), int(self.ports.get("__feeds__", 0)))
                    self.feeds_url = f"http://{self.host}:{port}"
                except Exception as e:  # a broken accounts folder must not take the websites down
                    log.warning("新媒体订阅源未启动：%s", e)

    async def stop(self) -> None:
        for r in self._runners:
            await r.cleanup()
        self._runners.clear()
        if self._ca_dir is not None:
            import shutil

            shutil.rmtree(self._ca_dir, ignore_errors=True)
            self._ca_dir = None

    def ca_for(self):
        """The region's own CA (made on first use: only a region with an HTTPS site has one)."""
        if self.ca is None:
            import tempfile

            from .tls import RegionCA

            self._ca_dir = tempfile.mkdtemp(prefix="govcheck-replica-ca-")
            self.ca = RegionCA(Path(self._ca_dir))
        return self.ca

    @property
    def ca_bundle(self) -> str | None:
        """The CA certificate (PEM) a round trusts to verify this region's HTTPS sites (None: no HTTPS)."""
        return str(self.ca.bundle) if self.ca is not None else None

    def site(self, key_or_unit: str) -> dict[str, Any]:
        for s in self.sites:
            if key_or_unit in (s["key"], s["unit"], s["name"]):
                return s
        raise KeyError(key_or_unit)

    def write_accounts(self, path: str | Path) -> Path | None:
        """The scenario's accounts roster with 数据来源 pointing at the running feed server ({base_url} filled)."""
        if not self.feeds_url or self.scenario.accounts_dir is None:
            return None
        src = self.scenario.accounts_dir / "accounts.csv"
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = src.read_text(encoding="utf-8-sig").replace("{base_url}", self.feeds_url)
        path.write_text(text, encoding="utf-8-sig")
        return path

    def write_roster(self, path: str | Path) -> Path:
        """The sites roster (contract headers), UTF-8 with BOM so Excel opens it."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        extra = any(s["extra_hosts"] for s in self.sites)  # the optional 其他域名 column only when needed
        with open(path, "w", encoding="utf-8-sig", newline="") as f:
            w = csv.writer(f)
            w.writerow(ROSTER_HEADERS + ([EXTRA_HOSTS_HEADER] if extra else []))
            for s in self.sites:
                row = [s["region"], s["unit"], s["name"], s["url"], s["kind"], "是" if s["public_service"] else "否",
                       s["site_id_code"]]
                w.writerow(row + (["；".join(s["extra_hosts"])] if extra else []))
        return path
