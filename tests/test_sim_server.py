"""The styles-demo region served over real HTTP on 127.0.0.1: styles, encodings, hazards, links."""
from __future__ import annotations

import csv
import json
import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from selectolax.lexbor import LexborHTMLParser

from govcheck.sim import load_scenario
from govcheck.sim.server import ROSTER_HEADERS
from govcheck.sim.testing import running_region


@pytest.fixture(scope="module")
def region():
    with running_region("styles-demo") as reg:
        yield reg


@pytest.fixture(scope="module")
def client():
    with httpx.Client(timeout=10, follow_redirects=False) as c:
        yield c


def get(client, site: dict, path: str) -> httpx.Response:
    return client.get(urljoin(site["url"], path))


def decode(site: dict, r: httpx.Response) -> str:
    return r.content.decode(site["encoding"])


def by_style(region, style: str) -> tuple[dict, object]:
    s = next(s for s in region.sites if s["style"] == style and s["encoding"] == "utf-8")
    return s, region.scenario.site(s["key"])


def breadcrumb_names(tree: LexborHTMLParser) -> list[str]:
    """Names in the 当前位置 trail, read from the page the way a reader sees it."""
    node = [n for n in tree.css("div") if (n.text() or "").strip().startswith("当前位置")][-1]  # innermost
    return [a.text().strip() for a in node.css("a, span") if a.text().strip() and "当前位置" not in a.text()]


@pytest.mark.parametrize("style", ["trs", "hanweb", "xxgk"])
def test_style_pages_have_breadcrumb_meta_and_footer(region, client, style):
    s, site = by_style(region, style)
    col = site.column_by_path("首页>政府信息公开>法定主动公开内容>政策文件")
    assert col is not None and col.items
    r = get(client, s, col.url)
    assert r.status_code == 200
    tree = LexborHTMLParser(decode(s, r))
    assert breadcrumb_names(tree) == col.path
    meta = {m.attributes.get("name"): m.attributes.get("content") for m in tree.css("meta[name]")}
    assert meta["SiteName"] == s["name"] and meta["SiteIDCode"] == s["site_id_code"]
    assert meta["ColumnName"] == "政策文件"
    # the list rows link to the column's items, newest first
    hrefs = [urljoin(r.url.path, a.attributes["href"]) for a in tree.css("a") if a.attributes.get("href")]
    assert col.items[0].url in hrefs
    it = col.items[0]
    r = get(client, s, it.url)
    assert r.status_code == 200
    html = decode(s, r)
    tree = LexborHTMLParser(html)
    meta = {m.attributes.get("name"): m.attributes.get("content") for m in tree.css("meta[name]")}
    assert meta["ArticleTitle"] == it.title
    assert meta["PubDate"].startswith(it.date.isoformat())
    assert breadcrumb_names(tree) == col.path
    foot = tree.css_first(".footer").text()
    seen = {"site_id_code": f"网站标识码：{s['site_id_code']}" in foot, "icp": "ICP备" in foot,
            "police_record": "公网安备" in foot, "sponsor": "主办单位" in foot, "contact": "联系电话" in foot,
            "conac": tree.css_first(".footer img[alt=党政机关]") is not None,
            "error_report_entry": tree.css_first(".footer #_span_jiucuo") is not None}
    assert seen == site.footer["present"]  # present where the scenario keeps them, absent where it plants a gap
    shown = {"trs": it.date.isoformat(), "hanweb": it.date.isoformat(),
             "xxgk": f"{it.date.year}年{it.date.month:02d}月{it.date.day:02d}日"}[style]
    assert f"发布日期：{shown}" in tree.text()


def test_url_schemes_follow_each_cms(region):
    pats = {"trs": r"^/[\w/]+/\d{6}/t\d{8}_\d+\.html$", "hanweb": r"^/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html$",
            "xxgk": r"^/[\w/]+/\d{6}/t\d{8}_\d+\.shtml$"}
    for style, pat in pats.items():
        _, site = by_style(region, style)
        urls = [it.url for it in site.items_by_id.values()]
        assert urls and all(re.match(pat, u) for u in urls), style
        for it in list(site.items_by_id.values())[:50]:
            assert f"{it.date:%Y%m%d}" in it.url or f"/{it.date.year}/{it.date.month}/{it.date.day}/" in it.url


def test_xxgk_article_has_disclosure_table(region, client):
    s, site = by_style(region, "xxgk")
    it = next(i for i in site.items_by_id.values() if i.kind == "policy")
    text = LexborHTMLParser(decode(s, get(client, s, it.url))).css_first("table.xxgk-info").text()
    for label in ("索引号", "发布机构", "成文日期", "发布日期", "文号"):
        assert label in text
    assert it.extra["doc_no"] in text


