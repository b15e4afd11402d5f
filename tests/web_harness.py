"""Shared by tests/test_web_*.py: a real round to serve, the console on a real port, logged-in clients.

The round is a real `govcheck inspect` of three replica units (xianning-2022q2, with new media) plus one
*hostile* site we serve ourselves: its home page carries scripts, handlers, a meta refresh, prefetch links,
frames and links that all point at beacon URLs on the same server, which counts every request it gets. The
crawler archives that page like any other; the viewer must show it without any of it running or reaching out.
"""
from __future__ import annotations

import csv
import re
import shutil
import socket
import struct
import threading
import time
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import httpx

ROUND_TOML = Path(__file__).resolve().parent.parent / "govcheck" / "demo" / "xianning-2022q2" / "round.toml"
UNITS = ["市科技局", "市国资委", "市民政局"]
HOSTILE_UNIT = "市测试局"
PASSWORD = "Test-pass-2022"
USERS = {  # username -> (role, unit)
    "admin": ("admin", None),
    "inspector": ("inspector", None),
    "keji": ("unit", "市科技局"),
    "guozi": ("unit", "市国资委"),
}

HOSTILE_HOME = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>市测试局</title>
<meta http-equiv="refresh" content="2;url=/beacon-refresh">
<link rel="prefetch" href="/beacon-prefetch"><link rel="dns-prefetch" href="//beacon.invalid">
<link rel="stylesheet" href="/beacon-css">
<style>body{{background:url(/beacon-bg)}}</style>
<script>document.title='PWNED';document.documentElement.setAttribute('data-pwned','1');
fetch('/beacon-fetch');new Image().src='/beacon-img-js';</script>
<script src="/beacon-script.js"></script>
</head><body onload="document.body.setAttribute('data-pwned-onload','1')">
<div class="header">市测试局</div>
<img src="/beacon-img" onerror="document.body.setAttribute('data-pwned-onerror','1')">
<iframe src="/beacon-frame"></iframe><object data="/beacon-object"></object>
<svg><script>document.body.setAttribute('data-pwned-svg','1')</script></svg>
<ul class="list"><li><a href="/beacon-link">工作动态 2022-04-01</a></li>
<li><a href="http://example.invalid/x" target="_blank">外部链接</a></li></ul>
<form action="/beacon-form" method="post"><textarea name="t"></textarea><button>提交</button></form>
<p>版权所有：市测试局</p>
</body></html>
"""


class BeaconSite:
    """A hostile site on 127.0.0.1 that counts every request (path) it is sent."""

    def __init__(self):
        self.hits: list[str] = []
        self.fixed: set[str] = set()  # paths that answer 200 (a unit "fixing" a dead link before a re-check)
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                site.hits.append(self.path)
                if self.path in ("/", "/index.html") or self.path in site.fixed:
                    body = (HOSTILE_HOME if self.path not in site.fixed else
                            "<!DOCTYPE html><html><head><meta charset=utf-8><title>已修复</title></head>"
                            "<body><p>页面已恢复</p></body></html>").encode("utf-8")
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                else:
                    body = b"not here"
                    self.send_response(404)
                    self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET  # noqa: N815
            do_HEAD = do_GET  # noqa: N815

            def log_message(self, *a):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def beacons(self) -> list[str]:
        return [h for h in self.hits if "beacon" in h]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def png(width: int = 120, height: int = 60, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A small valid PNG (a filled box): the fixture screenshot."""
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


@dataclass
class SourceRound:
    dir: Path  # the inspected round (read-only template: tests copy it)
    prev_dir: Path  # a previous round made from it (earlier time point)
    hostile: BeaconSite
    sites: list[dict]
    region: object = None


def build_round(tmp: Path, region) -> tuple[Path, BeaconSite]:
    """Inspect the three units and the hostile site (real crawl, extraction, checks, scores, notice)."""
    from govcheck.inspect.run import run_inspect

    hostile = BeaconSite()
    full = tmp / "sites-all.csv"
    region.write_roster(full)
    with full.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    keep = [header] + [r for r in rows[1:] if r[1] in UNITS]
    extra = {"区域": "咸安区", "单位名称": HOSTILE_UNIT, "网站名称": "市测试局网站", "首页网址": hostile.url,
             "网站类型": "部门", "对外服务": "是", "网站标识码": ""}
    keep.append([extra.get(h, "") for h in header])
    roster = tmp / "sites.csv"
    with roster.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(keep)
    out = tmp / "round"
    src = region.scenario.accounts_dir
    run_inspect(roster, out, round_config=ROUND_TOML, delay=0.0, concurrency=8, progress=False, external=False,
                workers=2, accounts=src / "accounts.csv", registry=[src / "registry.csv"], previous=src / "previous",
                variables={"base_url": region.feeds_url}, **allow_kw(region))
    return out, hostile


def allow_kw(region) -> dict:
    """Loopback allowed for this round's sites, once the fetch layer refuses private addresses by default."""
    import inspect

    from govcheck.inspect.run import run_inspect

    if "allow" not in inspect.signature(run_inspect).parameters:
        return {}
    return {"allow": list(getattr(region, "allow", None) or []) + ["127.0.0.1"]}


def make_previous(round_dir: Path, dest: Path) -> Path:
    """A previous round: the same crawl and findings one quarter earlier, under its own key; one site's score
    is set lower so the trend has something to show."""
    from datetime import date

    from sqlalchemy import select, update

    from govcheck.store import Store, rounds, scores

    shutil.copytree(round_dir, dest)
    store = Store(f"sqlite:///{dest / 'round.sqlite'}")
    with store.engine.begin() as c:
        c.execute(update(rounds).values(key=str(dest.resolve()), name="2022年第一季度", at=date(2022, 2, 15)))
        first = c.execute(select(scores.c.id).where(scores.c.target_type == "site").order_by(scores.c.seq)).first()
        c.execute(update(scores).where(scores.c.id == first[0]).values(score=55.0, part2=55.0, verdict="不合格"))
    store.engine.dispose()
    return dest


