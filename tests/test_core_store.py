"""The round's store and the commands that change it: import, review, re-score; bad input loses nothing."""
from __future__ import annotations

import json
import os
import shutil
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from govcheck.cli import app
from govcheck.demo import load_transcription
from govcheck.rules import load_ruleset
from govcheck.score import apply_rules, score_round
from govcheck.store import Store, StoreError

runner = CliRunner()


@pytest.fixture(scope="module")
def demo_round(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("round") / "r"
    r = runner.invoke(app, ["demo", "--from-notice", "--out", str(out)])
    assert r.exit_code == 0, r.output
    return out


@pytest.fixture()
def round_copy(demo_round, tmp_path) -> Path:
    dst = tmp_path / "r"
    shutil.copytree(demo_round, dst)
    return dst


def snapshot(d: Path) -> tuple:
    store = Store.for_dir(d)
    info = store.round()
    return (len(store.findings(info.id)), (d / "scores.json").read_bytes(), (d / "findings.json").read_bytes())


def write_json(path: Path, rows) -> Path:
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    return path


GOOD = {"unit": "市审计局", "target": "http://sjj.xianning.gov.cn/", "target_type": "site", "code": "D19.1",
        "evidence": [{"note": "模拟咨询5个工作日内未答复", "date": "2022-05-10"}], "source": "manual"}


def test_import_manual_finding_rescores(round_copy):
    f = write_json(round_copy / "manual.json", [GOOD])
    r = runner.invoke(app, ["findings", "import", str(f), "--round", str(round_copy)])
    assert r.exit_code == 0, r.output
    scores = {s["unit"]: s for s in json.loads((round_copy / "scores.json").read_text(encoding="utf-8"))}
    assert scores["市审计局"]["score"] == 96


@pytest.mark.parametrize("change,where", [
    ({"code": "D99"}, "列“规则编码”"),
    ({"unit": "市不存在局"}, "列“单位名称”"),
    ({"points": "四"}, "列“扣分”"),
    ({"target_type": "网页"}, "列“对象类型”"),
    ({"evidence": [{"date": "2022-13-45"}]}, "列“日期”"),
])
def test_bad_json_row_names_file_row_column_and_changes_nothing(round_copy, change, where):
    before = snapshot(round_copy)
    bad = dict(GOOD) | change
    f = write_json(round_copy / "bad.json", [GOOD, bad])
    r = runner.invoke(app, ["findings", "import", str(f), "--round", str(round_copy)])
    assert r.exit_code != 0
    assert str(f) in r.output and "第2行" in r.output and where in r.output
    assert snapshot(round_copy) == before


def test_bad_xlsx_missing_column_and_bad_cell(round_copy):
    before = snapshot(round_copy)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["单位名称", "检查对象", "对象类型", "扣分"])
    ws.append(["市审计局", "http://sjj.xianning.gov.cn/", "网站", 4])
    path = round_copy / "manual.xlsx"
    wb.save(path)
    r = runner.invoke(app, ["findings", "import", str(path), "--round", str(round_copy)])
    assert r.exit_code != 0 and "缺少列 规则编码" in r.output and "第1行" in r.output
    ws.cell(1, 4, "规则编码")
    ws.append(["市审计局", "http://sjj.xianning.gov.cn/", "网站", "D19.1"])
    ws.append(["市审计局", "http://sjj.xianning.gov.cn/", "网站", "Dx"])
    wb.save(path)
    r = runner.invoke(app, ["findings", "import", str(path), "--round", str(round_copy)])
    assert r.exit_code != 0
    # row 2 has code "4" (the old 扣分 column renamed): rejected with its row
    assert "第2行" in r.output and "列“规则编码”" in r.output
    assert snapshot(round_copy) == before


def test_review_dismiss_is_audited_and_rescored(round_copy):
    store = Store.for_dir(round_copy)
    info = store.round()
    veto = next(f for f in store.findings(info.id) if f.unit == "市民政局" and f.code == "V1.5")
    r = runner.invoke(app, ["review", "dismiss", veto.id, "--by", "张三", "--reason", "复核：期限为录入错误，已更正",
                            "--round", str(round_copy)])
    assert r.exit_code == 0, r.output
    scores = {s["unit"]: s for s in json.loads((round_copy / "scores.json").read_text(encoding="utf-8"))}
    assert scores["市民政局"]["verdict"] == "合格" and scores["市民政局"]["score"] == 98
    r = runner.invoke(app, ["review", "confirm", veto.id, "--by", "李四", "--reason", "原页面存档可见2000年",
                            "--round", str(round_copy)])
    assert r.exit_code == 0
    trail = store.review_trail(veto.id)
    assert [(t["action"], t["by"]) for t in trail] == [("dismiss", "张三"), ("confirm", "李四")]
    scores = {s["unit"]: s for s in json.loads((round_copy / "scores.json").read_text(encoding="utf-8"))}
    assert scores["市民政局"]["verdict"] == "一票否决"


def test_review_requires_a_reason(round_copy):
    r = runner.invoke(app, ["review", "dismiss", "nope", "--by", "张三", "--reason", " ", "--round", str(round_copy)])
    assert r.exit_code != 0


