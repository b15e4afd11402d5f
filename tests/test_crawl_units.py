"""Pieces of the crawler that need no network: URLs, traps, roster, WAF classes, sniffing, API URLs."""
from __future__ import annotations

import gzip
import json

import pytest

from govcheck.collect.classify import classifier
from govcheck.collect.config import CrawlOptions
from govcheck.collect.crawler import SiteJob, SiteResult
from govcheck.collect.fetch import _Capped, decode_content
from govcheck.collect.links import extract_links, json_links
from govcheck.collect.roster import RosterError, read_sites
from govcheck.collect.sniff import mismatch
from govcheck.collect.urls import TrapDetector, resolve


@pytest.mark.parametrize("base,href,want", [
    ("http://a.gov.cn/x/y.html", "../z.html", "http://a.gov.cn/z.html"),
    ("http://A.GOV.cn:80/x/", "/a b/中文.html?q=1#frag", "http://a.gov.cn/a%20b/%E4%B8%AD%E6%96%87.html?q=1"),
    ("http://a.gov.cn/", "javascript:void(0)", None),
    ("http://a.gov.cn/", "mailto:x@a.gov.cn", None),
    ("http://a.gov.cn/", "#top", None),
    ("https://a.gov.cn/x", "//b.gov.cn", "https://b.gov.cn/"),
    ("http://a.gov.cn/x/", "./c/./d/../e.html", "http://a.gov.cn/x/c/e.html"),
    ("http://a.gov.cn:8080/x/", "/p%20q", "http://a.gov.cn:8080/p%20q"),
    ("http://a.gov.cn/", "HTTPS://A.gov.cn:443/", "https://a.gov.cn/"),
])
def test_resolve(base, href, want):
    assert resolve(base, href) == want


def _traps(**kw):
    conf = dict(CrawlOptions.defaults().traps)
    conf.update(kw)
    return TrapDetector(conf, now_year=2022)


def test_traps_repeated_segments_and_years():
    t = _traps()
    assert t.check("http://a/x/y/x/y/x/y/x/z.html") is not None
    assert t.check("http://a/x/y/z.html") is None
    assert "年份" in t.check("http://a/cal?year=2087")
    assert t.check("http://a/list?year=2021") is None


def test_calendar_chain_is_a_trap_but_a_list_is_not():
    t = _traps(calendar_chain=3)
    parent = "http://a/calendar?month=2022-01"
    t.check(parent)
    reasons = []
    for m in range(2, 9):
        u = f"http://a/calendar?month=2022-{m:02d}"
        reasons.append(t.check(u, parent))
        parent = u
    assert reasons[:3] == [None, None, None] and all(reasons[3:])
    # the same articles reached from one list page are not a chain
    t2 = _traps(calendar_chain=3)
    assert all(t2.check(f"http://a/art/2022/5/{d}/art_1_{d}.html", "http://a/col/1/index.html") is None
               for d in range(1, 29))


def test_query_explosion():
    t = _traps(max_query_variants=5)
    res = [t.check(f"http://a/search?q={i}") for i in range(8)]
    assert res[:5] == [None] * 5 and all(res[5:])


def test_roster_csv_gbk_and_xlsx(tmp_path):
    p = tmp_path / "sites.csv"
    p.write_bytes("区域,单位名称,网站名称,首页网址,网站类型,对外服务,网站标识码,其他域名\n"
                  "咸宁市,咸宁市人民政府,咸宁市人民政府网,www.xianning.gov.cn,门户,是,4212000001,xxgk.xianning.gov.cn\n"
                  .encode("gbk"))
    [s] = read_sites(p)
    assert s.url == "http://www.xianning.gov.cn/" and s.kind == "门户" and s.extra_hosts == ["xxgk.xianning.gov.cn"]
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["region", "unit", "name", "url"])
    ws.append(["咸宁市", "市教育局", "市教育局网", "http://jyj.xianning.gov.cn/"])
    ws.append(["咸宁市", "", "空单位", "http://x.gov.cn/"])
    wb.save(tmp_path / "s.xlsx")
    with pytest.raises(RosterError) as e:
        read_sites(tmp_path / "s.xlsx")
    assert e.value.row == 3 and e.value.column == "单位名称" and "s.xlsx" in str(e.value)


