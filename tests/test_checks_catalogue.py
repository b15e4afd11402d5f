"""The rule registry covers every code of every shipped rule set; docs/rules.md is generated from it and current;
every wording states its numbers from its params; no parameter a check reads is missing from its rule's entry;
the `govcheck checks` commands."""
from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import inspect
import json
import random
import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import govcheck.checks.base as base
from govcheck.checks import REGISTRY
from govcheck.checks.catalogue import catalogue_data, render_catalogue, shipped
from govcheck.checks.facts import SiteFacts
from govcheck.checks.registry import (REGISTRY_FILE, account_checks, declared, entries, implemented_codes, problems,
                                      shipped_codes, shipped_rulesets)
from govcheck.cli import app
from govcheck.rules import STATED, load_ruleset

ROOT = Path(__file__).resolve().parent.parent
FIX = Path(__file__).parent / "fixtures" / "checks"


# ---------------------------------------------------------------------------------------------- the registry
def test_every_shipped_code_is_a_registered_check_or_a_declared_manual_item():
    assert problems() == []
    codes = shipped_codes()
    reg = entries()
    assert set(codes) <= set(reg)
    # the codes issue 14 named: automatic, with an implementation
    for code in ["V1.1", "V2", "M1", "M2.1", "M2.2", "M2.3", "M3", "MH1.1", "MH1.2", "MH2", "MH3", "R1"]:
        assert reg[code].automatic and code in implemented_codes(), code


def test_the_walk_fails_when_a_code_is_removed_from_a_copy_of_the_registry():
    """Seen to fail: the same walk over a copy of the registry without one automatic and one manual code."""
    for gone in ("V2", "D13.1", "MH2"):
        reg = {c: e for c, e in entries().items() if c != gone}
        found = problems(reg)
        assert any(p.startswith(f"{gone}:") and "既不是已登记的检查，也不是已声明的人工核查项" in p for p in found), found
    # an automatic entry turned manual while its check exists, an unknown requirement, a stale entry
    reg = dict(entries())
    reg["D04.2"] = dataclasses.replace(reg["D04.2"], manual="人工看")
    reg["D04.1"] = dataclasses.replace(reg["D04.1"], requires=("archived", "telepathy"))
    reg["Z99"] = dataclasses.replace(reg["D10"], code="Z99")
    found = problems(reg)
    assert any(p.startswith("D04.2:") and "声明为人工核查" in p for p in found)
    assert any(p.startswith("D04.1:") and "telepathy" in p for p in found)
    assert any(p.startswith("Z99:") for p in found)


def test_a_new_rule_in_an_overlay_without_an_entry_is_noticed(tmp_path, monkeypatch):
    import govcheck.checks.registry as registry

    ov = tmp_path / "mine.toml"
    ov.write_text('[ruleset]\nname="mine"\nversion="1"\nextends="xianning-2022"\n\n[[indicator]]\ncode="Y1"\n'
                  'name="新指标"\ngroup="发布解读"\ncap=2\n\n[[rule]]\ncode="Y1"\nindicator="Y1"\npoints=1\n'
                  'wording="新规则，扣{points}分。"\n', encoding="utf-8")
    sets = dict(shipped_rulesets())
    sets["mine"] = load_ruleset(ov)
    monkeypatch.setattr(registry, "shipped_rulesets", lambda: sets)
    assert any(p.startswith("Y1:") for p in problems())


