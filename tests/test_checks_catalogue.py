"""docs/rules.md is generated and current; every check is described; the `govcheck checks` commands."""
from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from govcheck.checks import REGISTRY
from govcheck.checks.catalogue import catalogue_data, render_catalogue
from govcheck.cli import app
from govcheck.rules import load_ruleset

ROOT = Path(__file__).resolve().parent.parent
FIX = Path(__file__).parent / "fixtures" / "checks"


def test_committed_catalogue_is_current():
    text = render_catalogue(load_ruleset("xianning-2022"))
    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == text, \
        "docs/rules.md is stale: run `govcheck checks catalogue --out docs/rules.md`"


def test_every_check_has_a_description():
    what = catalogue_data()["what"]
    assert set(REGISTRY) <= set(what), sorted(set(REGISTRY) - set(what))


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