def test_roster_missing_column(tmp_path):
    p = tmp_path / "sites.csv"
    p.write_text("区域,单位名称\n咸宁市,甲\n", encoding="utf-8")
    with pytest.raises(RosterError) as e:
        read_sites(p)
    assert e.value.column == "首页网址"


def test_waf_and_outcomes():
    c = classifier()
    waf = "<html><title>网站防火墙</title><body>您的访问被拦截 安全狗</body></html>".encode("gbk")
    assert c.is_blocked(403, waf)
    assert not c.is_blocked(404, waf)  # a 404 is a 404 whatever it says
    assert not c.is_blocked(403, b"<html><body>Forbidden</body></html>")
    challenge = b"<html><script>document.cookie='x=1';setTimeout(function(){location.reload()},100)</script></html>"
    assert c.is_blocked(503, challenge)
    assert c.outcome(404, None, False) == "broken"
    assert c.outcome(403, None, True) == "blocked"
    assert c.outcome(503, None, False) == "suspected"
    assert c.outcome(None, "timeout: x", False) == "suspected"
    assert c.outcome(None, "dns: x", False) == "suspected"
    assert c.outcome(200, "body_too_large: x", False) == "error"
    assert c.outcome(200, None, False) == "ok"


def test_sniff():
    assert mismatch("text/html", b"%PDF-1.4 ...") is not None
    assert mismatch("application/pdf", b"<!DOCTYPE html><html>") is not None
    assert mismatch("text/html; charset=utf-8", "<html>中文</html>".encode()) is None
    assert mismatch("text/html", "\ufeff<html>中文</html>".encode("utf-16")) is None


def test_gzip_bomb_capped():
    bomb = gzip.compress(b"\0" * 5_000_000)
    with pytest.raises(_Capped):
        decode_content(bomb, "gzip", 1_000_000)
    assert decode_content(gzip.compress(b"abc"), "gzip", 10) == b"abc"


def test_api_urls_and_dynamic_pages():
    html = ('<div data-url="/api/a"></div><script>var apiUrl = "/api/column/7/list?page=1";'
            '$.getJSON(apiUrl, function(r){})</script><script>$.ajax({url: "/api/b", type: "GET"})</script>')
    p = extract_links(html, "http://a.gov.cn/col/")
    assert p.api_urls == ["http://a.gov.cn/api/a", "http://a.gov.cn/api/column/7/list?page=1", "http://a.gov.cn/api/b"]
    assert not p.dynamic
    p2 = extract_links('<ul id="l"></ul><script>$("#l").html(window.items)</script>', "http://a.gov.cn/")
    assert p2.dynamic and not p2.api_urls
    js = json.dumps({"data": [{"url": "/art/1.html", "title": "x"}, {"u": "not a url"}]})
    assert [ln.url for ln in json_links(js, "http://a.gov.cn/api/x")] == ["http://a.gov.cn/art/1.html"]


def test_job_and_result_are_json():
    opts = CrawlOptions.defaults(max_pages=5)
    job = SiteJob(site={"region": "r", "unit": "u", "name": "n", "url": "http://a.gov.cn/"}, out_dir="/tmp/x",
                  db_url="sqlite:///x.sqlite", run_id=1, options=opts.to_dict())
    again = SiteJob.from_dict(json.loads(json.dumps(job.to_dict())))
    assert again == job and CrawlOptions.from_dict(again.options) == opts
    r = SiteResult(site="http://a.gov.cn/", unit="u", status="done", fetched=3)
    assert SiteResult.from_dict(json.loads(json.dumps(r.to_dict()))) == r


def test_unknown_option_is_a_clear_error():
    with pytest.raises(ValueError, match="未知的抓取参数"):
        CrawlOptions.defaults(bogus=1)


def test_next_api_page():
    from govcheck.collect.links import next_api_page

    assert next_api_page("http://a/api/list?col=3&pageNo=2&size=15", ("pageNo",)) == \
        "http://a/api/list?col=3&pageNo=3&size=15"
    assert next_api_page("http://a/api/list?col=3", ("page",)) is None
