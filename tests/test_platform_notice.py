"""一、（一）政务公开抽查情况 and 政务公开平台规范化检查情况表 from GK findings (issue 18): which platforms, what is
missing with counts; 均 only when every platform checked falls short; a clean round says so; and how an ambiguous
or URL-given body is matched."""
from __future__ import annotations

import datetime as dt

from govcheck.checks import run_checks
from govcheck.checks.facts import Body, ColumnFacts, EvidenceRef, PlatformFacts, SiteFacts
from govcheck.model import Evidence, Finding, Site
from govcheck.notice import RoundView, build_notice
from govcheck.rules import load_ruleset
from govcheck.score import apply_rules, score_round

RS = load_ruleset("xianning-2022")
NOTICE = {"issuer_short": "市政务公开领导小组办公室", "region": "全市", "platform_check_period": "5月初",
          "site_check_period": "5月中旬"}
COUNTIES = [("咸安区", "http://a.example.gov.cn/"), ("嘉鱼县", "http://b.example.gov.cn/"), ("通山县", "http://c.example.gov.cn/")]


def _view(findings: list[Finding], checked=COUNTIES) -> RoundView:
    sites = [Site(region=u, unit=u, name=u + "人民政府", url=url, kind="门户") for u, url in COUNTIES]
    apply_rules(findings, RS)
    platforms = [{"unit": u, "url": url, "region": u, "platform": {"path": "首页>政府信息公开", "url": url + "zfxxgk/",
                                                                   "name": "政府信息公开", "standard": True},
                  "bodies": [{"name": f"{u}民政局", "type": "部门", "file": "bodies.csv", "row": 2 + i, "match": "none",
                              "path": None, "url": None}]} for i, (u, url) in enumerate(checked)]
    meta = {"notice": NOTICE, "platform": {"roster": "bodies.csv", "platforms": platforms}}
    return RoundView(meta=meta, rs=RS, sites=sites, accounts=[], findings=findings,
                     scores=score_round(sites, [], findings, RS))


def _missing(unit: str, url: str, body: str, typ: str) -> Finding:
    return Finding(unit=unit, target=url, target_type="site", code="GK2.1", params={"body": body, "type": typ},
                   evidence=[Evidence(path="首页>政府信息公开>部门信息公开平台", url=url + "bm/"),
                             Evidence(file="bodies.csv", row=2)])


def _paragraph(view: RoundView) -> str:
    doc = build_notice(view)
    return next(p.text for p in doc.body if "政务公开抽查情况" in p.text)


def test_some_platforms_are_named_with_their_counts():
    fs = [_missing("嘉鱼县", COUNTIES[1][1], "嘉鱼县民政局", "部门"), _missing("嘉鱼县", COUNTIES[1][1], "嘉鱼县财政局", "部门"),
          _missing("嘉鱼县", COUNTIES[1][1], "官桥镇", "乡镇街道")]
    text = _paragraph(_view(fs))
    assert text.startswith("（一）政务公开抽查情况。市政务公开领导小组办公室于5月初对全市政务公开工作进行抽查")
    assert "嘉鱼县政府存在未按《省人民政府办公厅关于规范政府信息公开平台建设有关事项的通知》要求" in text
    assert "（嘉鱼县未开设部门子平台2个，未开设乡镇（街道）子平台1个）" in text
    assert "咸安区" not in text and "通山县" not in text and "均" not in text


def test_every_platform_short_says_jun():
    fs = [_missing(u, url, f"{u}民政局", "部门") for u, url in COUNTIES]
    text = _paragraph(_view(fs))
    assert "县（市、区）政府均存在未按" in text
    assert all(f"{u}未开设部门子平台1个" in text for u, _ in COUNTIES)


def test_a_clean_round_says_the_platforms_are_in_order():
    text = _paragraph(_view([]))
    assert "3个县（市、区）政府信息公开平台均已按" in text and "存在" not in text


def test_no_platform_checked_no_section():
    view = _view([], checked=[])
    view.meta.pop("platform")
    assert not any("政务公开抽查情况" in p.text for p in build_notice(view).body)
    assert not any("政务公开平台规范化检查情况表" in a.title for a in build_notice(view).attachments)


