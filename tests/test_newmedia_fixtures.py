"""Ruff-style account fixtures (tests/fixtures/accounts/<CODE>[~what]/case.yaml): for every new-media rule, an
account that fails it and one that passes it, through the registered account checks, with the finding as 附件2
prints it (expected.txt). See tests/fixtures/accounts/README.md."""
from __future__ import annotations

import copy
from datetime import date, datetime
from pathlib import Path

import pytest
import yaml

from govcheck.checks.registry import account_checks
from govcheck.model import Account, Finding
from govcheck.newmedia.checks import check_accounts, compare_rounds
from govcheck.newmedia.lexicon import Lexicon
from govcheck.newmedia.roster import RegistryEntry, canonical_platform
from govcheck.newmedia.timeline import Post, Timeline
from govcheck.rules import load_ruleset
from printed import matches_snapshot

ROOT = Path(__file__).parent / "fixtures" / "accounts"
CASES = sorted(p.name for p in ROOT.iterdir() if (p / "case.yaml").is_file())
KEYS = {"code", "about", "rules", "at", "systems", "account", "registry", "timeline", "interaction", "fail", "pass",
        "previous", "codes"}


def _case(name: str) -> dict:
    doc = yaml.safe_load((ROOT / name / "case.yaml").read_text(encoding="utf-8"))
    assert not set(doc) - KEYS, f"{name}/case.yaml: 未知字段 {sorted(set(doc) - KEYS)}"
    assert doc["code"] == name.split("~")[0] and doc["code"] in doc["codes"], name
    return doc


def _variant(doc: dict, which: str) -> dict:
    v = {k: copy.deepcopy(doc.get(k)) for k in ("account", "registry", "timeline", "interaction", "previous")}
    v.update(copy.deepcopy(doc.get(which) or {}))
    return v


def _timeline(acc: Account, t: dict) -> Timeline:
    posts = [Post(datetime.fromisoformat(p["at"]), p.get("title", ""), p.get("text", ""), p.get("url"))
             for p in t.get("posts") or []]
    return Timeline((acc.name, acc.type), t["status"], posts, source=t.get("source"), error=t.get("error"),
                    http_status=t.get("http_status"), manual_closed=bool(t.get("manual_closed")),
                    manual_never=bool(t.get("manual_never")), note=t.get("note"))


def run(doc: dict, which: str) -> tuple[list[Finding], object]:
    v = _variant(doc, which)
    rs = load_ruleset(doc.get("rules") or "xianning-2022")
    at = date.fromisoformat(str(doc["at"]))
    acc = Account(**v["account"])
    reg = [RegistryEntry(**{**e, "platform": canonical_platform(e["platform"])}) for e in v["registry"] or []]
    fs = check_accounts([acc], reg, {(acc.name, acc.type): _timeline(acc, v["timeline"])}, at,
                        int(rs.rule("M2.1").params["window_days"]), Lexicon.load(), list(doc["systems"]),
                        interaction={(acc.name, acc.type): v["interaction"]})
    fs = [f for f in fs if f.code in rs.rules]
    if v.get("previous"):
        prev = [Finding(unit=acc.unit, target=acc.name, target_type="account", code=c, account_type=acc.type)
                for c in v["previous"]["codes"]]
        markers, _ = compare_rounds(prev, fs, v["previous"]["label"])
        fs += markers
    return fs, rs


def printed(fs: list[Finding], rs) -> str:
    """Each finding as 附件2 prints the reason (the rule sentence), then its evidence notes."""
    out = []
    for f in fs:
        out.append(rs.rule(f.code).render(f.params))
        out.extend("  " + e.note for e in f.evidence if e.note)
    return "\n".join(out) + "\n"


def test_every_account_code_has_a_fixture():
    have = {c.split("~")[0] for c in CASES}
    produced = {c for ch in account_checks().values() for c in ch.codes}
    assert produced <= have, sorted(produced - have)


@pytest.mark.parametrize("name", CASES)
def test_fail_account_prints_expected(name):
    doc = _case(name)
    fs, rs = run(doc, "fail")
    codes = {f.code for f in fs}
    assert doc["code"] in codes, f"{name}: 未发现 {doc['code']}，发现 {sorted(codes)}"
    assert codes <= set(doc["codes"]), f"{name}: 多出 {sorted(codes - set(doc['codes']))}"
    assert all(f.evidence for f in fs)
    assert matches_snapshot(ROOT / name / "expected.txt", printed(fs, rs))


@pytest.mark.parametrize("name", CASES)
def test_pass_account_is_clean(name):
    fs, _ = run(_case(name), "pass")
    assert fs == [], [(f.code, f.params) for f in fs]


def test_a_rule_set_without_the_registration_rules_gets_no_mh_finding():
    """gb2019 has no MH rules: the registration checks do not run (their findings would name no rule)."""
    doc = _case("MH1.1")
    v = _variant(doc, "fail")
    acc = Account(**v["account"])
    reg = [RegistryEntry(**{**e, "platform": canonical_platform(e["platform"])}) for e in v["registry"]]
    tl = {(acc.name, acc.type): _timeline(acc, v["timeline"])}
    at = date.fromisoformat(str(doc["at"]))
    assert {f.code for f in check_accounts([acc], reg, tl, at, 14, None, ["全国", "湖北省"])} == {"MH1.1"}
    assert check_accounts([acc], reg, tl, at, 14, None, ["全国", "湖北省"], codes=load_ruleset("gb2019").rules) == []
