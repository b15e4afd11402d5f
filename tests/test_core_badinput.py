"""Each bad input issue 17 names ends in a message naming the file (row, column), never a traceback; text in
brackets survives; every workbook the project writes holds text, never a formula."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from govcheck.cli import app
from govcheck.demo import load_transcription
from govcheck.rules import RuleSetError, load_ruleset

runner = CliRunner()


def run(*args: str):
    r = runner.invoke(app, list(args))
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    assert "Traceback" not in r.output
    return r


@pytest.fixture(scope="module")
def demo_round(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("round") / "r"
    r = runner.invoke(app, ["demo", "--transcribed", "--out", str(out)])
    assert r.exit_code == 0, r.output
    return out


@pytest.fixture()
def round_copy(demo_round, tmp_path) -> Path:
    dst = tmp_path / "r"
    shutil.copytree(demo_round, dst)
    return dst


# ------------------------------------------------------------------------------------------- rule files
def _overlay(tmp_path: Path, body: str, name: str = "o.toml") -> Path:
    p = tmp_path / name
    p.write_text('[ruleset]\nname = "o"\nversion = "1"\nextends = "gb2019"\n' + body, encoding="utf-8")
    return p


@pytest.mark.parametrize("body,words", [
    ('pass_line = "sixty"\n', ["pass_line", "数字"]),
    ("pass_line = nan\n", ["pass_line", "有限"]),
    ("pass_line = inf\n", ["pass_line", "有限"]),
    ("pass_line = 150\n", ["pass_line", "超出"]),
    ("score_decimals = 1.5\n", ["score_decimals"]),
    ("score_brackets = [100]\n", ["score_brackets"]),
    ('[ruleset.evidence_print]\n"部门" = ["archive"]\n', ["evidence_print"]),
    ("[column_cycles]\n\"动态要闻\" = inf\n", ["动态要闻", "有限"]),
    ("[column_cycles]\n\"动态要闻\" = nan\n", ["动态要闻", "有限"]),
    ("[column_cycles]\n\"动态要闻\" = 0\n", ["动态要闻"]),
    ('[[rule]]\ncode = "D01.1"\npoints = 1e308\n', ["D01.1", "points"]),
    ('[[rule]]\ncode = "D09.2"\nwindow_days = ' + "[" * 40 + "1" + "]" * 40 + "\n", ["D09.2", "window_days"]),
    ('[[rule]]\ncode = "D09.2"\nwindow_days = "七天"\n', ["D09.2", "window_days"]),
    ('[[rule]]\ncode = "D09.1"\nveto = "yes"\n', ["D09.1", "veto"]),
    ('[[rule]]\ncode = ["D09.1"]\n', ["code"]),
    ('[[indicator]]\ncode = "D09"\ncap = -1\n', ["D09", "负数"]),
    ('[[rule]]\ncode = "X9"\nindicator = "D09"\nwording = "x"\npoints = 1\nwhen = 2022-01-01\n', ["X9"]),
    ("basis = " + "[" * 3000 + "]" * 3000 + "\n", ["嵌套"]),
])
def test_rule_file_errors_name_file_and_field(tmp_path, body, words):
    p = _overlay(tmp_path, body)
    with pytest.raises(RuleSetError) as e:
        load_ruleset(p)
    assert str(p) in str(e.value) and all(w in str(e.value) for w in words), str(e.value)
    r = run("rules", "check", str(p))
    assert r.exit_code != 0 and str(p) in r.output


def test_rules_check_on_binary_directory_and_missing(tmp_path):
    b = tmp_path / "b.toml"
    b.write_bytes(b"\x00\xff\xfe\x89PNG\r\n")
    for target, words in ((b, "UTF-8"), (tmp_path, "目录"), (tmp_path / "none.toml", "不存在")):
        r = run("rules", "check", str(target))
        assert r.exit_code != 0 and words in r.output, r.output


def test_brackets_in_messages_survive(tmp_path):
    p = tmp_path / "[ruleset].toml"
    p.write_text('[ruleset]\nname = "[/bold]"\nversion = "1"\n', encoding="utf-8")
    r = run("rules", "check", str(p))
    assert r.exit_code != 0 and "[ruleset].toml" in r.output and "pass_line" in r.output


# ------------------------------------------------------------------------------------------- rosters
@pytest.mark.parametrize("rows,words", [
    ([["单位名称", "首页网址"], ["甲", "http://[::1/"]], ["第2行", "首页网址", "http://[::1/"]),
    ([["单位名称", "首页网址"], ["[/bold]甲[red]", "http://[::1/"]], ["第2行", "首页网址"]),
    ([["单位名称", "首页网址"]], ["没有网站"]),
    ([["单位名称", "首页网址"], ["甲", "http://a b/"]], ["第2行", "首页网址"]),
    ([["单位名称", "首页网址", "其他域名"], ["甲", "http://a.gov.cn/", "[::1"]], ["第2行", "其他域名"]),
])
def test_site_roster_errors(tmp_path, rows, words):
    import csv

    p = tmp_path / "sites.csv"
    with p.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    r = run("inspect", "--sites", str(p), "--out", str(tmp_path / "out"), "--at", "2022-06-01", "--no-progress")
    assert r.exit_code != 0 and str(p) in r.output and all(w in r.output for w in words), r.output
    assert not (tmp_path / "out" / "round.sqlite").exists()


def test_xlsx_roster_formula_cells(tmp_path):
    from govcheck.roster import RosterError, read_accounts, read_sites

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["单位名称", "首页网址"])
    ws.append(['=CONCAT("市","审计局")', "http://127.0.0.1:1/"])
    p = tmp_path / "sites.xlsx"
    wb.save(p)  # openpyxl saves no computed value: the formula cannot be read, and is refused by cell
    with pytest.raises(RosterError) as e:
        read_sites(p)
    assert "第2行" in str(e.value) and "A" in str(e.value) and "公式" in str(e.value)
    ws = wb.active
    ws.delete_rows(1, 2)
    ws.append(["区域", "新媒体名称", "主办单位", "新媒体类型"])
    ws.append(["市直", "咸宁发布", "=B2", "微信订阅号"])
    p2 = tmp_path / "accounts.xlsx"
    wb.save(p2)
    with pytest.raises(RosterError) as e:
        read_accounts(p2)
    assert "第2行" in str(e.value) and "公式" in str(e.value)


def test_xlsx_formula_with_saved_value_is_read_as_that_value(tmp_path):
    """A workbook saved by Excel keeps each formula's value: that value is what is read."""
    from govcheck.tables import read_table

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["单位名称", "首页网址"])
    ws.append(["=A1", "http://x.gov.cn/"])
    p = tmp_path / "t.xlsx"
    wb.save(p)
    # write the cached value the way Excel does (<v> beside <f>), which openpyxl itself never writes
    import zipfile

    src = zipfile.ZipFile(p)
    q = tmp_path / "cached.xlsx"
    with zipfile.ZipFile(q, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode("utf-8")
                assert "<f>A1</f><v></v>" in text or "<f>A1</f><v/>" in text or "<f>A1</f>" in text
                text = text.replace('<c r="A2" t="str"><f>A1</f><v></v></c>', '<c r="A2" t="str"><f>A1</f><v>市审计局</v></c>')
                text = text.replace('<c r="A2"><f>A1</f><v></v></c>', '<c r="A2" t="str"><f>A1</f><v>市审计局</v></c>')
                data = text.encode("utf-8")
            dst.writestr(item, data)
    rows = read_table(q)
    assert rows[1][0] == "市审计局", rows


# ------------------------------------------------------------------------------------------- findings import
def test_findings_xlsx_formula_cells_are_refused_not_dropped(round_copy):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["单位名称", "检查对象", "对象类型", "规则编码", "标题", "说明"])
    ws.append(["市审计局", "http://sjj.xianning.gov.cn/", "网站", "D19.1", '=CONCAT("关于","x")', "=1+1"])
    p = round_copy / "m.xlsx"
    wb.save(p)
    before = (round_copy / "findings.json").read_bytes()
    r = run("findings", "import", str(p), "--round", str(round_copy))
    assert r.exit_code != 0 and "第2行" in r.output and "公式" in r.output, r.output
    assert (round_copy / "findings.json").read_bytes() == before


