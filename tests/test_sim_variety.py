"""The `variety` scenario generator: deterministic per seed, sliceable, every style served, GBK bytes right,
script-filled lists well formed, no dead link it did not plant, and an oracle that expects nothing of a clean
site and can expect every automatically checked code. (Whether the checks find what the oracle expects is
tests/test_sim_variety_accuracy.py.)"""
from __future__ import annotations

import collections
import json
import os
import re
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

from govcheck.checks import codes_covered
from govcheck.rules import load_ruleset
from govcheck.sim.server import style_hooks
from govcheck.sim.testing import running_region
from govcheck.sim.variety import VSTYLES, Options, build_variety, site_model
from govcheck.sim.variety_oracle import expect
from govcheck.sim.variety_render import cv

SEED, N = 5, 15
# Codes the generator cannot plant on 127.0.0.1, with the reason (the oracle never expects them).
UNPLANTABLE = {"D20.1": "域名规范：仿真网站以 127.0.0.1 访问，没有域名（inspect 改列需人工核查）",
               "V2": "站点无法访问：由一周的首页监测记录判定（govcheck monitor），不由网页内容判定"}
# 政务公开平台 (GK*): judged only on platforms a subordinate-bodies roster names; the variety region has no roster
# and plants none of them. Its compliant county passes them (tests/test_platform_variety.py); the defects are the
# site fixtures tests/fixtures/sites/GK* (trs, hanweb).
UNPLANTABLE.update({c: "政务公开平台：只检查下属单位名单所列的县级平台，仿真区域不带名单" for c in
                    ("GK1.1", "GK1.2", "GK2.1", "GK2.2", "GK2.3")})


def _assigned(scen):
    for s in scen.sites:
        style_hooks(s.style)[0](s)
    return scen


@pytest.fixture(scope="module")
def region():
    scen = build_variety(SEED, N)
    with running_region(scen, feeds=False) as reg:
        yield scen, reg


def _get(client: httpx.Client, url: str) -> httpx.Response:
    return client.get(url, follow_redirects=False)


# ---------------------------------------------------------------------------------------------- the model


def test_deterministic_per_seed():
    a = [site_model(s) for s in _assigned(build_variety(SEED, 8)).sites]
    b = [site_model(s) for s in _assigned(build_variety(SEED, 8)).sites]
    assert json.dumps(a, ensure_ascii=False) == json.dumps(b, ensure_ascii=False)
    c = [site_model(s) for s in _assigned(build_variety(SEED + 1, 8)).sites]
    assert json.dumps(a, ensure_ascii=False) != json.dumps(c, ensure_ascii=False)


def test_slices_make_the_same_region():
    """Several processes serving parts of one region serve exactly its sites (the scale bench needs this)."""
    whole = {s.key: site_model(s) for s in _assigned(build_variety(SEED, 12)).sites}
    parts = {}
    for k in range(3):
        for s in _assigned(build_variety(SEED, 12, part=k, parts=3)).sites:
            parts[s.key] = site_model(s)
    assert parts == whole


def test_clean_sites_expect_nothing():
    """A site with no plant is compliant: the oracle expects no finding, whatever its structure and style."""
    rs = load_ruleset("xianning-2022")
    scen = _assigned(build_variety(9, 40, opts=Options(clean_share=1.0)))
    assert {s.style for s in scen.sites} == set(VSTYLES)
    for s in scen.sites:
        assert not s.special["plants"]
        e = expect(s, scen.time_point, rs)
        assert e.findings == [] and e.anomalies == [], (s.key, [(x.code, x.why) for x in e.findings])


def test_every_automated_code_can_be_expected():
    """Over a few regions the oracle expects every code the checks can produce (but the unplantable)."""
    rs = load_ruleset("xianning-2022")
    seen: collections.Counter = collections.Counter()
    for seed in (1, 2, 3, 4):
        scen = _assigned(build_variety(seed, 60))
        for s in scen.sites:
            e = expect(s, scen.time_point, rs)
            seen.update({x.code for x in e.findings + e.anomalies})
    want = codes_covered() - set(UNPLANTABLE)
    assert not want - set(seen), sorted(want - set(seen))


