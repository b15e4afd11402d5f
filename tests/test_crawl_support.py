"""Small local sites for the crawler tests (aiohttp on 127.0.0.1, free ports)."""
from __future__ import annotations

import socket
from contextlib import asynccontextmanager

from aiohttp import web


# The address policy refuses loopback and private addresses unless a round allows them; these tests serve
# their sites on 127.0.0.1 and say so, as a round allowing a replica would.
LOCAL = ["127.0.0.1"]


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


WAF_BODY = ("<html><head><title>网站防火墙</title></head><body>您的请求带有不合法参数，已被网站管理员设置拦截！"
            "<p>网站防火墙 安全狗</p></body></html>")


def page(title: str, body: str, charset: str = "utf-8") -> str:
    return (f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>{title}</title>'
            f'<link rel="stylesheet" href="/css/site.css"></head><body>'
            f'<div class="nav"><a href="/">首页</a> <a href="/col/1/">政务公开</a></div>{body}'
            f'<div class="footer">主办单位：测试</div></body></html>')


def make_site(external: str | None = None, n_articles: int = 12) -> web.Application:
    """A government-style site with every case the crawler must record."""
    app = web.Application()
    r = app.router

    async def home(req):
        links = "".join(f'<li><a href="/art/{i}.html">文章{i}</a></li>' for i in range(3))
        ext = (f'<a href="{external}/ok.html">外链</a><a href="{external}/gone.html">坏外链</a>'
               f'<a href="{external}/nohead.html">拒绝HEAD</a>' if external else "")
        body = (f'<ul>{links}</ul><a href="/missing.html">坏链</a><a href="/err500.html">500</a>'
                f'<a href="/waf.html">拦截</a><a href="/calendar?month=2022-05">日历</a>'
                f'<a href="/gbk.html">GBK</a><a href="/dyn.html">动态</a><a href="/dyn2.html">动态2</a>'
                f'<a href="/private/secret.html">私有</a><a href="/old">旧地址</a>'
                f'<a href="/files/report.pdf">年报</a><img src="/img/logo.png">'
                f'<a href="mailto:x@y.gov.cn">邮箱</a><a href="javascript:void(0)">js</a>{ext}')
        return web.Response(text=page("测试首页", body), content_type="text/html")

    async def col(req):
        links = "".join(f'<li><a href="/art/{i}.html">文章{i}</a><span>2022-05-{i % 28 + 1:02d}</span></li>'
                        for i in range(n_articles))
        return web.Response(text=page("政务公开", f"<ul>{links}</ul>"), content_type="text/html")

    async def art(req):
        i = int(req.match_info["i"])
        return web.Response(text=page(f"文章{i}", f'<p>正文{i}</p><a href="/art/{(i + 1) % n_articles}.html">下一篇</a>'),
                            content_type="text/html")

    async def missing(req):
        return web.Response(status=404, text="not found")

    async def err500(req):
        return web.Response(status=500, text="server error")

    async def waf(req):
        return web.Response(status=403, text=WAF_BODY, content_type="text/html")

    async def calendar(req):
        y, m = map(int, req.query.get("month", "2022-05").split("-"))
        ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
        py, pm = (y - 1, 12) if m == 1 else (y, m - 1)
        body = (f'<a href="/calendar?month={ny}-{nm:02d}">下月</a><a href="/calendar?month={py}-{pm:02d}">上月</a>')
        return web.Response(text=page("日历", body), content_type="text/html")

    async def gbk(req):
        html = page("GBK页面", '<a href="/art/1.html">链接</a><p>湖北省咸宁市</p>', charset="gbk")
        return web.Response(body=html.encode("gbk"), content_type="text/html", charset="gbk")

    async def dyn(req):
        body = ('<ul id="list"></ul><script>fetch(\'/api/list?col=12\').then(r=>r.json()).then(d=>{'
                'document.getElementById("list").innerHTML=d.data.map(x=>x.title).join("")})</script>')
        return web.Response(text=page("动态栏目", body), content_type="text/html")

    async def dyn2(req):
        body = '<ul id="list"></ul><script>var s=window.seed;document.getElementById("list").innerHTML=s;</script>'
        return web.Response(text=page("动态栏目2", body), content_type="text/html")

    async def api(req):
        return web.json_response({"total": 2, "data": [{"title": "接口文章", "url": "/art/api-1.html"},
                                                        {"title": "接口文章2", "url": "/art/api-2.html"}]})

    async def api_art(req):
        return web.Response(text=page("接口文章", "<p>接口</p>"), content_type="text/html")

    async def robots(req):
        return web.Response(text="User-agent: govcheck\nDisallow: /private/\n\nUser-agent: *\nDisallow:\n")

    async def old(req):
        raise web.HTTPMovedPermanently("/art/1.html")

    async def pdf(req):
        return web.Response(body=b"%PDF-1.4\n%test\n", content_type="application/pdf")

    async def png(req):
        return web.Response(body=b"\x89PNG\r\n\x1a\n0000", content_type="image/png")

    async def css(req):
        return web.Response(text="body{}", content_type="text/css")

    r.add_get("/", home)
    r.add_get("/col/1/", col)
    r.add_get(r"/art/{i:\d+}.html", art)
    r.add_get("/art/api-{j}.html", api_art)
    r.add_get("/missing.html", missing)
    r.add_get("/err500.html", err500)
    r.add_get("/waf.html", waf)
    r.add_get("/calendar", calendar)
    r.add_get("/gbk.html", gbk)
    r.add_get("/dyn.html", dyn)
    r.add_get("/dyn2.html", dyn2)
    r.add_get("/api/list", api)
    r.add_get("/robots.txt", robots)
    r.add_get("/old", old)
    r.add_get("/files/report.pdf", pdf)
    r.add_get("/img/logo.png", png)
    r.add_get("/css/site.css", css)
    return app


def make_external() -> web.Application:
    app = web.Application()

    async def ok(req):
        return web.Response(text="<html>ok</html>", content_type="text/html")

    async def head_refused(req):
        return web.Response(status=405) if req.method == "HEAD" else web.Response(text="ok")

    app.router.add_route("*", "/ok.html", ok)
    app.router.add_route("*", "/nohead.html", head_refused)
    return app


@asynccontextmanager
async def serve(app: web.Application, port: int | None = None):
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = port or free_port()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


def write_roster(path, rows: list[dict]) -> None:
    import csv

    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["区域", "单位名称", "网站名称", "首页网址", "网站类型", "对外服务", "网站标识码"])
        for r in rows:
            w.writerow([r.get("region", "测试市"), r["unit"], r.get("name", r["unit"]), r["url"],
                        r.get("kind", "部门"), "是", r.get("code", "")])