GOOD = {"unit": "市审计局", "target": "http://sjj.xianning.gov.cn/", "target_type": "site", "code": "D19.1"}


@pytest.mark.parametrize("change,words", [
    ({"evidence": ["x"]}, ["evidence[1]", "对象"]),
    ({"evidence": [{"archive": "x"}]}, ["archive"]),
    ({"evidence": [{"date": 20220101}]}, ["日期", "文本"]),
    ({"evidence": [{"title": ["[/bold]"]}]}, ["title"]),
    ({"params": "abc"}, ["params"]),
    ({"params": {"x": {"y": 1}}}, ["params.x"]),
    ({"points": float("nan")}, ["扣分"]),
    ({"unit": {"a": 1}}, ["单位名称"]),
    ({"veto": [1]}, ["一票否决"]),
])
def test_findings_json_oddities(round_copy, change, words):
    p = round_copy / "bad.json"
    p.write_text(json.dumps([GOOD, GOOD | change], ensure_ascii=False), encoding="utf-8")
    before = (round_copy / "findings.json").read_bytes()
    r = run("findings", "import", str(p), "--round", str(round_copy))
    assert r.exit_code != 0 and "第2行" in r.output and all(w in r.output for w in words), r.output
    assert (round_copy / "findings.json").read_bytes() == before


