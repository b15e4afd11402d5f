"""Facts are judged on the page that holds them: a 机构概况 / 领导之窗 column that is a menu of sub-pages is read
through its sub-pages, in the page styles real sites use (TRS paragraphs, Hanweb tables, 信息公开 dl lists)."""
from __future__ import annotations

import datetime as dt

import pytest

from govcheck.checks import run_checks
from govcheck.checks.facts import EvidenceRef, SiteFacts
from govcheck.inspect import adapter
from govcheck.inspect.adapter import PageRec, _column_facts, _leader_facts, _org_facts, column_tree
from govcheck.rules import load_ruleset

AT = dt.date(2022, 5, 15)
U = "http://jyj.example.gov.cn/"
RS = load_ruleset("xianning-2022")

CHROME_TOP = ('<div class="header"><img src="/logo.png"><span>示例市教育局</span></div>'
              '<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/jggk/">机构概况</a></li>'
              '<li><a href="/jggk/zyzz/">主要职责</a></li><li><a href="/jggk/nsjg/">内设机构</a></li>'
              '<li><a href="/jggk/ldxx/">领导信息</a></li><li><a href="/xxgk/">信息公开</a></li></ul></div>')
CHROME_BOTTOM = ('<div class="footer"><p>主办单位：示例市教育局 地址：示例市人民路1号 电话：0715-8888888</p>'
                 '<p>网站标识码：4212000001 鄂ICP备12345678号</p></div>')


def page(title: str, crumbs: str, content: str) -> str:
    return (f"<html><head><title>{title}_示例市教育局</title></head><body>{CHROME_TOP}"
            f'<div class="location">当前位置：{crumbs}</div><div class="main">{content}</div>{CHROME_BOTTOM}'
            "</body></html>")


MENU = page("机构概况", "首页 &gt; 机构概况",
            '<ul class="sub-list"><li><a href="/jggk/zyzz/">主要职责</a></li><li><a href="/jggk/nsjg/">内设机构</a></li>'
            '<li><a href="/jggk/lxfs/">联系方式</a></li><li><a href="/jggk/ldxx/">领导信息</a></li></ul>')
# TRS style: paragraphs in an editor box
DUTIES = page("主要职责", "首页 &gt; 机构概况 &gt; 主要职责",
              '<div class="TRS_Editor"><p>主要职责：</p><p>（一）贯彻执行国家教育工作方针政策，拟订全市教育发展规划。</p>'
              "<p>（二）负责全市各级各类教育的统筹规划和协调管理。</p></div>")
# Hanweb style: a table of 科室 with their 负责人 and 职责
OFFICES = page("内设机构", "首页 &gt; 机构概况 &gt; 内设机构",
               '<table class="jg"><tr><th>科室</th><th>负责人</th><th>职责</th></tr>'
               "<tr><td>办公室</td><td>张明</td><td>负责机关日常运转。</td></tr>"
               "<tr><td>基础教育科</td><td>李华</td><td>负责基础教育管理。</td></tr></table>"
               "<p>内设机构：办公室、基础教育科、职业教育科、人事科</p>")
# 信息公开 style: a definition list — and no 办公时间 (the real gap)
CONTACT = page("联系方式", "首页 &gt; 机构概况 &gt; 联系方式",
               "<dl><dt>办公地址：</dt><dd>示例市人民路1号教育大厦</dd><dt>联系电话：</dt><dd>0715-8123456</dd>"
               "<dt>负责人：</dt><dd>王强</dd></dl>")


def rec(url: str, crumbs: list[str], kind: str = "article", depth: int = 1) -> PageRec:
    d = {"kind": kind, "breadcrumb": crumbs, "blank": False, "dynamic_list": False, "items": []}
    return PageRec(url=url, ref=EvidenceRef(url=url, status=200, warc="warc/x.warc.gz", record_id=f"<{url}>",
                                            sha256="0" * 64), depth=depth, d=d)


@pytest.fixture
def served(monkeypatch):
    """Archived pages by URL (read_html reads them from here instead of a WARC file)."""
    html: dict[str, str] = {}
    monkeypatch.setattr(adapter, "read_html", lambda crawl_dir, ref: html[ref.url].encode("utf-8"))
    return html


def build(served, pages: list[tuple[str, list[str], str]], links=()):
    recs = [rec(u, c) for u, c, h in pages]
    for u, _, h in pages:
        served[u] = h
    cols, _ = column_tree(recs, [], U)
    facts = SiteFacts(url=U, unit="示例市教育局", columns=_column_facts(cols, AT))
    by_url = {r.url: r for r in recs}
    _org_facts(facts, cols, by_url, None, facts.unit, list(links))
    _leader_facts(facts, cols, by_url, None, list(links))
    return facts


