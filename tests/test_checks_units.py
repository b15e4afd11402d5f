"""Behaviour of the check runner beyond single fixtures: evidence archives, 日期异常, sampling, 需人工核查,
errors that name their field, rule-set parameters driving the checks."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from govcheck.checks import REGISTRY, run_checks
from govcheck.checks.base import Check
from govcheck.checks.facts import FactsError, SiteFacts
from govcheck.rules import load_ruleset
from govcheck.score import displaced

AT = dt.date(2022, 5, 15)
URL = "http://jyj.xianning.gov.cn/"
FIX = Path(__file__).parent / "fixtures" / "checks"


@pytest.fixture(scope="module")
def rs():
    return load_ruleset("xianning-2022")


REF = {"url": URL + "c/", "fetched_at": "2022-05-15T09:00:00+08:00", "status": 200, "sha256": "ab" * 32,
       "warc": "crawl-00007.warc.gz", "record_id": "<urn:uuid:1234>", "offset": 4096}


def ref(url: str) -> dict:
    """The archive reference the crawler's adapter gives every fact (a finding must cite archived evidence)."""
    return {**REF, "url": url}


def site(**kw) -> SiteFacts:
    d = {"url": URL, "unit": "市教育局", "name": "咸宁市教育局", "home": {"url": URL, "ref": ref(URL)}}
    d.update(kw)
    return SiteFacts.from_dict(d)


def col(path, kind, *dates, **kw):
    d = {"path": path, "name": path.split(">")[-1], "kind": kind, "url": URL + "c/",
         "items": [{"title": f"t{i}", "date": x} for i, x in enumerate(dates)], "ref": REF}
    d.update(kw)
    return d


def test_unknown_facts_give_no_finding(rs):
    res = run_checks(site(), rs, AT, 1)
    assert res.findings == [] and res.anomalies == [] and res.samples == []


def test_column_finding_cites_archived_bytes(rs):
    f = site(columns=[col("首页>教育动态", "动态要闻", "2022-04-01", ref=REF)])
    (finding,) = run_checks(f, rs, AT, 1).findings
    e = finding.evidence[0]
    assert (finding.code, e.path, e.url, e.date) == ("D04.2", "首页>教育动态", URL + "c/", "2022-04-01")
    assert (e.archive.warc, e.archive.record_id, e.archive.sha256, e.archive.offset) == \
        ("crawl-00007.warc.gz", "<urn:uuid:1234>", "ab" * 32, 4096)
    assert e.status == 200 and e.fetched_at.startswith("2022-05-15")
    assert finding.text == "" and finding.target == URL and finding.target_type == "site"


def test_future_date_is_an_anomaly_never_freshness(rs):
    f = site(columns=[col("首页>教育动态", "动态要闻", "2022-06-30", "2022-04-20")])
    res = run_checks(f, rs, AT, 1)
    assert [x.code for x in res.findings] == ["D04.2"]
    assert res.findings[0].evidence[0].date == "2022-04-20"  # newest date that may count
    (an,) = res.anomalies
    assert an.code == "X04" and an.evidence[0].date == "2022-06-30"
    # with the proposed rule in the rule set the anomaly is also a finding
    rs2 = load_ruleset("xianning-2022", [FIX / "X04" / "overlay.toml"])
    assert sorted(x.code for x in run_checks(f, rs2, AT, 1).findings) == ["D04.2", "X04"]


def test_windows_come_from_the_rule_set(tmp_path, rs):
    f = site(columns=[col("首页>教育动态", "动态要闻", "2022-04-20")])
    assert [x.code for x in run_checks(f, rs, AT, 1).findings] == ["D04.2"]
    ov = tmp_path / "o.toml"
    ov.write_text('[ruleset]\nname = "t"\n[[rule]]\ncode = "D04.2"\nwindow_days = 30\n', encoding="utf-8")
    assert run_checks(f, load_ruleset("xianning-2022", [ov]), AT, 1).findings == []