@contextmanager
def source_round(tmp: Path) -> Iterator[SourceRound]:
    """Build the source rounds once; the replica keeps running (立即复查 crawls it again)."""
    from govcheck.sim import load_scenario
    from govcheck.sim.testing import running_region

    with running_region(load_scenario("xianning-2022q2")) as region:
        out, hostile = build_round(tmp, region)
        prev = make_previous(out, tmp / "prev")
        try:
            yield SourceRound(dir=out, prev_dir=prev, hostile=hostile, sites=region.sites, region=region)
        finally:
            hostile.close()


@contextmanager
def serve(app) -> Iterator[str]:
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    t = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    t.start()
    deadline = time.time() + 20
    while not server.started and time.time() < deadline:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        t.join(timeout=10)
        sock.close()


@dataclass
class Console:
    base: str
    app: object
    round_dir: Path
    prev_dir: Path
    home: Path
    slug: str = "round"
    clients: list = field(default_factory=list)

    @property
    def handle(self):
        return self.app.state.console.rounds.get(self.slug)

    def client(self, username: str | None = None, password: str = PASSWORD) -> httpx.Client:
        c = httpx.Client(base_url=self.base, follow_redirects=False, timeout=60)
        self.clients.append(c)
        if username:
            r = login(c, username, password)
            assert r.status_code == 303, r.text[:500]
        return c


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no CSRF token in the page"
    return m.group(1)


def login(c: httpx.Client, username: str, password: str = PASSWORD) -> httpx.Response:
    page = c.get("/login")
    return c.post("/login", data={"username": username, "password": password, "csrf_token": csrf_of(page.text),
                                  "next": "/"})


@contextmanager
def console_for(src: SourceRound, tmp: Path, users: dict = USERS) -> Iterator[Console]:
    """A fresh copy of the source rounds, served on a real port, with the test accounts."""
    from govcheck.web.server import create_app
    from govcheck.web.auth import add_user

    rd = tmp / "round"
    pd = tmp / "prev"
    shutil.copytree(src.dir, rd)
    shutil.copytree(src.prev_dir, pd)
    from govcheck.store import Store, rounds
    from sqlalchemy import update

    for d in (rd, pd):  # the copies' keys are their new folders
        st = Store(f"sqlite:///{d / 'round.sqlite'}")
        with st.engine.begin() as c:
            c.execute(update(rounds).values(key=str(d.resolve())))
        st.engine.dispose()
    home = tmp / "home"
    app = create_app([pd, rd], home=home)
    app.state.console.recheck_overrides = {"delay": 0.0, "no_external": True, "allow": ["127.0.0.1"]}
    for name, (role, unit) in users.items():
        add_user(app.state.console.home, name, PASSWORD, role, unit=unit, display=name)
    with serve(app) as base:
        con = Console(base=base, app=app, round_dir=rd, prev_dir=pd, home=home)
        try:
            yield con
        finally:
            for c in con.clients:
                c.close()


def finding_ids(round_dir: Path, **match) -> list[str]:
    import json

    items = json.loads((round_dir / "findings.json").read_text(encoding="utf-8"))
    return [f["id"] for f in items if all(f.get(k) == v for k, v in match.items())]


def synthetic_round(out: Path, n_sites: int, per_site: int, db: str | None = None, seed: int = 20220515) -> int:
    """A big round without a crawl: n_sites × per_site deduction findings (random scorable site codes of
    xianning-2022), scored; for the bench and the PostgreSQL test. Returns the round id."""
    import random
    from datetime import date

    from govcheck.model import Evidence, Finding, Site
    from govcheck.rules import load_ruleset
    from govcheck.score import apply_rules, score_round
    from govcheck.store import Store

    rs = load_ruleset("xianning-2022")
    rng = random.Random(seed)
    codes = [c for c, r in rs.rules.items() if r.target == "site" and r.scored and not r.veto and r.points]
    regions = ["市直", "咸安区", "嘉鱼县", "赤壁市", "通城县", "崇阳县", "通山县"]
    sites = [Site(region=regions[i % len(regions)], unit=f"单位{i:04d}", name=f"单位{i:04d}网站",
                  url=f"http://site{i:04d}.example.gov.cn/", kind="门户" if i % 20 == 0 else "部门")
             for i in range(n_sites)]
    items = []
    for s in sites:
        for k in range(per_site):
            items.append(Finding(unit=s.unit, target=s.url, target_type="site", code=rng.choice(codes), evidence=[
                Evidence(path=f"首页>政务公开>栏目{k}", url=f"{s.url}col{k}/index.html", title=f"标题{k}",
                         date=f"2022-0{1 + k % 5}-1{k % 9}", note="栏目更新不及时", fetched_at="2022-05-15T08:00:00",
                         status=200)]))
    items = apply_rules(items, rs)
    store = Store.for_dir(out, db)
    rid = store.create_round(key=str(Path(out).resolve()), name="2022年第二季度（合成）", at=date(2022, 5, 15),
                             ruleset=rs, seed=seed, meta={"notice": {}}, sites_=sites, accounts_=[])
    store.add_findings(rid, items)
    store.save_scores(rid, score_round(sites, [], items, rs))
    store.engine.dispose()
    return rid