def _one(seed: int, i: int):
    """Site i of region `seed` alone (a site depends on (seed, i) only), with its URLs assigned."""
    scen = _assigned(build_variety(seed, i + 1, part=i, parts=i + 1))
    assert [s.key for s in scen.sites] == [f"v{seed}-{i:04d}"]
    return scen.sites[0], scen.time_point


def _codes(e) -> tuple[set[str], set[str]]:
    return {x.code for x in e.findings}, {m.code for m in e.manual}


def test_slogan_header_is_a_finding_only_where_the_page_marks_its_header():
    """D20.3: a logo box showing a slogan proves the name missing only when the template marks its whole header
    (div.header); where only the logo box is marked (jcms, powereasy) the name could stand beside it."""
    rs = load_ruleset("xianning-2022")
    s, at = _one(1, 22)  # jcms, slogan planted
    assert s.style == "jcms" and s.special["header_no_name"] == "slogan"
    found, manual = _codes(expect(s, at, rs))
    assert "D20.3" not in found and "D20.3" in manual
    s, at = _one(3, 33)  # dede: the header is div.header
    s.special["header_no_name"] = "slogan"
    found, manual = _codes(expect(s, at, rs))
    assert "D20.3" in found and "D20.3" not in manual


def test_script_footer_hides_the_sitemap_so_absent_kinds_go_to_a_person():
    rs = load_ruleset("xianning-2022")
    s, at = _one(3, 33)  # dede, no 政策解读 and no 办事统计 column
    found, manual = _codes(expect(s, at, rs))
    assert {"D06.1", "D12.1"} <= found and not {"D06.1", "D12.1"} & manual
    s.special["v"]["footer_script"] = True
    found, manual = _codes(expect(s, at, rs))
    assert not {"D06.1", "D12.1"} & found and {"D06.1", "D12.1", "D21"} <= manual


def test_home_dated_only_by_month_day_guesses_goes_to_a_person():
    """V3 on a MM-DD home page whose newest rows come from articles that print no date: no finding either way."""
    rs = load_ruleset("xianning-2022")
    s, at = _one(3, 33)  # dede, home frozen 2022-08-14, newest row from a `blind` column
    assert s.special["v"]["home_date"] == "md"
    found, manual = _codes(expect(s, at, rs))
    assert "V3" not in found and "V3" in manual
    s.special["v"]["home_date"] = "iso"  # the same rows printed with their year: stale for sure
    found, manual = _codes(expect(s, at, rs))
    assert "V3" in found and "V3" not in manual


def test_time_points_vary_by_seed():
    assert len({build_variety(seed, 1).time_point for seed in range(8)}) > 1


# ---------------------------------------------------------------------------------------------- served pages


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for k in ("href", "src"):
            if a.get(k) and tag in ("a", "link", "script", "img"):
                self.links.append(a[k])


def _decode(r: httpx.Response, site) -> str:
    return r.content.decode("gb18030" if site.encoding == "gbk" else "utf-8")


def test_every_style_is_served(region):
    scen, reg = region
    assert {s.style for s in scen.sites} == set(VSTYLES)
    with httpx.Client() as c:
        for s, info in zip(scen.sites, reg.sites):
            r = _get(c, info["url"])
            assert r.status_code == 200, s.key
            assert s.name in _decode(r, s)


