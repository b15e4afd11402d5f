"""Ruff-style fixtures: for every website check, a site that fails it and a site that passes it, and the
finding as the notice prints it (expected.txt) beside them.

Set GOVCHECK_UPDATE_SNAPSHOTS=1 to (re)write a missing or changed expected.txt, then read the diff.
"""
from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

import pytest
import yaml

from govcheck.checks import codes_covered, run_checks
from govcheck.checks.facts import SiteFacts
from govcheck.rules import load_ruleset
from govcheck.score import apply_rules, displaced
from printed import matches_snapshot, printed

FIXTURES = Path(__file__).parent / "fixtures" / "checks"
CASES = sorted(p.name for p in FIXTURES.iterdir() if (p / "fail.yaml").exists())


@functools.lru_cache(maxsize=None)
def ruleset(name: str, overlays: tuple[Path, ...]):
    return load_ruleset(name, list(overlays))


def load(case: str, which: str):
    path = FIXTURES / case / f"{which}.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    overlays = [FIXTURES / case / o for o in doc.get("overlays", [])]
    rs = ruleset(doc["ruleset"], tuple(overlays))
    at = doc["at"] if isinstance(doc["at"], dt.date) else dt.date.fromisoformat(doc["at"])
    facts = SiteFacts.from_dict(doc["site"], str(path))
    return doc, rs, at, facts


def test_every_automated_code_has_fixtures():
    assert set(CASES) >= codes_covered(), sorted(codes_covered() - set(CASES))


@pytest.mark.parametrize("case", CASES)
def test_fail_fixture_prints_expected(case):
    doc, rs, at, facts = load(case, "fail")
    res = run_checks(facts, rs, at, doc["seed"])
    apply_rules(res.findings, rs)
    gone = displaced(res.findings, rs)  # emitted, but scoring does not count them (a column penalised once)
    codes = {f.code for i, f in enumerate(res.findings) if i not in gone}
    assert case in codes, f"{case}: fail fixture produced {sorted(codes)}"
    assert codes <= set(doc["codes"]), f"unexpected codes {sorted(codes - set(doc['codes']))}"
    assert not [m for m in res.manual if m.held], [(m.code, m.what) for m in res.manual if m.held]
    assert not [m for m in res.manual if "出错" in m.what], res.manual
    assert matches_snapshot(FIXTURES / case / "expected.txt", printed(res.findings, rs))


@pytest.mark.parametrize("case", CASES)
def test_pass_fixture_is_clean(case):
    doc, rs, at, facts = load(case, "pass")
    res = run_checks(facts, rs, at, doc["seed"])
    assert res.findings == [], [(f.code, [e.to_dict() for e in f.evidence]) for f in res.findings]
    assert res.anomalies == []
    assert not [m for m in res.manual if "出错" in m.what], res.manual


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("which", ["fail", "pass"])
def test_fixture_under_the_national_table(case, which):
    """Judged under gb2019 too: the same findings for every code gb2019 has (an overlay changes only what it says)."""
    doc, rs, at, facts = load(case, which)
    gb = ruleset("gb2019", ())
    here = run_checks(facts, rs, at, doc["seed"]).findings
    there = run_checks(facts, gb, at, doc["seed"]).findings

    def same(fs):
        return sorted((f.code, repr(sorted(f.params.items())), [e.to_dict() for e in f.evidence].__repr__()) for f in fs)

    assert same(there) == same([f for f in here if f.code in gb.rules])