def test_other_column_uses_kind_cycle_and_records_it(tmp_path, rs):
    f = site(columns=[col("首页>信息公开>统计信息", "统计信息", "2022-01-01")])
    (x,) = run_checks(f, rs, AT, 1).findings
    # the note is what 附件1 prints (the column name); the cycle and the newest date stay with the finding
    assert x.code == "D09.2" and x.params["cycle_days"] == 92 and x.evidence[0].date == "2022-01-01"
    assert x.evidence[0].note == "统计信息"
    ov = tmp_path / "o.toml"
    ov.write_text('[ruleset]\nname = "t"\n[column_cycles]\n"统计信息" = 183\n', encoding="utf-8")
    assert run_checks(f, load_ruleset("xianning-2022", [ov]), AT, 1).findings == []
    # a site's own cycle wins over the kind's
    f.columns[0].cycle_days = 365
    assert run_checks(f, rs, AT, 1).findings == []


def test_dynamic_column_is_undecided_not_blank(rs):
    f = site(columns=[col("首页>通知公告", "通知公告", dynamic=True, items=[]),
                      col("首页>专题", "专题专栏", blank=True, dynamic=True, items=[])])
    res = run_checks(f, rs, AT, 1)
    assert res.findings == []
    assert any("首页>通知公告" in m.what for m in res.manual)


def test_script_drawn_footer_is_one_item_for_a_person_not_one_per_page(rs):
    """A footer every page loads from one include is one question for a person (citing every page), not
    hundreds of identical lines in the 人工核查清单; readable footers are still judged."""
    urls = [URL] + [f"{URL}art/{i}.html" for i in range(5)]
    f = site(footers=[{"url": u, "is_home": u == URL, "present": False, "ref": ref(u)} for u in urls])
    res = run_checks(f, rs, AT, 1)
    (m,) = [m for m in res.manual if m.code == "D21"]
    assert m.urls == urls and "6" in m.what
    assert not [x for x in res.findings if x.code in ("D21", "D23.1", "D23.2")]


def test_sub_columns_of_a_penalised_first_level_column_do_not_count_again(rs):
    f = site(columns=[col("首页>政策文件", "政策文件", first_level=True, items=[]),
                      col("首页>政策文件>规范性文件", "政策文件", "2021-10-01"),
                      col("首页>政策文件>其他文件", "政策文件", "2021-09-01")])
    fs = run_checks(f, rs, AT, 1).findings  # every finding is emitted; scoring decides which count
    gone = displaced(fs, rs)
    assert [x.code for i, x in enumerate(fs) if i not in gone] == ["D05.2"]
    assert sorted(fs[i].code for i in gone) == ["D09.2", "D09.2"] and {fs[j].code for j in gone.values()} == {"D05.2"}
    # the parent is fresh through one child: the stale child is a 其他栏目 finding of its own
    f.columns[1].items[0].date = "2022-03-01"
    res = run_checks(f, rs, AT, 1)
    assert [(x.code, x.evidence[0].path) for x in res.findings] == [("D09.2", "首页>政策文件>其他文件")]


def test_sampling_is_seeded_recorded_and_independent(rs):
    pages = [{"url": f"{URL}art/{i}.html", "page_type": "content", "meta": {"SiteName": "x"},
              "ref": ref(f"{URL}art/{i}.html")} for i in range(20)]
    f = site(pages=pages)
    a, b = run_checks(f, rs, AT, 7), run_checks(f, rs, AT, 7)
    (sa,) = a.samples
    assert sa.code == "D27.1" and sa.population == 20 and len(sa.chosen) == 5
    assert sa.chosen == b.samples[0].chosen and sa.seed == b.samples[0].seed
    assert sorted(e.url for x in a.findings for e in x.evidence) == sorted(sa.chosen)
    draws = {tuple(run_checks(f, rs, AT, s).samples[0].chosen) for s in range(8)}
    assert len(draws) > 1  # the seed matters
    # adding facts another sampling check reads does not change this check's draw
    f2 = site(pages=pages, messages=[{"title": "m", "asked": "2022-05-01", "answered": "2022-05-02",
                                      "unit": "u", "answer": "a"}])
    (again,) = [s for s in run_checks(f2, rs, AT, 7).samples if s.code == "D27.1"]
    assert again.chosen == sa.chosen