def test_rescore_with_national_rules_and_bad_rules_file(round_copy, tmp_path):
    # gb2019 lacks X01/X02 (overlay rules): the round cannot be scored with it and is left untouched
    before = snapshot(round_copy)
    r = runner.invoke(app, ["score", str(round_copy), "--rules", "gb2019"])
    assert r.exit_code != 0 and "X0" in r.output
    assert snapshot(round_copy) == before
    bad = tmp_path / "bad.toml"
    bad.write_text('[ruleset]\nname="b"\nversion="1"\nextends="xianning-2022"\n\n[[indicator]]\ncode="D02"\ncap=0.5\n',
                   encoding="utf-8")
    r = runner.invoke(app, ["score", str(round_copy), "--rules", str(bad)])
    assert r.exit_code != 0 and str(bad) in r.output and "D02" in r.output
    assert snapshot(round_copy) == before
    # a stricter overlay (机构职能 capped at 2, as nationally) re-prints and re-scores
    strict = tmp_path / "strict.toml"
    strict.write_text('[ruleset]\nname="s"\nversion="1"\nextends="xianning-2022"\n\n[[indicator]]\ncode="D02"\ncap=2\n',
                      encoding="utf-8")
    r = runner.invoke(app, ["score", str(round_copy), "--rules", str(strict)])
    assert r.exit_code == 0, r.output
    scores = {s["unit"]: s for s in json.loads((round_copy / "scores.json").read_text(encoding="utf-8"))}
    assert scores["市科技局"]["score"] == 98
    info = json.loads((round_copy / "round.json").read_text(encoding="utf-8"))
    assert info["rules"]["name"] == "s"


def test_interrupted_write_keeps_previous_state(round_copy, monkeypatch):
    """A failure inside a write transaction rolls back: the stored findings stay as they were."""
    store = Store.for_dir(round_copy)
    info = store.round()
    n = len(store.findings(info.id))
    from govcheck.model import Finding

    good = Finding("市审计局", "http://sjj.xianning.gov.cn/", "site", "D19.1")
    bad = Finding("市审计局", "http://sjj.xianning.gov.cn/", "site", "D19.1")
    bad.evidence = object()  # not serialisable: the insert fails half-way through the batch
    with pytest.raises(Exception):
        store.add_findings(info.id, [good, bad])
    assert len(store.findings(info.id)) == n


@pytest.mark.skipif(not os.environ.get("GOVCHECK_TEST_PG_URL"), reason="GOVCHECK_TEST_PG_URL not set (.ci/run sets it)")
def test_postgresql_round_trip():
    url = os.environ["GOVCHECK_TEST_PG_URL"]
    t = load_transcription()
    rs = load_ruleset("xianning-2022")
    store = Store(url)
    key = f"pg-test-{os.getpid()}"
    rid = store.create_round(key=key, name="2022年第二季度", at=date(2022, 5, 15), ruleset=rs, seed=7,
                             meta={"notice": {"date": date(2022, 6, 22)}}, sites_=t.sites, accounts_=t.accounts)
    store.add_findings(rid, t.findings)
    items = apply_rules(store.findings(rid), rs)
    scores = score_round(store.sites(rid), store.accounts(rid), items, rs)
    store.save_scores(rid, scores)
    got = {s.unit: s.score for s in store.scores(rid) if s.target_type == "site"}
    assert got["市教育局"] == 88.5 and got["市民政局"] is None
    info = store.round(key)
    assert info.seed == 7 and info.rules_hash == rs.content_hash and info.meta["notice"]["date"] == "2022-06-22"
    store.delete_round(key)  # cleans up
    with pytest.raises(StoreError):
        store.round(key)


@pytest.mark.parametrize("part", ["sites", "accounts"])
def test_round_with_only_one_part(tmp_path, part):
    """A round may hold sites only or accounts only: the notice and attachments follow what is there."""
    from docx import Document

    from govcheck.round import save_round

    t = load_transcription()
    rs = load_ruleset("xianning-2022")
    keep = "site" if part == "sites" else "account"
    out = tmp_path / part
    save_round(out, meta=t.meta, rs=rs, sites=t.sites if part == "sites" else [],
                      accounts=t.accounts if part == "accounts" else [],
                      findings=[f for f in t.findings if f.target_type == keep], db=None, pdf=False)
    names = sorted(p.name for p in out.glob("附件*.xlsx"))
    # the sites' transcription also names the 政务公开 platform findings (GK*): their table follows 附件1
    platform = [n for n in names if n.endswith("政务公开平台规范化检查情况表.xlsx")]
    assert platform == (["附件2 政务公开平台规范化检查情况表.xlsx"] if part == "sites" else [])
    names = [n for n in names if n not in platform]
    assert len(names) == 1 and names[0].startswith("附件1 ")
    assert ("政府网站" in names[0]) == (part == "sites")
    body = "\n".join(p.text for p in Document(next(out.glob("通报*.docx"))).paragraphs)
    assert ("家政府网站进行检查" in body) == (part == "sites")
    assert ("个政务新媒体进行了抽查" in body) == (part == "accounts")
    scores = json.loads((out / "scores.json").read_text(encoding="utf-8"))
    assert {s["target_type"] for s in scores} == {keep}