def test_no_dead_link_that_was_not_planted(region):
    """Crawl some sites completely: every same-site link answers, except the dead links a plant made."""
    scen, reg = region
    with httpx.Client(timeout=10) as c:
        for s, info in list(zip(scen.sites, reg.sites))[:8]:
            base = info["url"].rstrip("/")
            planted = {b["url"] for b in s.special["broken"]}
            if s.special.get("channel_broken") in ("missing", "error"):
                planted.add(s.special["write_url"])
            seen, todo, dead = set(), ["/"], []
            while todo:
                path = todo.pop()
                if path in seen:
                    continue
                seen.add(path)
                r = _get(c, base + path)
                if r.status_code in (301, 302):
                    todo.append(urlsplit(urljoin(base + path, r.headers["location"])).path
                                + ("?" + urlsplit(r.headers["location"]).query if urlsplit(r.headers["location"]).query else ""))
                    continue
                if r.status_code != 200:
                    if path.split("?")[0] not in planted and path not in planted:
                        dead.append((path, r.status_code))
                    continue
                if "html" not in r.headers.get("content-type", ""):
                    continue
                p = _Links()
                p.feed(_decode(r, s))
                for href in p.links:
                    u = urlsplit(urljoin(base + path, href.replace("&amp;", "&")))
                    if u.scheme in ("http", "https") and u.netloc == urlsplit(base).netloc:
                        todo.append(u.path + (f"?{u.query}" if u.query else ""))
            assert not dead, (s.key, s.style, dead[:10])
            assert len(seen) > 20, (s.key, len(seen))


def test_gbk_sites_serve_gbk_bytes(region):
    scen, reg = region
    gbk = [(s, i) for s, i in zip(scen.sites, reg.sites) if s.encoding == "gbk"]
    assert gbk, "the region should hold a GBK site"
    with httpx.Client() as c:
        for s, info in gbk:
            r = _get(c, info["url"])
            with pytest.raises(UnicodeDecodeError):
                r.content.decode("utf-8")
            text = r.content.decode("gb18030")
            assert s.name in text and "网站标识码" in text or s.special.get("v", {}).get("footer_script")
            declared_meta = re.search(r'charset=["\']?([\w-]+)', text[:2000])
            assert bool(declared_meta) == bool(s.special["v"].get("meta_charset", True)), s.key
            if declared_meta:
                assert declared_meta.group(1).lower() in ("gb2312", "gbk")
            assert ("charset" in r.headers["content-type"]) == s.header_charset


def test_datastore_lists_are_well_formed(region):
    """Hanweb-like lists: the rows are CDATA records in a <script type="text/xml"> datastore; more come from
    dataproxy.jsp in the same XML."""
    scen, reg = region
    cols = [(s, i, c) for s, i in zip(scen.sites, reg.sites) for c in s.all_columns()
            if cv(c).get("mode") == "datastore" and c.items and not c.blank]
    assert cols, "the region should hold a datastore list"
    with httpx.Client() as cl:
        for s, info, col in cols[:6]:
            base = info["url"].rstrip("/")
            html = _decode(_get(cl, base + col.url), s)
            m = re.search(r'<script type="text/xml">(.*?)</script>', html, re.S)
            root = ET.fromstring(m.group(1))
            recs = root.findall("./recordset/record")
            assert len(recs) == min(len(col.items), 3 * col.page_size)
            urls = [re.search(r'href="([^"]+)"', r.text).group(1) for r in recs]
            assert urls == [it.url for it in col.items[: len(recs)]]
            assert _get(cl, base + urls[-1]).status_code == 200
            nxt = root.find("nextgroup").text
            assert "dataproxy.jsp" in nxt and f"columnid={col.id}" in nxt
            r = cl.post(base + "/module/web/jpage/dataproxy.jsp",
                        data={"columnid": col.id, "startrecord": 1, "endrecord": len(col.items)})
            more = ET.fromstring(r.content).findall("./recordset/record")
            assert len(more) == len(col.items)


def test_json_lists_are_well_formed(region):
    """Lists a script fills from a JSON endpoint named in the page: the endpoint answers the column's rows."""
    scen, reg = region
    cols = [(s, i, c) for s, i in zip(scen.sites, reg.sites) for c in s.all_columns()
            if cv(c).get("mode") == "json" and c.items]
    assert {s.style for s, _, _ in cols} >= {"avalon", "zfxxgk"}, "JSON lists in at least two styles"
    with httpx.Client() as cl:
        for s, info, col in cols:
            base = info["url"].rstrip("/")
            html = _decode(_get(cl, base + col.url), s)
            api = re.search(r'url:\s*"([^"]+)"|listUrl = "([^"]+)"', html)
            api = api.group(1) or api.group(2)
            assert col.items[0].title not in html  # nothing of the list in the HTML itself
            data = _get(cl, base + api).json()
            rows = data.get("list") or data["data"]["rows"]
            titles = [r.get("title") or r.get("name") for r in rows]
            assert titles == [it.title for it in col.items[: col.page_size]]


