"""The adapter's column logic and the round settings, on hand-made page records (no network)."""
from __future__ import annotations

import datetime as dt

import pytest

from govcheck.checks.facts import EvidenceRef
from govcheck.inspect.adapter import Col, PageRec, _column_facts, column_tree
from govcheck.inspect.run import InspectError, round_meta

AT = dt.date(2022, 5, 15)


def rec(url: str, crumbs: list[str], items: list[tuple[str, str, str]] = (), kind: str = "list",
        blank: bool = False, depth: int = 1) -> PageRec:
    d = {"kind": kind, "breadcrumb": crumbs, "blank": blank, "dynamic_list": False,
         "items": [{"title": t, "url": u, "date": dd} for t, u, dd in items]}
    return PageRec(url=url, ref=EvidenceRef(url=url, warc="warc/x.warc.gz", record_id="<urn:uuid:1>", sha256="0" * 64),
                   depth=depth, d=d)


def by_path(cols):
    return {c.path: c for c in _column_facts(cols, AT)}


def test_pagination_pages_merge_and_menus_are_not_judged():
    u = "http://x.gov.cn/"
    pages = [
        rec(u + "xw/", ["网站首页", "新闻动态"], [("a", u + "xw/gz/1.html", "2022-05-10")]),
        rec(u + "xw/gz/", ["首页", "新闻动态", "工作动态"],
            [("a", u + "xw/gz/1.html", "2022-05-10"), ("b", u + "xw/gz/2.html", "2022-05-01")]),
        rec(u + "xw/gz/index_1.html", ["首页", "新闻动态", "工作动态"],
            [("b", u + "xw/gz/2.html", "2022-05-01"), ("c", u + "xw/gz/3.html", "2021-01-01")], depth=2),
        rec(u + "xx/ta/", ["首页", "建议提案"], [], blank=True),
    ]
    cols, known = column_tree(pages, [], u)
    assert not known  # no 网站地图: absence of a column kind cannot be judged
    cf = by_path(cols)
    menu, leaf = cf["首页>新闻动态"], cf["首页>新闻动态>工作动态"]
    assert menu.items == [] and not menu.blank  # a menu lists its sub-columns' entries
    assert [i.title for i in leaf.items] == ["a", "b", "c"]  # both list pages, duplicates once
    assert leaf.url == u + "xw/gz/"  # the first list page, not the pager's
    assert leaf.items[2].ref.url == u + "xw/gz/index_1.html"  # each entry cites the page it was read on
    assert cf["首页>建议提案"].blank


def test_first_level_and_department_platforms():
    cols = {}
    for p in ["首页>政府信息公开", "首页>政府信息公开>法定主动公开内容",
              "首页>政府信息公开>法定主动公开内容>政策文件", "首页>政府信息公开>政策", "首页>政府信息公开>政策>政策文件",
              "首页>政府信息公开>部门信息公开平台", "首页>政府信息公开>部门信息公开平台>县民政局",
              "首页>政府信息公开>部门信息公开平台>县民政局>政策",
              "首页>政府信息公开>部门信息公开平台>县民政局>政策>政府文件"]:
        cols[p] = Col(path=p, name=p.split(">")[-1])
    cf = by_path(cols)
    assert cf["首页>政府信息公开"].first_level
    assert cf["首页>政府信息公开>法定主动公开内容>政策文件"].first_level  # under 法定主动公开内容 (inspect.yaml)
    assert not cf["首页>政府信息公开>政策>政策文件"].first_level  # one sits at the top already
    dept = cf["首页>政府信息公开>部门信息公开平台>县民政局>政策>政府文件"]
    assert dept.sub_platform == "县民政局" and dept.first_level  # the platform's first column with a list
    assert not cf["首页>政府信息公开>部门信息公开平台>县民政局>政策"].first_level  # a heading only
    assert cf["首页>政府信息公开>部门信息公开平台>县民政局"].sub_platform is None


def test_round_settings_from_options_and_errors(tmp_path):
    m = round_meta(None, at=AT, rules="gb2019", seed=None)
    assert m["round"]["seed"] == 20220515 and m["round"]["rules"] == "gb2019"
    with pytest.raises(InspectError, match="round.at"):
        round_meta(None, at=None, rules="gb2019", seed=None)
    bad = tmp_path / "round.toml"
    bad.write_text("[round]\nname = 'x'\nat = 'not a date'\nrules = 'gb2019'\n", encoding="utf-8")
    with pytest.raises(InspectError, match="round.toml.*round.at"):
        round_meta(bad, at=None, rules=None, seed=None)
    bad.write_text("[notice]\ntitle = 'x'\n", encoding="utf-8")
    with pytest.raises(InspectError, match="缺少 \\[round\\]"):
        round_meta(bad, at=None, rules=None, seed=None)


def test_page_text_goes_through_the_wording_scan():
    """V1.1: a serious lexicon hit in a page's text becomes a site finding citing the page's archive record."""
    from govcheck.inspect.adapter import _lexicon, extract_one
    from govcheck.newmedia.checks import check_page_wording

    entry = next(e for e in _lexicon().entries if e.severity == "严重")
    html = (f"<html><head><title>通知_示例局</title></head><body><h1>关于开展检查的通知</h1>"
            f"<p>发布时间：2022-05-10</p><div class='content'><p>本次检查中，{entry.wrong}的表述出现在正文中。</p>"
            f"</div></body></html>").encode()
    seen = []
    extract_one(html, "http://x.gov.cn/a/1.html", "text/html; charset=utf-8", AT,
                lambda text, d: seen.append(check_page_wording("示例局", "http://x.gov.cn/", "http://x.gov.cn/a/1.html",
                                                               text, _lexicon())))
    assert seen and seen[0] and seen[0][0].code == "V1.1"
    assert seen[0][0].params["wrong"] == entry.wrong


def test_cli_bad_inputs_name_the_file(tmp_path):
    """A bad roster or round config stops before any crawl, with the file named; no traceback."""
    import subprocess
    import sys

    roster = tmp_path / "sites.csv"
    roster.write_text("区域,单位名称,网站名称,网站类型,对外服务\n市直,市某局,某局网站,部门,是\n", encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "govcheck.cli", "inspect", "--sites", str(roster), "--out",
                        str(tmp_path / "out"), "--at", "2022-05-15", "--rules", "gb2019", "--no-progress"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "sites.csv" in r.stderr and "Traceback" not in r.stderr, r.stderr
    r = subprocess.run([sys.executable, "-m", "govcheck.cli", "inspect", "--sites", str(roster), "--out",
                        str(tmp_path / "out"), "--at", "2022-13-01", "--rules", "gb2019"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "--at" in r.stderr
    assert not (tmp_path / "out" / "warc").exists()