def test_org_menu_judged_through_its_sub_pages(served):
    facts = build(served, [(U + "jggk/", ["首页", "机构概况"], MENU),
                           (U + "jggk/zyzz/", ["首页", "机构概况", "主要职责"], DUTIES),
                           (U + "jggk/nsjg/", ["首页", "机构概况", "内设机构"], OFFICES),
                           (U + "jggk/lxfs/", ["首页", "机构概况", "联系方式"], CONTACT)])
    unit = facts.org[0]
    assert unit.fields["机关职能"] and unit.fields["机构设置"] and unit.fields["办公地址"] and unit.fields["联系方式"]
    assert not unit.fields["办公时间"]
    assert unit.ref.page_role == "content"
    res = run_checks(facts, RS, AT, 1)
    d022 = [f for f in res.findings if f.code == "D02.2"]
    # the real gap, and only it (no 办公时间 for the 科室 the table lists, nor for the unit): the menu page's
    # missing elements are not findings
    assert [(f.evidence[0].title, f.evidence[0].note) for f in d022] == [("办公室", "未标明办公时间"),
                                                                        ("基础教育科", "未标明办公时间")]
    assert all(f.evidence[0].url == U + "jggk/nsjg/" for f in d022)


ORG_MENU = MENU.replace("机构概况", "机构职能")


def test_org_menu_with_a_sub_page_not_archived_goes_to_a_person(served):
    links = [{"url": U + "jggk/lxfs/", "referrer": U + "jggk/", "outcome": "broken", "status": 404, "internal": True}]
    facts = build(served, [(U + "jggk/", ["首页", "机构概况"], MENU),
                           (U + "jggk/zyzz/", ["首页", "机构概况", "主要职责"], DUTIES),
                           (U + "jggk/nsjg/", ["首页", "机构概况", "内设机构"], OFFICES)], links)
    assert facts.org is None
    (u,) = [u for u in facts.undecided if u.code == "D02.2"]
    assert "HTTP 404" in u.reason and U + "jggk/lxfs/" in u.urls
    res = run_checks(facts, RS, AT, 1)
    assert not [f for f in res.findings if f.code == "D02.2"]
    assert any(m.code == "D02.2" and "子页面未抓取到" in m.what for m in res.manual)


def test_org_menu_without_any_holding_page(served):
    facts = build(served, [(U + "jggk/", ["首页", "机构职能"], ORG_MENU)])
    assert facts.org is None
    res = run_checks(facts, RS, AT, 1)
    assert not [f for f in res.findings if f.code == "D02.2"]
    assert any(m.code == "D02.2" and "子栏目导航" in m.what for m in res.manual)


LEADERS = page("领导信息", "首页 &gt; 机构概况 &gt; 领导信息",
               '<ul class="ld"><li><a href="/jggk/ldxx/wq/">王强 局长</a></li>'
               '<li><a href="/jggk/ldxx/ll/">刘丽 副局长</a></li><li><a href="/jggk/ldxx/zy/">赵云 副局长</a></li></ul>')
WQ = page("王强", "首页 &gt; 领导信息 &gt; 王强",
          "<h2>王强</h2><p>职务：局长</p><p>王强，男，汉族，1972年5月出生，湖北咸宁人，大学学历，1994年7月参加工作，"
          "1998年6月加入中国共产党。历任县教育局副局长、局长，现任市教育局局长。</p>")
LL = page("刘丽", "首页 &gt; 领导信息 &gt; 刘丽", "<h2>刘丽</h2><p>职务：副局长</p><p>分工：负责基础教育工作。</p>")


def test_leaders_judged_on_their_own_pages(served):
    links = [{"url": U + "jggk/ldxx/zy/", "referrer": U + "jggk/ldxx/", "outcome": "limit", "status": None,
              "internal": True}]
    facts = build(served, [(U + "jggk/ldxx/", ["首页", "机构概况", "领导信息"], LEADERS),
                           (U + "jggk/ldxx/wq/", ["首页", "领导信息", "王强"], WQ),
                           (U + "jggk/ldxx/ll/", ["首页", "领导信息", "刘丽"], LL)], links)
    by = {ld.name: ld for ld in facts.leaders}
    assert set(by) == {"王强", "刘丽"}  # 赵云's page was not archived: not judged
    assert by["王强"].resume and by["王强"].url == U + "jggk/ldxx/wq/"  # his 简历 is on his own page, unlabelled
    assert not by["刘丽"].resume
    res = run_checks(facts, RS, AT, 1)
    d032 = [f for f in res.findings if f.code == "D03.2"]
    assert [(f.evidence[0].title, f.evidence[0].url) for f in d032] == [("刘丽", U + "jggk/ldxx/ll/")]
    assert any(m.code == "D03.2" and "赵云" in m.what for m in res.manual)