def test_registry_file_errors_name_the_entry(tmp_path):
    p = tmp_path / "r.yaml"
    p.write_text("D04.2:\n  evidance: x\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"r.yaml: D04.2: 未知字段 evidance"):
        entries.__wrapped__(p)


def test_account_check_defaults_are_the_registry_defaults():
    """check_accounts' keyword defaults are the registry's (no second default that can disagree)."""
    from govcheck.newmedia.checks import check_accounts

    sig = inspect.signature(check_accounts).parameters
    reg = entries()
    assert sig["scan_days"].default == reg["M1"].params["scan_days"]
    assert sig["max_evidence"].default == reg["M1"].params["max_evidence"]
    assert sig["name_edit_distance"].default == reg["MH2"].params["name_edit_distance"] == \
        reg["MH1.1"].params["name_edit_distance"]


# ---------------------------------------------------------------------------------------------- wording
DURATION = re.compile(r"\d+(?:至\d+)?(?:个月|年|周|天)")
BUMP = {"window_days": lambda v: v * 2, "window_months": lambda v: v * 2, "overdue_days": lambda v: v * 2,
        "feedback_due_days": lambda v: v * 2, "sample_size": lambda v: v + 1, "threshold_count": lambda v: v + 1,
        "threshold_ratio": lambda v: 0.1 if v != 0.1 else 0.2, "deadline_month_day": lambda v: "02-28"}


@pytest.mark.parametrize("name", ["gb2019", "xianning-2022"])
def test_wordings_state_their_numbers_from_their_params(name):
    """A rule with a window, a sample size, a threshold… states it through a placeholder (never a literal that
    can disagree), and changing the param changes the printed sentence."""
    from govcheck.rules import stated_value

    rs = load_ruleset(name)
    for code, rule in rs.rules.items():
        template = rule.wording
        for key, src in STATED.items():
            value = stated_value(key, rule.params)
            if value is None or "{" + key + "}" in template:
                continue
            assert value not in template, f"{name} {code}: 措辞写死了“{value}”，应为 {{{key}}}"
        if any(k in rule.params for k in ("window_days", "window_months")):
            bare = re.sub(r"\{[^}]+\}", "", template)
            assert not DURATION.search(bare), f"{name} {code}: 措辞中有写死的期限：{template}"
        for key in [k for k in rule.stated if "@" not in k]:
            for src in STATED[key]:
                if src not in rule.params:
                    continue
                bumped = dataclasses.replace(rule, params={**rule.params, src: BUMP[src](rule.params[src])},
                                             stated=dict(rule.stated))
                bumped.stated[key] = stated_value(key, bumped.params)
                assert bumped.render() != rule.render(), (name, code, src)


def test_x01_wording_follows_its_windows(tmp_path):
    """X01 printed "1年…1个月" whatever its windows were; now an overlay's windows are what it prints."""
    rs = load_ruleset("xianning-2022")
    assert rs.rule("X01").render() == "监测时间点前1年内开展的调查征集活动结束后1个月内无公开反馈结果的，扣1分。"
    ov = tmp_path / "o.toml"
    ov.write_text('[ruleset]\nname="o"\nversion="1"\nextends="xianning-2022"\n\n[[rule]]\ncode="X01"\n'
                  'window_days=183\nfeedback_due_days=15\n', encoding="utf-8")
    assert load_ruleset(ov).rule("X01").render() == \
        "监测时间点前6个月内开展的调查征集活动结束后15天内无公开反馈结果的，扣1分。"
    # V4.1 states the windows of the rules it counts with
    ov.write_text('[ruleset]\nname="o"\nversion="1"\nextends="gb2019"\n\n[[rule]]\ncode="D04.2"\nwindow_days=7\n',
                  encoding="utf-8")
    assert load_ruleset(ov).rule("V4.1").render().startswith("动态、要闻类栏目监测时间点前1周内未更新")


def test_durations_print_as_the_national_table_words_them():
    from govcheck.rules import duration_cn, months_cn

    assert [duration_cn(d) for d in (7, 14, 31, 61, 92, 183, 365, 730, 100, 15)] == \
        ["1周", "2周", "1个月", "2个月", "3个月", "6个月", "1年", "2年", "100天", "15天"]
    assert [months_cn(m) for m in (1, 6, 12, 18)] == ["1个月", "6个月", "1年", "18个月"]


def test_a_stated_placeholder_without_its_param_is_rejected(tmp_path):
    from govcheck.rules import RuleSetError

    ov = tmp_path / "bad.toml"
    ov.write_text('[ruleset]\nname="bad"\nversion="1"\nextends="gb2019"\n\n[[rule]]\ncode="D01.1"\n'
                  'wording="监测时间点前{window}内未开设的，扣{points}分。"\n', encoding="utf-8")
    with pytest.raises(RuleSetError, match=r"bad.toml: 规则 D01.1: 措辞占位符 \{window\} 没有对应参数"):
        load_ruleset(ov)


def test_v41_windows_in_wording_are_the_windows_it_counts_with():
    rs = load_ruleset("gb2019")
    refs = set(re.findall(r"\{window@([\w.]+)\}", rs.rule("V4.1").wording))
    assert refs == {g["window_from"] for g in base.data()["V4.1"]}


# ---------------------------------------------------------------------------------------------- hidden params
class _Traced(dict):
    """A rule's params (or [column_cycles]) that note every key read into LOG[0]."""

    def __init__(self, code, d, log):
        super().__init__(d)
        self.code, self.log = code, log

    def __getitem__(self, k):
        self.log[0].add((self.code, k))
        return super().__getitem__(k)

    def get(self, k, default=None):
        if k in self:
            self.log[0].add((self.code, k))
        return super().get(k, default)


def _traced(rs, log):
    rs = copy.deepcopy(rs)
    for code, r in rs.rules.items():
        r.params = _Traced(code, r.params, log)
    rs.column_cycles = _Traced("column_cycles", rs.column_cycles, log)
    return rs


def test_no_check_reads_a_parameter_its_rule_entry_does_not_declare(monkeypatch):
    """Every check runs over every SiteFacts fixture with rule sets and checks.yaml that note what is read: a rule
    param (from the rule set or its registry default), another rule's param, [column_cycles] or a checks.yaml key
    must appear in the entry of one of the check's codes (params, or reads as CODE.param / column_cycles /
    checks.yaml:key). What the crawler's adapter reads (inspect.yaml) is declared by hand in `reads`."""
    sets = shipped_rulesets()
    reg = entries()
    log: list[set] = [set()]
    traced = [_traced(rs, log) for rs in sets.values()]
    wording_only = {"notes", "undecided", "anomaly_code", "evidence_reasons"}
    inputs = []
    for case in sorted(p for p in FIX.iterdir() if (p / "fail.yaml").exists()):
        for which in ("fail", "pass"):
            doc = yaml.safe_load((case / f"{which}.yaml").read_text(encoding="utf-8"))
            at = doc["at"] if isinstance(doc["at"], dt.date) else dt.date.fromisoformat(doc["at"])
            inputs.append((SiteFacts.from_dict(doc["site"]), at))
    found: list[str] = []
    for name, ch in REGISTRY.items():
        log[0] = set()
        data_reads: set = set()
        monkeypatch.setattr(base, "READS", data_reads)
        monkeypatch.setattr(base, "PARAM_READS", log[0])
        for facts, at in inputs:
            for rs in traced:
                list(ch.fn(facts, rs, at, random.Random(1)))
        monkeypatch.setattr(base, "READS", None)
        monkeypatch.setattr(base, "PARAM_READS", None)
        allowed = {k for c in ch.codes if c in reg for k in reg[c].reads}
        for code, key in sorted(log[0]):
            if code == "column_cycles":
                ok = "column_cycles" in allowed
            elif code in ch.codes:
                ok = key in declared(code, sets)
            else:
                ok = f"{code}.{key}" in allowed
            if not ok:
                found.append(f"{name} 读取 {code}.{key}，未在 {'/'.join(ch.codes)} 的登记中声明")
        for key in sorted(data_reads - wording_only):
            if f"checks.yaml:{key}" not in allowed:
                found.append(f"{name} 读取 checks.yaml:{key}，未在 {'/'.join(ch.codes)} 的登记中声明")
    assert found == []


# ---------------------------------------------------------------------------------------------- docs/rules.md
def test_committed_catalogue_is_current():
    text = render_catalogue(shipped())
    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == text, \
        "docs/rules.md is stale: run `govcheck checks catalogue --out docs/rules.md`"


def _section(text: str, code: str) -> str:
    m = re.search(rf"^## {re.escape(code)} .*?(?=^## |\Z)", text, re.S | re.M)
    assert m, code
    return m.group(0)


def test_catalogue_lists_v11_and_v2_as_automatic_and_new_media_with_fixtures():
    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    for code in shipped_codes():
        sec = _section(text, code)
        assert "- 方式：自动检查（" in sec or "- 方式：需人工核查" in sec, code
    for code in ("V1.1", "V2"):
        sec = _section(text, code)
        assert "- 方式：自动检查（" in sec and "- 证据标准：" in sec and "tests/fixtures/checks/" in sec, code
    for code in ("M1", "M2.1", "M2.2", "M2.3", "M3", "MH1.1", "MH1.2", "MH2", "MH3", "R1"):
        sec = _section(text, code)
        assert "- 方式：自动检查（`govcheck.newmedia.checks." in sec, code
        assert f"tests/fixtures/accounts/{code}" in sec, code
    d092 = _section(text, "D09.2")
    assert "`uncycled_list_days` = 365（默认值）" in d092 and "- 转需人工核查：" in d092
    assert "每发现一个" in d092 and "每发现一处" in d092  # both rule sets' wordings


def test_every_check_has_a_description():
    what = catalogue_data()["what"]
    assert set(REGISTRY) <= set(what), sorted(set(REGISTRY) - set(what))
    assert {f"newmedia.{n}" for n in account_checks()} <= set(what)
    assert set(catalogue_data()["requires"]) >= {r for e in entries().values() for r in e.requires}


# ---------------------------------------------------------------------------------------------- commands
def test_cli_run_prints_findings_and_json():
    r = CliRunner().invoke(app, ["checks", "run", str(FIX / "D21" / "fail.yaml"), "--at", "2022-05-15"])
    assert r.exit_code == 0, r.output
    assert "公安机关备案标识" in r.output and "需人工核查" in r.output
    r = CliRunner().invoke(app, ["checks", "run", str(FIX / "D27.1" / "fail.yaml"), "--at", "2022-05-15",
                                 "--seed", "3", "--json"])
    doc = json.loads(r.output)
    assert [s["code"] for s in doc["samples"]] == ["D27.1"] and len(doc["findings"]) == 5


def test_cli_bad_facts_file_names_file_and_field(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text("site:\n  url: http://a.gov.cn/\n  unit: 甲\n  columns:\n  - {path: 首页>a, name: a, items: [{title: t, date: 2022-02-30}]}\n",
                 encoding="utf-8")
    r = CliRunner().invoke(app, ["checks", "run", str(p), "--at", "2022-05-15"])
    assert r.exit_code == 2
    assert "bad.yaml" in r.output and "columns[0].items[0].date" in r.output


def test_registry_file_is_the_one_named():
    assert REGISTRY_FILE.name == "registry.yaml" and REGISTRY_FILE.is_file()