def test_manual_rules_listed_with_what_to_look_at(rs):
    res = run_checks(site(), rs, AT, 1)
    by_code = {m.code: m.what for m in res.manual}
    assert "V1.2" in by_code and "涉密" in by_code["V1.2"]
    assert "D19.1" in by_code and "D25.3" in by_code  # manual rule; not decidable from pages
    assert "D04.2" not in by_code  # automated
    res2 = run_checks(site(public_service=False), rs, AT, 1)
    assert "D13.1" in by_code and "D13.1" not in {m.code for m in res2.manual}


def test_a_failing_check_becomes_a_manual_item(rs, monkeypatch):
    def boom(facts, rs, at, rng):
        raise ValueError("坏数据")
        yield

    monkeypatch.setitem(REGISTRY, "test.boom", Check("test.boom", ("D99",), boom, ""))
    f = site(columns=[col("首页>教育动态", "动态要闻", "2022-04-01")])
    res = run_checks(f, rs, AT, 1)
    assert [x.code for x in res.findings] == ["D04.2"]
    assert any(m.code == "D99" and "坏数据" in m.what for m in res.manual)


def test_rules_absent_from_the_rule_set_give_no_finding():
    gb = load_ruleset("gb2019")
    f = site(consultations=[{"title": "c", "url": URL + "zj/1.html", "published": "2022-01-05", "start": "2022-01-05",
                             "end": "2022-02-04", "ref": ref(URL + "zj/1.html")}])
    assert run_checks(f, gb, AT, 1).findings == []
    assert [x.code for x in run_checks(f, load_ruleset("xianning-2022"), AT, 1).findings] == ["X01"]


def test_bad_facts_name_the_field(tmp_path):
    with pytest.raises(FactsError, match=r"columns\[0\]\.items\[1\]\.date.*2022-13-01"):
        site(columns=[col("首页>a", "other", "2022-01-01", "2022-13-01")])
    with pytest.raises(FactsError, match=r"columns\[0\]: 未知字段 colour"):
        site(columns=[dict(col("首页>a", "other"), colour="red")])
    with pytest.raises(FactsError, match=r"footers\[0\]\.conac: 应为 true/false"):
        site(footers=[{"url": URL, "conac": "yes"}])
    p = tmp_path / "s.yaml"
    p.write_text("site: [1, 2\n", encoding="utf-8")
    with pytest.raises(FactsError, match="s.yaml: 格式错误"):
        SiteFacts.load(p)


def test_facts_round_trip_through_json():
    f = SiteFacts.load(FIX / "D02.2" / "fail.yaml")
    again = SiteFacts.from_dict(json.loads(f.to_json()))
    assert again == f


@pytest.mark.parametrize("unit,name,flagged", [
    ("市科技局", "咸宁市科学技术局", False),
    ("市公积金管理中心", "咸宁市住房公积金中心", False),
    ("咸宁高新区", "咸宁高新技术产业开发区管理委员会", False),
    ("嘉鱼县", "嘉鱼县人民政府", False),
    ("市教育局", "咸宁之窗", True),
    ("市教育局", "咸宁市公安局", True),
])
def test_site_named_after_its_unit(rs, unit, name, flagged):
    f = SiteFacts.from_dict({"url": URL, "unit": unit, "name": name, "home": {"url": URL, "ref": ref(URL)}})
    assert bool([x for x in run_checks(f, rs, AT, 1).findings if x.code == "D20.2"]) is flagged
