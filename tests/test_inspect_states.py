"""Every column of a crawled site ends in exactly one state — judged from the pages, judged from data the page
loads, or 需人工核查 with the reason — and how each column's kind was decided, on hand-made page records."""
from __future__ import annotations

import datetime as dt

from govcheck.checks import run_checks
from govcheck.checks.facts import EvidenceRef, SiteFacts
from govcheck.inspect.adapter import PageRec, _column_facts, column_tree, confirm_years
from govcheck.rules import load_ruleset

AT = dt.date(2022, 5, 15)
U = "http://x.gov.cn/"
RS = load_ruleset("xianning-2022")


def rec(url: str, crumbs: list[str], items=(), kind: str = "list", depth: int = 1, **d) -> PageRec:
    d = {"kind": kind, "breadcrumb": crumbs, "blank": False, "dynamic_list": False,
         "items": [dict(title=t, url=u, date=dd, **extra) for t, u, dd, *rest in items
                   for extra in [rest[0] if rest else {}]], **d}
    return PageRec(url=url, ref=EvidenceRef(url=url, status=200, warc="warc/x.warc.gz", record_id="<urn:uuid:1>",
                                            sha256="0" * 64), depth=depth, d=d)


def home(nav: list[tuple[str, str]]) -> PageRec:
    return rec(U, [], kind="home", depth=0, nav=[{"path": p, "url": u} for p, u in nav])


def facts_of(pages, sitemap=(), cycles=None, unread=None):
    cols, known = column_tree(pages, list(sitemap), U)
    return {c.path: c for c in _column_facts(cols, AT, cycles if cycles is not None else dict(RS.column_cycles),
                                             unread)}


def test_each_column_one_state_with_reason():
    pages = [
        home([("首页>新闻中心", U + "xw/"), ("首页>新闻中心>工作动态", U + "xw/gz/"),
              ("首页>新闻中心>图片新闻", U + "xw/tp/"), ("首页>政务公开>通知公告", U + "zw/tz/"),
              ("首页>政务公开>财政预决算", U + "zw/cz/"), ("首页>互动交流", U + "hd/")]),
        rec(U + "xw/gz/", ["首页", "新闻中心", "工作动态"], [("a", U + "xw/gz/1.html", "2022-05-10")]),
        # drawn by script, its rows held in a <datastore> (read by extraction, source "script")
        rec(U + "xw/tp/", ["首页", "新闻中心", "图片新闻"], [("b", U + "xw/tp/1.html", "2022-05-01", {"source": "script"})],
            loads_data=True, dynamic_list=False),
        # drawn by script, nothing read
        rec(U + "zw/tz/", ["首页", "政务公开", "通知公告"], [], dynamic_list=True),
        # a record store with no record: data read, but nothing in it
        rec(U + "zw/cz/", ["首页", "政务公开", "财政预决算"], [], dynamic_list=True, loads_data=True),
        rec(U + "gk/", ["首页", "单位简介"], [], kind="article"),
    ]
    cf = facts_of(pages, unread={U + "hd/": "链接打不开，HTTP 404"})
    st = {p: (c.state, c.role) for p, c in cf.items()}
    assert st["首页>新闻中心>工作动态"] == ("pages", "list")
    assert st["首页>新闻中心>图片新闻"] == ("data", "list")
    assert st["首页>新闻中心"] == ("pages", "menu")  # judged through its sub-columns
    assert st["首页>政务公开>通知公告"] == ("manual", "list")
    assert "脚本" in cf["首页>政务公开>通知公告"].state_reason
    assert st["首页>政务公开>财政预决算"][0] == "manual" and "没有条目" in cf["首页>政务公开>财政预决算"].state_reason
    assert not cf["首页>政务公开>财政预决算"].blank  # an empty store is not a blank column
    assert st["首页>单位简介"] == ("pages", "page")
    assert st["首页>互动交流"] == ("manual", "unread") and "HTTP 404" in cf["首页>互动交流"].state_reason
    assert all(c.state in ("pages", "data", "manual") for c in cf.values())
    assert all(c.state_reason for c in cf.values() if c.state == "manual")

    site = SiteFacts(url=U, unit="某县", columns=list(cf.values()))
    assert site.column_states() == {"pages": 3, "data": 1, "manual": 4}  # 4 = 通知公告, 财政预决算, 互动交流, 政务公开
    res = run_checks(site, RS, AT, 1)
    listed = {m.what.split("：")[0] for m in res.manual}
    for p, c in cf.items():  # none silently skipped: every manual column is listed for a person, with its reason
        if c.state == "manual":
            assert p in listed, p
    assert not [f for f in res.findings if any(e.path in ("首页>政务公开>通知公告", "首页>政务公开>财政预决算")
                                               for e in f.evidence)]