def test_attachment_rows_per_platform_and_body():
    fs = [_missing("嘉鱼县", COUNTIES[1][1], "嘉鱼县民政局", "部门")]
    att = next(a for a in build_notice(_view(fs)).attachments if a.title == "政务公开平台规范化检查情况表")
    (table,) = att.tables
    assert table.header[:5] == ["县（市、区）", "单位名称", "类型", "子平台栏目", "存在问题"]
    rows = {r[1]: r for r in table.rows}
    assert rows["嘉鱼县政府信息公开平台"][4] == "无"
    assert rows["嘉鱼县民政局"][3] == "未开设" and "未开设嘉鱼县民政局信息公开子平台" in rows["嘉鱼县民政局"][4]
    assert "bodies.csv第2行" in rows["嘉鱼县民政局"][5] and "部门信息公开平台" in rows["嘉鱼县民政局"][5]
    assert rows["咸安区民政局"][4] == "无"


def _ref(url: str) -> EvidenceRef:
    return EvidenceRef(url=url, status=200, warc="a.warc.gz", record_id="<urn:uuid:1>")


def _site(bodies: list[Body], subs: list[tuple[str, str]]) -> SiteFacts:
    cols = [ColumnFacts(path="首页>政府信息公开", name="政府信息公开", role="menu", url="http://x/gk/", ref=_ref("http://x/gk/"))]
    for label in ("政府信息公开指南", "政府信息公开制度", "法定主动公开内容", "政府信息公开年报"):
        cols.append(ColumnFacts(path=f"首页>政府信息公开>{label}", name=label, role="page", url=f"http://x/{label}/"))
    cols.append(ColumnFacts(path="首页>政府信息公开>部门信息公开平台", name="部门信息公开平台", role="menu",
                            url="http://x/bm/", ref=_ref("http://x/bm/")))
    for name, url in subs:
        cols.append(ColumnFacts(path=f"首页>政府信息公开>部门信息公开平台>{name}", name=name, role="menu", url=url,
                                ref=_ref(url)))
        for label in ("政府信息公开指南", "政府信息公开制度", "法定主动公开内容", "政府信息公开年报"):
            cols.append(ColumnFacts(path=f"首页>政府信息公开>部门信息公开平台>{name}>{label}", name=label, role="page",
                                    sub_platform=name, url=f"{url}{label}/"))
    return SiteFacts(url="http://x/", unit="嘉鱼县", kind="门户", columns_known=True, columns=cols,
                     platform=PlatformFacts(bodies=bodies, region="嘉鱼县"))


def test_an_ambiguous_abbreviation_goes_to_a_person_and_a_url_decides():
    # 县财局 could be 财政局 or 财贸局 … here: two sub-platforms both abbreviate 嘉鱼县市场监督管理局
    subs = [("县市场监管局", "http://x/scjg/"), ("县市监局", "http://x/sjj/")]
    facts = _site([Body(name="嘉鱼县市场监督管理局", type="部门", file="b.csv", row=2)], subs)
    res = run_checks(facts, RS, dt.date(2022, 5, 15), 1)
    assert not [f for f in res.findings if f.code.startswith("GK")]
    assert [m.code for m in res.manual if m.code.startswith("GK")] == ["GK2.1"]
    facts.platform.bodies[0].url = "http://x/sjj/"  # the roster gives its 平台栏目网址
    res = run_checks(facts, RS, dt.date(2022, 5, 15), 1)
    assert not [x for x in res.findings + res.manual if x.code.startswith("GK")]


def test_a_missing_platform_is_a_finding_only_on_a_full_column_tree():
    facts = SiteFacts(url="http://x/", unit="嘉鱼县", kind="门户", columns_known=False,
                      columns=[ColumnFacts(path="首页>新闻中心", name="新闻中心", role="menu")],
                      platform=PlatformFacts(bodies=[Body(name="嘉鱼县民政局")], region="嘉鱼县"))
    res = run_checks(facts, RS, dt.date(2022, 5, 15), 1)
    assert not [f for f in res.findings if f.code.startswith("GK")]
    assert {m.code for m in res.manual if m.code.startswith("GK")} == {"GK1.1", "GK2.1"}


def test_a_platform_that_could_not_be_read_is_never_counted_in_jun_or_clean():
    fs = [_missing(u, url, f"{u}民政局", "部门") for u, url in COUNTIES[:2]]
    view = _view(fs, checked=COUNTIES[:2])
    view.meta["platform"]["unchecked"] = ["通山县"]
    text = _paragraph(view)
    assert "均" not in text and "咸安区、嘉鱼县政府存在未按" in text
    clean = _view([], checked=COUNTIES[:2])
    clean.meta["platform"]["unchecked"] = ["通山县"]
    assert not any("政务公开抽查情况" in p.text for p in build_notice(clean).body)
