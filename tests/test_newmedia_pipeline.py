"""The one-call pipeline (feed server in a thread) and the CLI commands."""
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from govcheck.cli import app
from govcheck.newmedia.pipeline import run_replica

FIX = Path(__file__).parent / "fixtures" / "newmedia"


def test_run_replica_without_previous_round():
    res = run_replica(with_previous=False)
    assert len(res.accounts) == 214 and res.warnings == []
    assert res.comparison == [] and not any(f.code == "R1" for f in res.findings)
    failing = {(f.target, f.account_type) for f in res.findings}
    assert len(failing) == 21
    assert all(f.text == "" and f.points == 0 and f.target_type == "account" for f in res.findings)


@pytest.mark.slow
def test_run_replica_with_a_different_window():
    """A 120-day window turns 咸宁就业驿站 (last post 2022-01-25) from stale into updated."""
    res = run_replica(window_days=120, with_previous=False)
    assert "咸宁就业驿站" not in {f.target for f in res.findings}


def test_cli_lexicon_scan_json(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text("十字路口交通拥堵。北朝鲜代表团来访。", encoding="gbk")
    r = CliRunner().invoke(app, ["lexicon", "scan", str(p), "--json"])
    assert r.exit_code == 0, r.output
    hits = json.loads(r.output)
    assert [(h["wrong"], h["position"]) for h in hits] == [("北朝鲜", 10)]


def test_cli_lexicon_check_bad_file():
    r = CliRunner().invoke(app, ["lexicon", "check", str(FIX / "bad_lexicon.yaml")])
    assert r.exit_code == 2 and "bad_lexicon.yaml" in r.output


def test_cli_accounts_check_reports_missing_column(tmp_path):
    r = CliRunner().invoke(app, ["accounts", "check", "--accounts", str(FIX / "accounts_missing_unit.csv"),
                                 "--registry", str(FIX / "registry_province.csv"), "--at", "2022-05-15",
                                 "--out", str(tmp_path)])
    assert r.exit_code == 2 and "主办单位" in r.output


def test_cli_accounts_check_posts_and_manual_sources(tmp_path):
    r = CliRunner().invoke(app, ["accounts", "check", "--accounts", str(FIX / "accounts_en.csv"),
                                 "--registry", str(FIX / "registry_province.csv"), "--at", "2022-05-15",
                                 "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    found = json.loads((tmp_path / "account_findings.json").read_text(encoding="utf-8"))
    got = sorted((f["target"], f["code"]) for f in found)
    # 咸宁发布: registered and posting; 咸安发布: registry 已注销 and not updated since 2022-01-25;
    # 咸安教育: never updated and not registered
    assert got == [("咸安发布", "M2.1"), ("咸安教育", "M2.2"), ("咸安教育", "MH1.1")]
    assert "重复" in r.output