def test_one_column_printed_under_two_names_is_one_column():
    pages = [home([("首页>动态", U + "xw/gz/"), ("首页>要闻", U + "xw/yw/"), ("首页>要闻>专项", U + "xw/yw/zx/")]),
             rec(U + "xw/gz/", ["首页", "新闻", "本地信息"], [("a", U + "xw/gz/1.html", "2022-05-10")]),
             rec(U + "xw/yw/", ["首页", "新闻", "栏目乙"], [("b", U + "xw/yw/1.html", "2022-05-10")])]
    cf = facts_of(pages)
    assert "首页>动态" not in cf and "首页>要闻" not in cf  # a menu entry is the column its own page prints
    col = cf["首页>新闻>本地信息"]
    assert col.items and col.state == "pages" and col.role == "list"
    assert (col.kind, col.kind_source, col.kind_from) == ("动态要闻", "name", "动态")  # the menu's name for it
    # what the menu lists under a column moves with it; a column whose sub-columns were never read is not
    # judged on its own page (it lists its sub-columns' entries): a person looks
    menu = cf["首页>新闻>栏目乙"]
    assert "首页>新闻>栏目乙>专项" in cf and menu.role == "menu" and menu.state == "manual"


def test_kind_source_parent_and_topics():
    pages = [rec(U + "zc/", ["首页", "政府文件"], [("a", U + "zc/1.html", "2022-05-10")]),
             rec(U + "zc/jj/", ["首页", "政府文件", "经济"], [("b", U + "zc/jj/1.html", "2022-05-10")]),
             rec(U + "zt/aq/", ["首页", "专题专栏", "安全生产月"], [("c", U + "zt/aq/1.html", "2020-06-28")]),
             rec(U + "zt/aq/dt/", ["首页", "专题专栏", "安全生产月", "工作动态"],
                 [("d", U + "zt/aq/dt/1.html", "2020-06-28")])]
    cf = facts_of(pages)
    assert (cf["首页>政府文件>经济"].kind, cf["首页>政府文件>经济"].kind_source) == ("政策文件", "parent")
    for p in ("首页>专题专栏>安全生产月", "首页>专题专栏>安全生产月>工作动态"):
        assert (cf[p].kind, cf[p].kind_source, cf[p].kind_from) == ("专题专栏", "parent", "首页>专题专栏")
    site = SiteFacts(url=U, unit="某县", columns=list(cf.values()))
    codes = {f.code for f in run_checks(site, RS, AT, 1).findings}
    assert "D04.2" not in codes  # a topic's 工作动态 is not judged by the 2-week news window


def test_window_rules_deduct_only_on_named_kinds_and_full_dates():
    # a column outside the vocabulary whose rows talk of meetings: never the 2-week news window
    meeting = [(f"召开提案办理工作会议{i}", U + f"ta/{i}.html", "2022-03-01") for i in range(5)]
    # a news column whose newest row shows only MM-DD
    mmdd = [("要闻一", U + "yw/1.html", "2022-04-20", {"date_precision": "month_day"})]
    pages = [rec(U + "ta/", ["首页", "建议提案办理"], meeting),
             rec(U + "yw/", ["首页", "本地要闻"], mmdd),
             rec(U + "gz/", ["首页", "工作动态"], [("要闻二", U + "gz/1.html", "2022-04-20")])]
    cf = facts_of(pages)
    assert cf["首页>建议提案办理"].kind == "other"
    res = run_checks(SiteFacts(url=U, unit="某县", columns=list(cf.values())), RS, AT, 1)
    d042 = [f for f in res.findings if f.code == "D04.2"]
    assert [e.path for f in d042 for e in f.evidence] == ["首页>工作动态"]  # the full date, the named kind
    # the MM-DD one is held by the evidence standard: a person sees the finding it would have been
    (m,) = [m for m in res.manual if m.code == "D04.2" and m.held]
    assert "只写月日" in m.what and m.held["evidence"][0]["path"] == "首页>本地要闻"


def test_guessed_kind_goes_to_a_person_not_a_window():
    rows = [(f"关于某某问题的解读{i}", U + f"jd/{i}.html", "2021-09-01") for i in range(4)]
    cf = facts_of([rec(U + "jd/", ["首页", "政务公开", "栏目甲"], rows)])
    col = cf["首页>政务公开>栏目甲"]
    assert (col.kind, col.kind_source) == ("政策解读", "titles")
    col.first_level = True
    res = run_checks(SiteFacts(url=U, unit="某县", columns=[col]), RS, AT, 1)
    assert not [f for f in res.findings if f.code == "D06.2"]
    (m,) = [m for m in res.manual if m.code == "D06.2" and m.held]
    assert "推断" in m.what and "政策解读" in m.what