def test_menus_and_blind_lists(region):
    """Menu pages (links only, or a redirect to the first sub-column); MM-DD lists whose articles print no date."""
    scen, reg = region
    kinds = collections.Counter()
    with httpx.Client() as cl:
        for s, info in zip(scen.sites, reg.sites):
            base = info["url"].rstrip("/")
            for col in s.all_columns():
                how = cv(col).get("menu")
                if col.ctype == "nav" and how == "redirect":
                    r = _get(cl, base + col.url)
                    assert r.status_code == 302 and r.headers["location"] == col.children[0].url
                    kinds["redirect"] += 1
                elif col.ctype == "nav" and how == "links":
                    html = _decode(_get(cl, base + col.url), s)
                    assert all(f'href="{ch.url}"' in html.replace("&amp;", "&") for ch in col.children)
                    kinds["links"] += 1
                elif cv(col).get("mode") == "blind" and col.items:
                    it = col.items[0]
                    html = _decode(_get(cl, base + it.url), s)
                    body = html.split("<body", 1)[1]
                    for d in (it.date.isoformat(), f"{it.date.year}年{it.date.month}月", f"{it.date:%Y%m%d}"):
                        assert d not in body and d not in it.url, (s.key, it.url, d)
                    assert "PubDate" not in html
                    kinds["blind"] += 1
    assert kinds["redirect"] and kinds["links"] and kinds["blind"], kinds


def test_sim_serve_variety_cli(tmp_path):
    roster, models = tmp_path / "sites.csv", tmp_path / "models.json"
    env = {**os.environ, "PYTHONPATH": os.environ.get("PYTHONPATH", str(Path(__file__).resolve().parents[1]))}
    p = subprocess.Popen([sys.executable, "-m", "govcheck.cli", "sim", "serve", "variety", "--seed", "3", "--sites", "4",
                          "--part", "1", "--parts", "2", "--roster", str(roster), "--models", str(models)],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 60
        while not roster.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(0.3)
        rows = roster.read_text(encoding="utf-8-sig").splitlines()
        assert len(rows) == 3  # header + sites 1 and 3
        url = rows[1].split(",")[3]
        assert httpx.get(url).status_code == 200
        keys = [m["key"] for m in json.loads(models.read_text(encoding="utf-8"))["sites"]]
        assert keys == ["v3-0001", "v3-0003"]
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait(20)


def test_json_only_sites_for_a_browser_pass():
    """Sites whose every list comes only from a JSON endpoint filled by script, in two styles, with stale and
    blank columns among them: what a pass that loads them (a browser) must find, the oracle expects."""
    rs = load_ruleset("xianning-2022")
    opts = Options(styles=("avalon", "zfxxgk"), force_mode="json", json_stale=True, clean_share=0.0)
    scen = _assigned(build_variety(4, 24, opts=opts))
    assert {s.style for s in scen.sites} == {"avalon", "zfxxgk"}
    judged = collections.Counter()
    for s in scen.sites:
        lists = [c for c in s.all_columns() if c.ctype == "list" and not c.children]
        assert lists and all(cv(c)["mode"] == "json" for c in lists), s.key
        e = expect(s, scen.time_point, rs)
        json_cols = {f"col:{c.id}" for c in lists}
        judged.update(x.code for x in e.findings if x.key in json_cols)
        assert e.states and all(e.states[k] == "page" for k in json_cols)
    assert judged["D09.1"] and sum(judged[c] for c in ("D04.2", "D09.2", "D12.2", "D12.3", "D05.2")), judged