def test_findings_deeply_nested_json(round_copy):
    nested = [1]
    for _ in range(40):
        nested = [nested]
    for text in ("[" * 100000 + "]" * 100000, json.dumps([GOOD | {"params": {"a": nested}}])):
        p = round_copy / "deep.json"
        p.write_text(text, encoding="utf-8")
        r = run("findings", "import", str(p), "--round", str(round_copy))
        assert r.exit_code != 0 and str(p) in r.output and "嵌套" in r.output, r.output


def test_import_twice_does_not_double_count(round_copy):
    p = round_copy / "m.json"
    p.write_text(json.dumps([GOOD | {"evidence": [{"note": "模拟咨询未答复", "date": "2022-05-10"}]}],
                            ensure_ascii=False), encoding="utf-8")
    r = run("findings", "import", str(p), "--round", str(round_copy))
    assert r.exit_code == 0 and "已导入 1 条" in r.output
    score = {s["unit"]: s["score"] for s in json.loads((round_copy / "scores.json").read_text(encoding="utf-8"))}
    r = run("findings", "import", str(p), "--round", str(round_copy))
    assert r.exit_code == 0 and "已导入 0 条" in r.output and "未重复导入" in r.output
    again = {s["unit"]: s["score"] for s in json.loads((round_copy / "scores.json").read_text(encoding="utf-8"))}
    assert again == score


# ------------------------------------------------------------------------------------------- spreadsheets out
FORMULA_NAMES = ['=HYPERLINK("http://169.254.169.254/","点此查看")', "+1+1", "-2+3", "@SUM(1,2)", "\t=1+1",
                 "\r=1+1", "=cmd|' /C calc'!A0"]


def test_every_workbook_written_holds_text_not_formulas(tmp_path):
    from govcheck.round import save_round

    t = load_transcription()
    rs = load_ruleset(t.meta["round"]["rules"])
    rename = {}
    for i, s in enumerate(t.sites[: len(FORMULA_NAMES)]):
        rename[s.unit] = FORMULA_NAMES[i]
    accounts = list(t.accounts)
    for i, a in enumerate(accounts[: len(FORMULA_NAMES)]):
        rename.setdefault(a.unit, FORMULA_NAMES[i] + "局")
    for s in t.sites:
        s.unit = rename.get(s.unit, s.unit)
    for a in accounts:
        a.unit = rename.get(a.unit, a.unit)
        if a.name in {x.name for x in accounts[:3]}:
            a.name = "=" + a.name
    names = {a.name for a in accounts}
    for f in t.findings:
        f.unit = rename.get(f.unit, f.unit)
        if f.target_type == "account" and "=" + f.target in names:
            f.target = "=" + f.target
    meta = dict(t.meta)
    meta["comparison"] = [{"unit": n, "fixed": 1, "still_failing": 0, "new": 0, "fixed_targets": [n],
                           "still_failing_targets": [], "new_targets": [n]} for n in FORMULA_NAMES]
    out = tmp_path / "r"
    save_round(out, meta=meta, rs=rs, sites=t.sites, accounts=accounts, findings=t.findings)
    books = sorted(out.glob("*.xlsx"))
    assert len(books) == 4, books  # 附件1, 附件2, 附件3 政务公开平台规范化检查情况表 (the transcription's GK), 整改情况对比表
    seen = set()
    for b in books:
        wb = openpyxl.load_workbook(b)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    assert c.data_type != "f", (b.name, c.coordinate, c.value)
                    if isinstance(c.value, str):
                        seen |= {n for n in FORMULA_NAMES if n in c.value}
    assert seen == set(FORMULA_NAMES)


def test_extract_reads_a_huge_file_only_as_far_as_a_crawl_would(tmp_path, monkeypatch):
    """`govcheck extract` of a file larger than its cap reads the cap, says so, and marks it; the cap is the
    crawl's body cap, so extract sees what a round would have archived."""
    from govcheck.collect.config import CrawlOptions
    from govcheck.extract import commands as extract_commands

    assert extract_commands.max_page_bytes() == CrawlOptions.defaults().max_body_bytes
    from govcheck.extract.codings import limits

    assert limits()["max_decoded_bytes"] == CrawlOptions.defaults().max_decoded_bytes
    monkeypatch.setattr(extract_commands, "max_page_bytes", lambda: 30000)
    rows = "".join(f'<li><a href="/a/{i}.html">第{i}号通知</a><span>2022-05-01</span></li>' for i in range(2000))
    p = tmp_path / "big.html"
    p.write_text(f"<html><head><title>通知公告</title></head><body><ul>{rows}</ul></body></html>", encoding="utf-8")
    r = runner.invoke(app, ["extract", str(p), "--url", "http://a.gov.cn/list/", "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout[r.stdout.index("{"):])
    assert doc["truncated"] is True and 0 < len(doc["items"]) < 2000