def test_year_of_an_mmdd_row_is_read_from_its_page():
    from govcheck.checks.facts import Item

    items = [Item("a", U + "a.html", "2022-05-10", date_precision="month_day"),
             Item("b", U + "b.html", "2022-05-09", date_precision="month_day"),
             Item("c", U + "202105/t20210508_1.html", "2022-05-08", date_precision="month_day")]
    confirm_years(items, {U + "a.html": "2021-05-10", U + "b.html": "2022-05-08"})
    assert (items[0].date, items[0].date_inferred) == ("2021-05-10", False)  # its page shows the year
    assert (items[1].date, items[1].date_inferred) == ("2022-05-09", True)  # another day: still a guess
    assert (items[2].date, items[2].date_inferred) == ("2021-05-08", False)  # its URL carries the day


def test_dates_without_year_decide_no_consultation_or_message_finding():
    from govcheck.checks.build import consultation_from_page, messages_from_page, ref_for
    from govcheck.extract.dom import parse_page

    ref = ref_for(U + "dczj/1.html", status=200, sha256="0" * 64, warc="warc/x.warc.gz", record_id="<urn:uuid:c>")
    # 征求意见 "5月1日至5月30日" published 2021-04-28, never answered: X01 on a guessed year is a person's call
    c = consultation_from_page({"title": "关于公开征求《某办法》意见的公告", "publish_date": "2021-04-28"},
                               "征求意见时间为5月1日至5月30日。", ref)
    assert set(c.dates_inferred) == {"start", "end"}
    html = ("<html><body><div class='main'><p>留言标题：停车难</p><p>留言时间：12月20日</p>"
            "<p>留言内容：某路段停车难。</p></div></body></html>")
    (m,) = messages_from_page(parse_page(html), ref_for(U + "ly/1.html", status=200, sha256="0" * 64,
                                                         warc="warc/x.warc.gz", record_id="<urn:uuid:m>"), AT)
    assert m.asked == "2021-12-20" and m.dates_inferred == ["asked"]
    res = run_checks(SiteFacts(url=U, unit="某县", consultations=[c], messages=[m]), RS, AT, 1)
    assert not [f for f in res.findings if f.code in ("X01", "V5.2")]
    assert [m.code for m in res.manual if m.held] == ["X01"]  # held by the evidence standard (full_dates)
    assert any(m.code == "V5.2" and "年份系推断" in m.what for m in res.manual)  # left out of V5.2's count


def test_breadcrumbs_without_home_or_starting_at_the_site_name():
    pages = [rec(U + "zw/tz/", ["政务公开", "通知公告"], [("a", U + "zw/tz/1.html", "2022-05-10")]),
             rec(U + "xw/gz/", ["示例县人民政府", "新闻中心", "工作动态"], [("b", U + "xw/gz/1.html", "2022-05-10")]),
             rec(U + "jyj/", ["县教育局", "政策文件"], [("c", U + "jyj/1.html", "2022-05-10")])]
    for p in pages:
        p.home_names = ("示例县教育局网站", "示例县教育局")
    cf = facts_of(pages)
    assert "首页>政务公开>通知公告" in cf and not cf["首页>政务公开>通知公告"].first_level  # not 首页>通知公告
    assert "首页>新闻中心>工作动态" in cf  # the site's name stands for 首页
    assert cf["首页>政策文件"].first_level  # the unit's own name stands for 首页


def test_topmost_policy_column_is_first_level_where_none_sits_at_the_top():
    pages = [rec(U + "zw/wj/", ["首页", "政务信息", "政府文件"], [("a", U + "zw/wj/1.html", "2021-03-29")]),
             rec(U + "zw/wj/jj/", ["首页", "政务信息", "政府文件", "经济"], [("b", U + "zw/wj/jj/1.html", "2021-03-01")]),
             rec(U + "zw/jd/", ["首页", "政务信息", "解读回应"], [("c", U + "zw/jd/1.html", "2021-03-31")])]
    cf = facts_of(pages)
    assert cf["首页>政务信息>政府文件"].first_level and cf["首页>政务信息>解读回应"].first_level
    assert not cf["首页>政务信息>政府文件>经济"].first_level
    codes = sorted(f.code for f in run_checks(SiteFacts(url=U, unit="某县", columns=list(cf.values())), RS, AT, 1).findings)
    assert "D05.2" in codes and "D06.2" in codes
