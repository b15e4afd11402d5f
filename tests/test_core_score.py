"""The scoring engine, rule by rule of shared/spec/indicators.md §1."""
from __future__ import annotations

import pytest

from govcheck.model import Account, Finding, Site
from govcheck.rules import load_ruleset
from govcheck.score import apply_rules, score_round
from govcheck.stats import pct


@pytest.fixture(scope="module")
def gb():
    return load_ruleset("gb2019")


def site(kind="部门", public_service=True, url="http://a.example/"):
    return Site(region="市直", unit="甲单位", name="甲", url=url, kind=kind, public_service=public_service)


def f(code, url="http://a.example/", review="pending", **params):
    return Finding(unit="甲单位", target=url, target_type="site", code=code, review=review, params=params)


def score(rs, s, items):
    items = apply_rules(items, rs)
    return score_round([s], [], items, rs)[0]


def test_clean_site_scores_full(gb):
    sc = score(gb, site(), [])
    assert (sc.score, sc.verdict) == (100, "合格")


def test_deductions_are_capped_per_indicator(gb):
    # D09: 空白 2 each + 应更新未更新 1 each, shared cap 4
    items = [f("D09.1"), f("D09.1"), f("D09.2"), f("D09.2")]
    assert score(gb, site(), items).score == 96
    # D21: 0.5 per missing element, cap 3 → seven elements would be 3.5, capped at 3
    items = [f("D21", element=e) for e in "ABCDEFG"]
    assert score(gb, site(), items).score == 97


def test_veto_gives_no_score_and_keeps_other_findings(gb):
    items = apply_rules([f("V1.5"), f("D09.1")], gb)
    sc = score_round([site()], [], items, gb)[0]
    assert sc.score is None and sc.verdict == "一票否决"
    assert [i.code for i in items] == ["V1.5", "D09.1"]


def test_dismissed_findings_do_not_count(gb):
    assert score(gb, site(), [f("V1.5", review="dismissed"), f("D04.2")]).score == 95


def test_pass_line_comes_from_the_rule_set(gb, tmp_path):
    items = [f(c) for c in ("D04.2", "D05.2", "D06.2", "D01.1", "D02.1", "D03.1")] + [f("D09.1")] * 2
    items += [f("D16"), f("D17"), f("D18.1"), f("D11.1")]
    sc = score(gb, site(), items)  # 5+5+5+2+2+2+4+7+3+6+5 = 46
    assert sc.score == 54 and sc.verdict == "不合格"
    strict = tmp_path / "strict.toml"
    strict.write_text('[ruleset]\nname="s"\nversion="1"\nextends="gb2019"\npass_line=80\n', encoding="utf-8")
    assert score(load_ruleset(strict), site(), [f("D04.2")] * 1 + [f("D16"), f("D18.1"), f("D11.1")]).verdict == "不合格"
    assert score(gb, site(), [f("D04.2")]).verdict == "合格"


def test_departments_without_public_services_use_75_points(gb):
    # 办事服务 findings are skipped; (75 - 3) * 4/3 = 96
    sc = score(gb, site(public_service=False), [f("D11.1"), f("D20.1"), f("D20.2"), f("D20.3")])
    assert sc.score == 96
    assert score(gb, site(public_service=False), [f("D22.2")]).score == pytest.approx(99.9)


def test_bonus_only_for_portals_above_80(gb):
    bonus = [f("B01.1"), f("B07.1"), f("B10")]  # 2 + 2 + 3
    assert score(gb, site(kind="门户"), bonus).score == 107
    assert score(gb, site(kind="部门"), bonus).score == 100
    low = [f("D04.2"), f("D05.2"), f("D06.2"), f("D16")]  # 78: no bonus
    assert score(gb, site(kind="门户"), low + bonus).score == 78


def test_scores_print_with_one_decimal(gb):
    sc = score(gb, site(), [f("D22.2")] * 3 + [f("D08")])  # 0.3 + 0.5
    assert sc.score == 99.2


def test_advisory_and_marker_rules_never_score(gb):
    assert score(gb, site(), [f("R1", previous="3月份")]).score == 100


def test_accounts_pass_or_fail(gb):
    accs = [Account("市直", "甲发布", "甲单位", "微信订阅号"), Account("市直", "甲发布", "甲单位", "抖音短视频")]
    items = apply_rules([Finding("甲单位", "甲发布", "account", "M2.2", account_type="抖音短视频"),
                         Finding("甲单位", "甲发布", "account", "M2.3", account_type="微信订阅号")], gb)
    scores = score_round([], accs, items, gb)
    assert [s.verdict for s in scores] == ["合格", "不合格"]  # M2.3 (数据获取失败) is advisory
    assert all(s.score is None for s in scores)


