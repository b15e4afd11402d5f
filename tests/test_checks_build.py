"""SiteFacts built from real HTML through the extraction layer, in three CMS styles (TRS, Hanweb, 信息公开
platform), judged by the checks: the same column or footer fails or passes on the facts the page holds."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from govcheck.checks import run_checks
from govcheck.checks.build import column_from_page, footer_from_page, home_from_page, ref_for, tags_from_page
from govcheck.checks.facts import SiteFacts
from govcheck.extract import extract_page
from govcheck.extract.columns import classify_column
from govcheck.rules import load_ruleset

FIX = Path(__file__).parent / "fixtures" / "extract"
BASE = "http://www.example.gov.cn/"


@pytest.fixture(scope="module")
def rs():
    return load_ruleset("xianning-2022")


def page(name: str):
    url = f"{BASE}{name}/index.html"
    d = extract_page((FIX / f"{name}.html").read_bytes(), url)
    ref = ref_for(url, "2022-07-01T10:00:00+08:00", status=200, sha256="cd" * 32, warc="w.warc.gz",
                  record_id=f"<urn:uuid:{name}>")
    return d, ref


def site(**kw) -> SiteFacts:
    return SiteFacts(url=BASE, unit="示例县", name="示例县人民政府", **kw)


def arch(url: str):
    """An archived fetch, as the crawl index gives every fact (a finding must cite archived evidence)."""
    return ref_for(url, "2022-07-01T10:00:00+08:00", status=200, sha256="ab" * 32, warc="w.warc.gz",
                   record_id=f"<urn:uuid:{abs(hash(url))}>")


def column(name: str):
    d, ref = page(name)
    path = ">".join(d["breadcrumb"])
    kind = classify_column(d["title"] or "", [i["title"] for i in d["items"]], path)
    return column_from_page(d, path, kind, ref), d


@pytest.mark.parametrize("name,kind", [("trs_list", "通知公告"), ("hanweb_list", "政策文件")])
def test_list_page_column_fresh_then_stale(rs, name, kind):
    col, d = column(name)
    assert col.kind == kind and col.items and not col.blank
    newest = max(dt.date.fromisoformat(i["date"]) for i in d["items"] if i.get("date"))
    fresh = run_checks(site(columns=[col]), rs, newest + dt.timedelta(days=10), 1)
    assert fresh.findings == []
    cycle = rs.column_cycles[kind]
    late = newest + dt.timedelta(days=cycle + 1)
    (f,) = run_checks(site(columns=[col]), rs, late, 1).findings
    assert f.code == "D09.2" and f.evidence[0].path == col.path
    assert f.evidence[0].archive.record_id == f"<urn:uuid:{name}>"
    assert f.params["cycle_days"] == cycle and f.evidence[0].note == col.name


def test_trs_list_future_entry_is_anomaly_not_freshness(rs):
    col, _ = column("trs_list")  # its newest entry is dated 2022-06-15
    at = dt.date(2022, 5, 15)
    res = run_checks(site(columns=[col]), rs, at, 1)
    assert [a.evidence[0].date for a in res.anomalies] == ["2022-06-15"]
    assert res.findings == []  # 2022-05-12 is within the 通知公告 cycle
    col.cycle_days = 2  # judged on 2022-05-12, three days old: the June entry does not make it fresh
    res = run_checks(site(columns=[col]), rs, at, 1)
    assert [f.code for f in res.findings] == ["D09.2"] and res.findings[0].evidence[0].date == "2022-05-12"


def test_blank_and_script_drawn_lists(rs):
    blank, _ = column("blank_list")
    js, _ = column("js_list")
    res = run_checks(site(columns=[blank, js]), rs, dt.date(2022, 5, 15), 1)
    assert [(f.code, f.evidence[0].path) for f in res.findings] == [("D09.1", blank.path)]
    assert any(js.path in m.what for m in res.manual)


@pytest.mark.parametrize("name,missing", [
    ("trs_list", set()),
    ("hanweb_list", set()),
    ("hanweb_article", {"党政机关网站标识", "公安机关备案标识", "联系方式"}),
    ("xxgk_list", {"党政机关网站标识"}),
])
def test_footer_elements(rs, name, missing):
    d, ref = page(name)
    res = run_checks(site(footers=[footer_from_page(d, ref)]), rs, dt.date(2022, 7, 1), 1)
    d21 = {f.params["element"] for f in res.findings if f.code == "D21"}
    assert d21 == missing


def test_error_entry_on_home_and_other_pages(rs):
    home, href = page("home")
    art, aref = page("trs_article")
    lst, lref = page("trs_list")
    footers = [footer_from_page(home, href, is_home=True), footer_from_page(art, aref), footer_from_page(lst, lref)]
    codes = [(f.code, f.evidence[0].url) for f in run_checks(site(footers=footers), rs, dt.date(2022, 7, 1), 1).findings
             if f.code.startswith("D23")]
    assert codes == [("D23.1", href.url), ("D23.2", aref.url)]


@pytest.mark.parametrize("name,fails", [("trs_article", False), ("hanweb_article", True), ("xxgk_article", True),
                                        ("trs_list", False), ("xxgk_list", True)])
def test_page_tags(rs, name, fails):
    d, ref = page(name)
    tags = tags_from_page(d, ref)
    res = run_checks(site(pages=[tags]), rs, dt.date(2022, 7, 1), 1)
    assert bool([f for f in res.findings if f.code.startswith("D27")]) is fails


def test_home_page_freshness(rs):
    d, ref = page("home")  # entries up to 2022-06-29
    home = home_from_page(d, ref)
    assert run_checks(site(home=home), rs, dt.date(2022, 7, 5), 1).findings == []
    (f,) = run_checks(site(home=home), rs, dt.date(2022, 7, 20), 1).findings
    assert f.code == "V3" and f.evidence[0].date == "2022-06-29"


def _snippets(real_corpus):
    import json

    path = real_corpus / "pages-corpus-text" / "snippets.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_real_consultation_text_feedback_and_fraud(rs, real_corpus):
    from govcheck.checks.build import consultation_from_page

    snips = [s for s in _snippets(real_corpus) if "征求意见时间为" in s["text"]]
    assert snips, "no consultation snippet with a stated range"
    text = snips[0]["text"]
    ref = arch(snips[0]["url"])
    ok = consultation_from_page({"title": "征求意见", "publish_date": "2022-05-09"}, text, ref)
    assert (ok.start, ok.end) == ("2022-05-09", "2022-06-07")
    assert run_checks(site(consultations=[ok]), rs, dt.date(2022, 6, 20), 1).findings == []  # feedback not yet due
    (f,) = run_checks(site(consultations=[ok]), rs, dt.date(2022, 8, 1), 1).findings
    assert f.code == "X01" and f.evidence[0].date == "2022-06-07"
    # the same text published after its stated end: the period cannot be true
    late = consultation_from_page({"title": "征求意见", "publish_date": "2022-06-20"}, text, ref)
    (v,) = run_checks(site(consultations=[late]), rs, dt.date(2022, 6, 25), 1).findings
    assert v.code == "V1.5" and v.evidence[0].note == "发布日期晚于调查征集结束日期"


PAGES = Path(__file__).parent / "fixtures" / "checks" / "pages"


@pytest.mark.parametrize("name,notes", [
    ("org_hanweb_hours_missing", ["未标明办公时间"] * 4),
    ("org_xxgk_head_missing", ["负责人姓名缺失"] * 4),
    ("org_hanweb_mixed", ["负责人姓名缺失", "未标明办公时间", "负责人姓名缺失", "未标明办公时间"]),
])
def test_org_page_offices(rs, name, notes):
    from govcheck.checks.build import org_entries_from_html
    from govcheck.notice import load_template, unit_lines
    from govcheck.score import apply_rules

    ref = ref_for("http://jyj.example.gov.cn/jgzn/", status=200, warc="w.warc.gz", record_id="<r>", sha256="ef" * 32)
    entries = org_entries_from_html((PAGES / f"{name}.html").read_bytes(), "市示例局", ref)
    assert entries[0].level == "unit" and len(entries) > 5
    fs = run_checks(site(org=entries), rs, dt.date(2022, 5, 15), 1).findings
    assert [f.evidence[0].note for f in fs] == notes
    assert all(f.code == "D02.2" and f.evidence[0].archive.record_id == "<r>" for f in fs)
    (line,) = unit_lines(apply_rules(fs, rs), rs, load_template(None))
    assert line.text.startswith("机构职能信息不准确的，每发现一处，扣1分。共扣4分。（")


def test_org_page_without_office_headings_gives_the_unit_only(rs):
    from govcheck.checks.build import org_entries_from_html

    html = ("<html><body><h3>主要职责</h3><p>负责全县教育工作。</p><p>内设机构：办公室、基础教育股</p>"
            "<p>办公地址：示例县人民路1号 办公时间：8:30-17:30 联系电话：0715-1234567</p></body></html>")
    (e,) = org_entries_from_html(html, "示例县教育局", ref_for("http://x.gov.cn/jgzn/"))
    assert e.level == "unit" and e.fields["机关职能"] and e.fields["办公时间"]
    assert run_checks(site(org=[e]), rs, dt.date(2022, 5, 15), 1).findings == []


def test_feedback_pages_attach_by_document_name(rs):
    from govcheck.checks.build import attach_feedback
    from govcheck.checks.facts import Consultation, Item

    cs = [Consultation("关于公开征求《示例县养犬管理办法（征求意见稿）》意见的公告", "http://x/c1", published="2022-01-05",
                       start="2022-01-05", end="2022-02-04", ref=arch("http://x/c1")),
          Consultation("《示例县供水规划（征求意见稿）》公开征求意见", "http://x/c2", published="2022-01-10", start="2022-01-10",
                       end="2022-02-09", ref=arch("http://x/c2"))]
    fb = [Item("关于《示例县养犬管理办法（征求意见稿）》公开征求意见采纳情况的反馈", "http://x/fb1", "2022-02-20"),
          Item("关于《示例县养犬管理办法（征求意见稿）》征求意见结果的公示", "http://x/fb0", "2021-12-01"),  # before: not it
          Item("《示例县供水规划》征求意见情况说明", "http://x/fb2", "2022-02-15")]  # another document name
    attach_feedback(cs, fb)
    assert (cs[0].feedback_url, cs[0].feedback_date) == ("http://x/fb1", "2022-02-20")
    assert cs[1].feedback_url is None
    fs = run_checks(site(consultations=cs), rs, dt.date(2022, 5, 15), 1).findings
    assert [(f.code, f.evidence[0].title) for f in fs] == [("X01", cs[1].title)]


def test_unclassified_sub_columns_take_their_parents_kind(rs):
    from govcheck.checks.build import inherit_kinds
    from govcheck.checks.facts import ColumnFacts, Item

    base = "首页>政府信息公开>政策>其他主动公开文件>政府文件"
    cols = [ColumnFacts(base, "政府文件", "政策文件", items=[Item("t", date="2022-05-01")], ref=arch("http://x/1")),
            ColumnFacts(base + ">经济", "经济", "other", items=[Item("t", date="2021-06-30")], ref=arch("http://x/2")),
            ColumnFacts("首页>魅力嘉鱼>嘉鱼交通", "嘉鱼交通", "other", items=[Item("t", date="2020-11-05")],
                        ref=arch("http://x/3"))]
    inherit_kinds(cols)
    assert [c.kind for c in cols] == ["政策文件", "政策文件", "other"]
    fs = run_checks(site(columns=cols), rs, dt.date(2022, 5, 15), 1).findings
    # 经济 by the 政策文件 cycle it inherits; 嘉鱼交通, a dated list of no kind, by D09.2's uncycled_list_days
    assert [(f.code, f.evidence[0].path, f.params["cycle_days"]) for f in fs] == [
        ("D09.2", base + ">经济", rs.column_cycles["政策文件"]), ("D09.2", "首页>魅力嘉鱼>嘉鱼交通", 365)]


def _report(name: str):
    from govcheck.checks.build import annual_report_from_page
    from govcheck.extract.dom import parse_page

    b = (PAGES / f"{name}.html").read_bytes()
    url = f"http://example.gov.cn/nb/{name}.html"
    return annual_report_from_page(extract_page(b, url), parse_page(b, url).text,
                                   ref_for(url, status=200, warc="w.warc.gz", record_id=f"<{name}>", sha256="01" * 32))


@pytest.mark.parametrize("pair,repeated", [(("report_hanweb_repeat_2020", "report_hanweb_repeat_2021"), True),
                                           (("report_trs_2020", "report_trs_2021"), False)])
def test_annual_report_section5_repeat(rs, pair, repeated):
    reps = [_report(n) for n in pair]
    assert [r.year for r in reps] == [2020, 2021] and all(r.section5 for r in reps)
    fs = run_checks(site(annual_reports=reps), rs, dt.date(2022, 5, 15), 1).findings
    assert [f.code for f in fs] == (["X03.2"] if repeated else [])
    if repeated:
        assert fs[0].params["years"] == "2020年和2021年"
        assert [e.archive.record_id for e in fs[0].evidence] == [f"<{pair[0]}>", f"<{pair[1]}>"]


def test_annual_report_published_after_deadline(rs):
    late = _report("report_trs_late_2021")
    assert (late.year, late.published) == (2021, "2022-02-16")
    (f,) = run_checks(site(annual_reports=[late]), rs, dt.date(2022, 5, 15), 1).findings
    assert f.code == "X03.1" and f.params["deadline"] == "2022年1月31日"
    assert run_checks(site(annual_reports=[_report("report_trs_2021")]), rs, dt.date(2022, 5, 15), 1).findings == []


def test_policies_and_interpretations_linked_from_page_links(rs):
    from govcheck.checks.build import link_documents, page_links
    from govcheck.checks.facts import Interpretation, Policy

    b = "http://example.gov.cn/"
    pol_html = ('<html><body><h1>关于印发《示例方案》的通知</h1><div class="related">相关解读：'
                '<a href="../jd/1.html#top">《示例方案》政策解读</a></div><a href="/index.html">首页</a></body></html>')
    interp_html = '<html><body><h1>《示例方案》政策解读</h1><p>（无原文链接）</p></body></html>'
    pols = [Policy(b + "zc/1.html", "关于印发《示例方案》的通知", "2022-03-01", ref=arch(b + "zc/1.html"))]
    itps = [Interpretation(b + "jd/1.html", "《示例方案》政策解读", "2022-03-02", ref=arch(b + "jd/1.html"))]
    links = {pols[0].url: page_links(pol_html, pols[0].url), itps[0].url: page_links(interp_html, itps[0].url)}
    link_documents(pols, itps, links)
    assert pols[0].interpretation_urls == [itps[0].url] and itps[0].policy_urls == []
    fs = run_checks(site(policies=pols, interpretations=itps), rs, dt.date(2022, 5, 15), 1).findings
    assert [(f.code, f.evidence[0].note) for f in fs] == [("D08", "解读稿未关联政策文件")]


def test_interpretation_linking_only_an_unread_article_is_left_to_a_person(rs):
    """An interpretation whose only link goes to an archived article of a column the crawl never read (a
    policy reached through that link alone) cannot be proved unlinked: 需人工核查, not a D08 deduction; the
    same interpretation with no such link is still a finding."""
    from govcheck.checks.facts import Interpretation

    b = "http://example.gov.cn/"
    itp = Interpretation(b + "jd/1.html", "《示例方案》政策解读", "2022-03-02", ref=arch(b + "jd/1.html"),
                         unread_links=[b + "gfxwj/1.html"])
    res = run_checks(site(interpretations=[itp]), rs, dt.date(2022, 5, 15), 1)
    assert [f.code for f in res.findings] == []
    [m] = [m for m in res.manual if m.code == "D08"]
    assert b + "gfxwj/1.html" in m.urls and "人工核实" in m.what
    itp.unread_links = []
    res = run_checks(site(interpretations=[itp]), rs, dt.date(2022, 5, 15), 1)
    assert [f.code for f in res.findings] == ["D08"] and not [m for m in res.manual if m.code == "D08"]