def test_gbk_site_bytes_and_charset(region, client):
    s = next(s for s in region.sites if s["encoding"] == "gbk")
    r = get(client, s, "/")
    assert r.status_code == 200
    with pytest.raises(UnicodeDecodeError):
        r.content.decode("utf-8")
    text = r.content.decode("gbk")
    assert s["name"] in text
    site = region.scenario.site(s["key"])
    assert re.search(rb'<meta charset="%s">' % site.meta_charset.encode(), r.content[:400])
    assert "charset=" + site.meta_charset in r.headers["content-type"]


def test_waf_blocks_with_403_and_block_body(region, client):
    s, site = by_style(region, "trs")
    home = LexborHTMLParser(decode(s, get(client, s, "/")))
    blocked = [a.attributes["href"] for a in home.css("a") if (a.attributes.get("href") or "").startswith(
        tuple(site.special["waf"]["paths"]))]
    assert blocked, "home page should link into the WAF-protected area"
    r = get(client, s, blocked[0])
    assert r.status_code == 403
    body = r.content.decode("utf-8")
    assert "网站防火墙" in body and "安全狗" in body
    # an attack-looking query on an ordinary page is blocked too; the same page without it is not
    col = site.columns[0]
    assert get(client, s, col.url).status_code == 200
    assert get(client, s, col.url + "?id=1%20union%20select%201").status_code == 403


def test_calendar_trap_generates_unbounded_links(region, client):
    s, site = by_style(region, "trs")
    home = LexborHTMLParser(decode(s, get(client, s, "/")))
    start = next(a.attributes["href"] for a in home.css("a") if a.text() == "活动日历")
    seen = set()
    url = start
    for _ in range(40):
        r = get(client, s, url)
        assert r.status_code == 200
        seen.add(url)
        tree = LexborHTMLParser(decode(s, r))
        url = next(a.attributes["href"] for a in tree.css("a") if "下月" in a.text())
        assert url not in seen
    assert len(seen) == 40


def test_json_api_column(region, client):
    s, site = by_style(region, "hanweb")
    col = next(c for c in site.all_columns() if c.render == "json_api")
    html = decode(s, get(client, s, col.url))
    tree = LexborHTMLParser(html)
    assert not tree.css_first(".col-body").css("a")  # the list itself has no static rows, only the script
    api = re.search(r'apiUrl\s*=\s*"([^"]+)"', html).group(1)
    data = get(client, s, api).json()
    assert data["total"] == len(col.items)
    assert data["data"][0]["title"] == col.items[0].title
    assert get(client, s, data["data"][0]["url"]).status_code == 200


def test_pagination_pages_are_distinct_and_bounded(region, client):
    for style in ("trs", "hanweb", "xxgk"):
        s, site = by_style(region, style)
        col = next(c for c in site.all_columns() if c.ctype == "list" and c.render == "static" and c.pages() >= 2)
        p1 = LexborHTMLParser(decode(s, get(client, s, col.url)))
        nxt = next(a.attributes["href"] for a in p1.css(".page a") if a.text() == "下一页")
        r2 = get(client, s, urljoin(col.url, nxt))
        assert r2.status_code == 200
        assert col.items[col.page_size].title in decode(s, r2)
        assert col.items[0].title not in LexborHTMLParser(decode(s, r2)).css_first(".col-body").text()


def test_errors_and_slow_pages(region):
    s, site = by_style(region, "trs")
    sp = site.special
    with httpx.Client(timeout=0.5) as c:
        e500 = next(b for b in sp["broken"] if b["status"] == 500)
        assert c.get(urljoin(s["url"], e500["url"])).status_code == 500
        e404 = next(b for b in sp["broken"] if b["status"] == 404)
        assert c.get(urljoin(s["url"], e404["url"])).status_code == 404
        hang = next(b for b in sp["broken"] if b["status"] == "timeout")
        with pytest.raises(httpx.TimeoutException):
            c.get(urljoin(s["url"], hang["url"]))
        with pytest.raises(httpx.TimeoutException):
            c.get(urljoin(s["url"], sp["slow"][0]["url"]))
    with httpx.Client(timeout=sp["slow"][0]["delay"] + 5) as c:
        assert c.get(urljoin(s["url"], sp["slow"][0]["url"])).status_code == 200


def _crawl(client, s, limit):
    """Breadth-first over same-host links; returns {url path: status} and the links seen."""
    site_host = urlsplit(s["url"]).netloc
    hazards = set()
    start = urlsplit(s["url"])
    queue, status, links = deque(["/"]), {}, set()
    while queue and len(status) < limit:
        path = queue.popleft()
        if path in status:
            continue
        r = client.get(f"{start.scheme}://{site_host}{path}")
        status[path] = r.status_code
        if r.status_code != 200 or "text/html" not in r.headers.get("content-type", ""):
            continue
        tree = LexborHTMLParser(r.content.decode(s["encoding"]))
        for a in tree.css("a[href]"):
            href = a.attributes["href"]
            if href.startswith(("javascript:", "#")):
                continue
            u = urlsplit(urljoin(f"{start.scheme}://{site_host}{path}", href))
            if u.netloc != site_host:
                continue
            p = u.path + (f"?{u.query}" if u.query else "")
            links.add(p)
            if "/calendar/" in p or "/module/slow/" in p or "/zt/slow" in p or p in hazards:
                continue
            queue.append(p)
    return status, links