def test_percentages_as_printed():
    assert pct(13, 40) == "32.5%" and pct(24, 40) == "60%" and pct(34, 36) == "94.4%" and pct(193, 214) == "90.2%"


def test_no_double_counting_of_a_column_penalised_elsewhere(gb):
    from govcheck.model import Evidence

    stale = Evidence(path="首页>政务公开>政策文件")
    other = Evidence(path="首页>政务公开>规划计划")
    items = [f("D05.2"), f("D09.2"), f("D09.2")]
    items[0].evidence, items[1].evidence, items[2].evidence = [stale], [stale], [other]
    assert score(gb, site(), items).score == 94  # 5 + 1; the policy column is not counted again under D09


def test_displacement_is_decided_after_review(gb):
    """Scoring decides what a column penalised by another rule does not count again, over what counts after
    review: the same column, or a column under it; dismissing the displacing finding restores the other."""
    from govcheck.model import Evidence
    from govcheck.score import displaced

    items = [f("D05.2"), f("D09.2"), f("D09.2"), f("D09.2")]
    for it, p in zip(items, ["首页>政策文件", "首页>政策文件>规范性文件", "首页>政策文件", "首页>规划计划"]):
        it.evidence = [Evidence(path=p)]
    items[0].id = "p1"
    assert displaced(items, gb) == {1: 0, 2: 0}
    sc = score(gb, site(), items)
    assert sc.score == 94 and items[1].displaced_by == "p1" and items[1].points == 0 and items[3].displaced_by is None
    items[0].review = "dismissed"
    assert displaced(items, gb) == {}
    sc = score(gb, site(), items)
    assert sc.score == 97 and items[1].displaced_by is None and items[1].points == 1
    assert "displaced_by" not in items[1].to_dict()


def test_dismissing_d052_in_review_scores_the_d092_it_displaced_again(tmp_path):
    """The checks emit every finding (here from the D05.2 facts fixture: a stale first-level 政策文件 column and,
    under it, stale sub-columns); scoring counts only D05.2 and findings.json marks the D09.2 findings it
    displaced. Dismissing D05.2 in review scores them again, and 附件1 prints them."""
    import datetime as dt
    import json
    from pathlib import Path

    import openpyxl
    import yaml
    from typer.testing import CliRunner

    from govcheck.checks import run_checks
    from govcheck.checks.facts import SiteFacts
    from govcheck.cli import app
    from govcheck.commands import create_and_report

    fix = Path(__file__).parent / "fixtures" / "checks" / "D05.2" / "fail.yaml"
    doc = yaml.safe_load(fix.read_text(encoding="utf-8"))
    rs = load_ruleset(doc["ruleset"])
    facts = SiteFacts.from_dict(doc["site"])
    res = run_checks(facts, rs, dt.date.fromisoformat(doc["at"]), doc["seed"])
    assert sorted(x.code for x in res.findings) == ["D05.2", "D09.2"]
    s = Site(region="市直", unit=facts.unit, name=facts.name, url=facts.url)
    out = tmp_path / "round"
    meta = {"round": {"name": "测试轮次", "at": dt.date(2022, 5, 15), "seed": 1},
            "notice": {"title": "测试通报", "date": "2022-06-22"}}
    create_and_report(out, meta=meta, rs=rs, sites=[s], accounts=[], findings=res.findings, db=None, pdf=False)

    def state():
        fs = json.loads((out / "findings.json").read_text(encoding="utf-8"))
        sc = json.loads((out / "scores.json").read_text(encoding="utf-8"))[0]
        ws = openpyxl.load_workbook(next(out.glob("附件1*.xlsx"))).worksheets[0]
        cell = "\n".join(str(c) for r in ws.iter_rows(values_only=True) for c in r if c)
        return {f["code"]: f for f in fs}, sc["score"], cell

    fs, score_, cell = state()
    assert fs["D09.2"]["displaced_by"] == fs["D05.2"]["id"] and fs["D09.2"]["points"] == 0
    assert score_ == 95 and "其他栏目存在应更新未更新" not in cell
    r = CliRunner().invoke(app, ["review", "dismiss", fs["D05.2"]["id"], "--by", "张三",
                                 "--reason", "复核：该栏目另有更新入口", "--round", str(out)])
    assert r.exit_code == 0, r.output
    fs, score_, cell = state()
    assert "displaced_by" not in fs["D09.2"] and fs["D09.2"]["points"] == 1
    assert score_ == 99 and "其他栏目存在应更新未更新的，每发现一处，扣1分。共扣1分。" in cell
