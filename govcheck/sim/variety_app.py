"""HTTP handling of the variety styles: query-string routes, menu redirects, search forms with required hidden
fields, and the data script-filled lists load (JSON files/endpoints, Hanweb `dataproxy.jsp` record groups).

Registered with the replica server (server.STYLE_HOOKS) on import, so `RegionServer` serves variety sites
next to the replica's own without knowing them.
"""
from __future__ import annotations

import functools
import json
import time
from pathlib import Path
from collections import OrderedDict

from aiohttp import web

from . import server
from .scenario import Scenario, SimSite, derive_seed, load_data
from .server import CSS_STUB, JS_STUB, PNG_1X1, SiteApp
from .variety_render import VRENDERERS, VRenderer, cv, vrenderer_for

STATIC_TYPES = {".css": ("text/css", CSS_STUB), ".js": ("application/javascript", JS_STUB),
                ".png": ("image/png", PNG_1X1), ".jpg": ("image/jpeg", PNG_1X1), ".gif": ("image/gif", PNG_1X1),
                ".ico": ("image/x-icon", PNG_1X1)}


@functools.lru_cache(maxsize=1)
def _jquery_lite() -> bytes:
    return (Path(__file__).resolve().parent / "data" / "jquery-lite.js").read_bytes()


def assign_urls(site: SimSite) -> None:
    vrenderer_for(site, site.special.get("t0")).assign()
    site.special["roles"] = {}


class VarietySiteApp(SiteApp):
    """One variety site (its renderer decides URLs and markup; this class only routes)."""

    def __init__(self, site: SimSite, scenario: Scenario, cache_size: int = 256, role: str = "main"):
        self.site = site
        self.role = role
        self.bases = {}
        self.scenario = scenario
        self.r: VRenderer = vrenderer_for(site, scenario.time_point)
        self.cache: OrderedDict[str, bytes] = OrderedDict()
        self.cache_size = cache_size
        self.page_yaml = load_data("page.yaml")
        self.started = time.monotonic()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        query = {k: v for k, v in request.query.items()}
        target = self.r.resolve(path, query)
        if target is None:
            ext = path[path.rfind("."):].lower() if "." in path.rsplit("/", 1)[-1] else ""
            if ext in STATIC_TYPES and not path.startswith("/uploadfile/"):
                ctype, body = STATIC_TYPES[ext]
                if ext == ".js" and "jquery" in path.rsplit("/", 1)[-1].lower():
                    body = _jquery_lite()  # list scripts that really fill the list in a browser
                return web.Response(body=body, content_type=ctype)
            if path == "/fjdzapp/search":
                return await self.trs_api(request)
            if path == "/plus/count.php":  # DedeCMS's hit counter, written into the page by script
                return web.Response(text=f"document.write('{derive_seed(query.get('aid'), 'hits') % 900 + 10}');",
                                    content_type="application/javascript")
            return self.not_found()
        kind = target[0]
        if kind == "write":
            return await self.write(request)
        if request.method not in ("GET", "HEAD"):
            if kind == "dataproxy":
                return await self.dataproxy(request)
            return web.Response(status=405)
        if kind == "search":
            return self.search(query)
        if kind == "robots":
            return web.Response(text="User-agent: *\nDisallow:\n", content_type="text/plain")
        if kind == "error500":
            return web.Response(body=self.page_yaml["server_error"].encode("utf-8"), status=500,
                                headers={"Content-Type": "text/html; charset=utf-8", "Server": "nginx"})
        if kind == "json":
            col, page = target[1], target[2]
            return web.Response(text=json.dumps(self.r.json_data(col, page), ensure_ascii=False),
                                content_type="application/json")
        if kind == "dataproxy":
            return await self.dataproxy(request)
        if kind == "column" and target[1].ctype == "nav" and cv(target[1]).get("menu") == "redirect" and target[1].children:
            raise web.HTTPFound(target[1].children[0].url)  # TRS `redirect_firstChannel`: the menu opens its first child
        key = f"{kind}:{getattr(target[1], 'id', '')}:{target[2] if len(target) > 2 else ''}" if len(target) > 1 else kind
        if key in self.cache:
            return self.html_bytes(self.cache[key])
        out = self.r.render(target, query)
        if out is None:
            return self.not_found()
        status, text = out
        return self.html(text, status=status, key=key)

    def search(self, query: dict[str, str]) -> web.Response:
        broken = self.site.special.get("search_broken")
        if broken == "missing":
            return self.not_found()
        if broken == "error":
            return web.Response(body=self.page_yaml["server_error"].encode("utf-8"), status=500,
                                headers={"Content-Type": "text/html; charset=utf-8", "Server": "nginx"})
        param = (self.site.special.get("v") or {}).get("search_param", "q")
        ok = True
        if (self.site.special.get("v") or {}).get("search_hidden"):
            # the form's hidden fields (module, site id) are part of the query the search program expects
            ok = ("ModuleName" in query) if self.site.style == "powereasy" else ("webid" in query)
        return self.html(self.r.render_search(query.get(param, ""), ok=ok))

    async def write(self, request: web.Request) -> web.Response:
        mode = self.site.special.get("channel_broken")
        if mode == "missing":
            return self.not_found()
        if mode == "error":
            return web.Response(body=self.page_yaml["server_error"].encode("utf-8"), status=500,
                                headers={"Content-Type": "text/html; charset=utf-8", "Server": "nginx"})
        if request.method == "POST":
            if mode == "closed":
                return web.Response(status=405)
            form = await request.post()
            if not (str(form.get("f0", "")).strip() and str(form.get("f1", "")).strip()):
                return self.html(self.r.render_write("请填写标题和内容。"), status=400)
            code = derive_seed(self.site.key, form.get("f0"), form.get("f1")) % 10**8
            return self.html(self.r.render_write(f"提交成功！您的留言已转交{self.site.unit}办理，查询码：{code:08d}。"))
        return self.html(self.r.render_write())

    async def dataproxy(self, request: web.Request) -> web.Response:
        """Hanweb `dataproxy.jsp`: the next group of records of a column's list."""
        q = dict(request.query)
        if request.method == "POST":
            q.update({k: str(v) for k, v in (await request.post()).items()})
        try:
            col = self.site.cols_by_id[int(q["columnid"])]
            start, end = int(q.get("startrecord", "1")), int(q.get("endrecord", str(col.page_size * 3)))
        except (KeyError, ValueError):
            return self.not_found()
        body = self.r.datastore_records(col, start, end)
        return web.Response(text=f'<?xml version="1.0" encoding="UTF-8"?>\n{body}', content_type="text/xml")

    async def trs_api(self, request: web.Request) -> web.Response:
        """The TRS search API the avalon lists call with parameters their script builds (POST only)."""
        if request.method != "POST":
            return web.Response(status=405)
        form = await request.post()
        sql = str(form.get("classsql", ""))
        try:
            col = self.site.cols_by_id[int(sql.split("=", 1)[1])]
            page = int(str(form.get("page", "1")))
        except (IndexError, KeyError, ValueError):
            return web.json_response({"code": 1, "msg": "参数错误"})
        data = self.r.json_data(col, page)
        return web.Response(text=json.dumps({"code": 0, "data": data}, ensure_ascii=False), content_type="application/json")


server.STYLE_HOOKS.update({style: (assign_urls, VarietySiteApp) for style in VRENDERERS})