def test_root_relative_links_resolve(region, client):
    """Every internal link a crawler meets works, except the broken ones the scenario plants."""
    for s in region.sites:
        site = region.scenario.site(s["key"])
        planted = {b["url"] for b in site.special["broken"] if b["status"] in (404, 500)}
        blocked = tuple((site.special.get("waf") or {}).get("paths") or ())
        status, links = _crawl(client, s, 120)
        assert len(status) >= 100, s["key"]
        bad = {p: st for p, st in status.items() if st != 200 and p not in planted and not p.startswith(blocked)}
        assert not bad, (s["key"], bad)
        assert any(p.startswith("/") and not p.startswith("//") for p in links)


def test_roster_written_with_contract_headers(region, tmp_path):
    path = region.write_roster(tmp_path / "sites.csv")
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ROSTER_HEADERS == ["区域", "单位名称", "网站名称", "首页网址", "网站类型", "对外服务", "网站标识码"]
    assert len(rows) == 1 + len(region.sites)
    by_unit = {r[1]: r for r in rows[1:]}
    for s in region.sites:
        row = by_unit[s["unit"]]
        assert row[3] == s["url"] and row[4] in ("门户", "部门") and row[5] in ("是", "否") and row[6] == s["site_id_code"]
        assert httpx.get(row[3], timeout=10).status_code == 200


def test_pages_are_deterministic_across_runs(region, client):
    s, site = by_style(region, "hanweb")
    it = sorted(site.items_by_id.values(), key=lambda i: i.id)[len(site.items_by_id) // 2]
    first = get(client, s, it.url).content
    with running_region(load_scenario("styles-demo")) as other:
        s2 = other.site(s["key"])
        assert s2["url"] != s["url"]
        second = httpx.get(urljoin(s2["url"], it.url), timeout=10).content
    assert first == second


def test_api_404_for_static_columns(region, client):
    s, site = by_style(region, "trs")
    col = next(c for c in site.all_columns() if c.ctype == "list")
    r = get(client, s, f"/api/column/{col.id}/list?page=1")
    assert r.status_code == 404
    with pytest.raises(json.JSONDecodeError):
        json.loads(r.text)


def test_site_search_finds_published_titles(region, client):
    for style in ("trs", "hanweb", "xxgk"):
        s, site = by_style(region, style)
        home = LexborHTMLParser(decode(s, get(client, s, "/")))
        form = home.css_first("form.search")
        action, field = form.attributes["action"], form.css_first("input").attributes["name"]
        it = sorted(site.items_by_id.values(), key=lambda i: i.id)[len(site.items_by_id) // 3]
        r = client.get(urljoin(s["url"], action), params={field: it.title})
        assert r.status_code == 200
        hits = [a.attributes["href"] for a in LexborHTMLParser(decode(s, r)).css(".search-list a")]
        assert it.url in hits
        r = client.get(urljoin(s["url"], action), params={field: "不存在的标题词语组合"})
        assert not LexborHTMLParser(decode(s, r)).css(".search-list a")


def test_message_board_has_stats_and_working_channel(region, client):
    s, site = by_style(region, "xxgk")
    col = site.columns_of_kind("互动留言")[0]
    tree = LexborHTMLParser(decode(s, get(client, s, col.url)))
    assert "留言受理反馈情况统计" in tree.css_first(".msg-stats").text()
    write = tree.css_first("a.write").attributes["href"]
    form = LexborHTMLParser(decode(s, get(client, s, write))).css_first("form[method=post]")
    names = [i.attributes["name"] for i in form.css("input, textarea")]
    r = client.post(urljoin(s["url"], form.attributes["action"]), data={n: "咨询公交线路调整" for n in names})
    assert r.status_code == 200 and "提交成功" in decode(s, r)
    r = client.post(urljoin(s["url"], form.attributes["action"]), data={})
    assert r.status_code == 400


def test_service_guides_list_the_key_elements(region, client):
    s, site = by_style(region, "trs")
    it = next(i for i in site.items_by_id.values() if i.kind == "guide")
    text = LexborHTMLParser(decode(s, get(client, s, it.url))).css_first("table.guide").text()
    for label in ("事项名称", "设定依据", "申请条件", "办理材料", "办理地点", "办理机构", "收费标准", "办理时间",
                  "联系电话", "办理流程"):
        assert label in text
    assert get(client, s, it.extra["attachment_url"]).status_code == 200
