"""`govcheck demo` reproduces the real Xianning 2022 Q2 notice (shared/reference), both ways it runs:

- by default it serves the 40-site, 214-account replica region on 127.0.0.1 and inspects it (crawl, extract,
  check, score, report: the whole round, ~3 minutes on 2 cores);
- `--from-notice` takes the websites' findings from the transcription of 附件1 (seconds) and still checks the
  replica accounts.

Expected values come from the reference text itself, parsed here (tests/reference_notice.py), never from the
replica's scenario files or the transcription: wording, totals, scores, brackets and rates are all computed by
the code under test.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from docx import Document

from reference_notice import attachment1, attachment2, canon, same_findings

ATT1 = "附件1 2022年咸宁市政府网站第二季度抽查监测情况表.xlsx"
ATT2 = "附件2 2022年咸宁市政务新媒体第二季度抽查监测情况表.xlsx"


MODES = {"inspect": [], "from-notice": ["--from-notice"]}


@pytest.fixture(scope="module", params=list(MODES))
def demo_out(request, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp(f"demo-{request.param}")
    r = subprocess.run([sys.executable, "-m", "govcheck.cli", "demo", *MODES[request.param], "--out", str(out)],
                       capture_output=True, text=True, timeout=1200)
    assert r.returncode == 0, r.stderr[-3000:]
    return out


def _inspected(out: Path) -> bool:
    return (out / "warc").is_dir()


def _sheet_rows(path: Path, header_first: str) -> list[list[str]]:
    ws = openpyxl.load_workbook(path).worksheets[0]
    rows = [["" if c is None else str(c) for c in r] for r in ws.iter_rows(values_only=True)]
    starts = [i for i, r in enumerate(rows) if r and r[0] == header_first]
    assert starts, f"no header row starting with {header_first} in {path.name}"
    out = []
    for r in rows[starts[0] + 1:]:
        if not any(r):
            break
        out.append(r)
    return out


def test_demo_writes_every_output(demo_out):
    names = {p.name for p in demo_out.iterdir()}
    for n in (ATT1, ATT2, "findings.json", "scores.json", "round.sqlite"):
        assert n in names
    assert any(n.startswith("通报 ") and n.endswith(".docx") for n in names)
    if demo_out.name.startswith("demo-inspect"):
        # a real round: archived pages, what needs a person, what sampling drew, each site's facts
        assert _inspected(demo_out)
        for n in ("manual.json", "samples.json", "anomalies.json", "sites.csv"):
            assert n in names, n
        assert len(list((demo_out / "facts").glob("*.json.gz"))) == 40


def test_attachment1_equals_the_sample(demo_out):
    ours = {r[0]: r for r in _sheet_rows(demo_out / ATT1, "单位名称")}
    ref = attachment1()
    assert [u for u, _, _ in ref] == list(ours), "units and their order"
    inspected = _inspected(demo_out)
    for unit, cell, score in ref:
        got = ours[unit]
        assert str(got[2]).removesuffix(".0") == score, unit
        if inspected:
            # found by the checks: the same findings (wording, 共扣N分, evidence) in the rule set's order
            assert same_findings(got[1], cell), f"{unit}:\n  ours: {got[1]}\n  ref:  {cell}"
        else:
            assert canon(got[1]) == canon(cell), unit


def test_units_printed_clean_have_no_table_finding(demo_out):
    """Units the sample prints as 无 get no finding that 附件1 prints (X03, named only in the notice's text,
    may still be found on them, as the notice does)."""
    from govcheck.rules import load_ruleset

    rs = load_ruleset("xianning-2022")
    clean = {u for u, cell, _ in attachment1() if cell == "无"}
    fs = json.loads((demo_out / "findings.json").read_text(encoding="utf-8"))
    printed = [(f["unit"], f["code"]) for f in fs
               if f["target_type"] == "site" and f["unit"] in clean and rs.rule(f["code"]).table]
    assert printed == []


def _reason_codes(text: str) -> set[str]:
    """Classify a 不合格原因 cell (ours or the sample's) into rule codes, and the last-update date."""
    t = canon(text)
    codes = set()
    if "严重表述错误" in t:
        codes.add("M1")
    if "开通至今未更新" in t:
        codes.add("M2.2")
    if "监测时间点内未更新" in t or "最后更新时间" in t or "最近更新时间" in t:
        codes.add("M2.1")
    if "湖北省未备案" in t:
        codes.add("MH1.2")
    elif "未备案" in t:
        codes.add("MH1.1")
    if "名称备案有误" in t:
        codes.add("MH2")
    m = re.search(r"(\d+)月份通报未整改", t)
    if m:
        codes.add(f"R1:{m.group(1)}")
    m = re.search(r"(\d{4})[.年](\d{1,2})[.月](\d{1,2})", t)
    if m:
        codes.add(date(*map(int, m.groups())).isoformat())
    return codes


def _shown(cell) -> str:
    """A cell as the spreadsheet shows it: rates are stored as numbers with a percentage format."""
    v = cell.value
    if isinstance(v, (int, float)) and not isinstance(v, bool) and cell.number_format.endswith("%"):
        decimals = len(cell.number_format.split(".")[1]) - 1 if "." in cell.number_format else 0
        return f"{v * 100:.{decimals}f}%"
    return "" if v is None else str(v)


def test_attachment2_equals_the_sample(demo_out):
    ref_districts, ref_accounts = attachment2()
    ws = openpyxl.load_workbook(demo_out / ATT2).worksheets[0]
    rows = [[_shown(c) for c in r] for r in ws.iter_rows()]
    d_start = next(i for i, r in enumerate(rows) if r[1] == "抽查数量")
    districts = []
    for r in rows[d_start + 1:]:
        if not r[0]:
            break
        districts.append(r[:4])
    assert [r[:3] for r in districts] == [r[:3] for r in ref_districts]
    for ours, ref in zip(districts, ref_districts):
        if ref[0] == "崇阳县":
            # the sample prints 94% for 34/36; we print the correct 94.4%
            assert (ref[3], ours[3]) == ("94%", "94.4%")
        else:
            assert ours[3] == ref[3]
    a_start = next(i for i, r in enumerate(rows) if r[1] == "新媒体名称")
    accounts = [r for r in rows[a_start + 1:] if any(r)]
    assert [r[:4] for r in accounts] == [r[:4] for r in ref_accounts]
    for ours, ref in zip(accounts, ref_accounts):
        assert _reason_codes(ours[4]) == _reason_codes(ref[4]), ref[1]
    jd = next(r for r in accounts if r[1] == "咸宁禁毒宣传")
    assert "3月份通报未整改" in jd[4]


def _body(demo_out: Path) -> str:
    doc = next(demo_out.glob("通报 *.docx"))
    return "\n".join(p.text for p in Document(doc).paragraphs)


def test_notice_numbers(demo_out):
    body = canon(_body(demo_out))
    for frag in ["对全市40家政府网站进行检查,总体合格率为95%", "等13家网站运行良好", "占比32.5%",
                 "100分以下的网站24家,占比60%", "90分以下的网站1家,占比2.5%", "2家网站被一票否决,占比5%",
                 "对全市214个政务新媒体进行了抽查,其中合格193个", "占比90.2%", "不合格21个(", "占比9.8%",
                 "严重表述错误4个", "监测时间点内未更新2个", "开通以来从未更新5个", "湖北省未备案9个", "备案名称不一致1个"]:
        assert canon(frag) in body, frag


def test_narrative_names_match_tables(demo_out):
    body = _body(demo_out)
    att1_units = {r[0] for r in _sheet_rows(demo_out / ATT1, "单位名称")}
    ws = openpyxl.load_workbook(demo_out / ATT2).worksheets[0]
    rows = [["" if c is None else str(c) for c in r] for r in ws.iter_rows(values_only=True)]
    a_start = next(i for i, r in enumerate(rows) if r[1] == "新媒体名称")
    failing = [r for r in rows[a_start + 1:] if any(r)]
    failing_names = {r[1] for r in failing}
    # every quoted account name in the text is a failing account of 附件2 ...
    quoted = set(re.findall(r"“([^”]+)”", body))
    account_like = {q for q in quoted if q in failing_names or q.startswith("咸宁") or q.endswith(("微信", "公安"))}
    for q in account_like:
        if q in {"先备案、后开设", "采、编、审、校、发"}:
            continue
        assert q in failing_names, q
    # ... and every failing account of 附件2 is named in the text
    for name in failing_names:
        assert f"“{name}”" in body, name
    # every unit the text names as having a problem has a finding in findings.json (附件1 or, for the
    # unscored annual-report rule X03, only there), and every vetoed unit is named
    problems = body[body.index("二、主要问题"):body.index("三、下一步工作要求")]
    with_findings = {f["unit"] for f in json.loads((demo_out / "findings.json").read_text(encoding="utf-8"))
                     if f["target_type"] == "site"}
    unquoted = re.sub(r"“[^”]*”", "", problems)  # account names such as “咸宁市生态环境局” are not units
    named = {u for u in att1_units if u in unquoted}
    assert named and named <= with_findings, named - with_findings
    for unit, cell in ((r[0], r[1]) for r in _sheet_rows(demo_out / ATT1, "单位名称")):
        if "一票否决" in cell:
            assert unit in problems, unit


def test_findings_and_scores_json_follow_the_contract(demo_out):
    fs = json.loads((demo_out / "findings.json").read_text(encoding="utf-8"))
    assert len(fs) > 100
    for f in fs:
        for k in ("unit", "target", "target_type", "code", "text", "points", "veto", "evidence", "review", "source"):
            assert k in f
        assert f["target_type"] in ("site", "account")
        assert f["review"] in ("pending", "confirmed", "dismissed")
    sc = json.loads((demo_out / "scores.json").read_text(encoding="utf-8"))
    assert len(sc) == 40 + 214
    vetoed = [s for s in sc if s["verdict"] == "一票否决"]
    assert {s["unit"] for s in vetoed} == {"市民政局", "市自然资源和规划局"}
    assert all(s["score"] is None for s in vetoed)
    edu = next(s for s in sc if s["unit"] == "市教育局")
    assert edu["score"] == 88.5 and edu["verdict"] == "合格"
    round_info = json.loads((demo_out / "round.json").read_text(encoding="utf-8"))
    assert round_info["rules"]["name"] == "xianning-2022" and round_info["seed"] == 20220515
    assert len(round_info["rules"]["hash"]) == 64


# ---------------------------------------------------------------------- 一、（一） 政务公开 (issue 18)
ATT3 = "附件3 政务公开平台规范化检查情况表.xlsx"
DEMO_DIR = Path(__file__).resolve().parents[1] / "govcheck" / "demo" / "xianning-2022q2"


def _crawled(out: Path) -> bool:
    """The round inspected the replica's sites (the from-notice round archives account feeds only)."""
    return out.name.startswith("demo-inspect")


def _reference_platform_paragraph() -> str:
    from reference_notice import reference_text

    return next(line for line in reference_text().splitlines() if "政务公开抽查情况" in line)


def test_platform_section_is_computed_and_names_the_samples_counties(demo_out):
    """The sample's paragraph says every county-level government (县（市、区）政府均) fell short; ours is written
    from the GK findings: the units with findings are exactly the counties of the sample (its 附件2 districts),
    and the paragraph either says 均 or names exactly them. round.toml no longer types it."""
    import tomllib

    with (DEMO_DIR / "round.toml").open("rb") as f:
        assert "overview_extra" not in tomllib.load(f)["notice"]
    ref = canon(_reference_platform_paragraph())
    counties = [r[0] for r in attachment2()[0] if r[0] != "市直"]
    expected = set(counties) if "均" in ref else {c for c in counties if c in ref}
    assert expected == {"咸安区", "嘉鱼县", "赤壁市", "通城县", "崇阳县", "通山县"}  # the parse above is sound
    fs = json.loads((demo_out / "findings.json").read_text(encoding="utf-8"))
    found = {f["unit"] for f in fs if f["code"].startswith("GK")}
    assert found == expected
    ours = next(p for p in _body(demo_out).splitlines() if "政务公开抽查情况" in p)
    assert ours.startswith("（一）政务公开抽查情况。")
    named = {c for c in counties if c in ours}
    assert named == expected or ("县（市、区）政府均" in ours and not named)
    for frag in ("市政务公开领导小组办公室于5月初对全市政务公开工作进行抽查", "《省人民政府办公厅关于规范政府信息公开平台建设有关事项的通知》",
                 "对辖区内部门、乡镇栏目进行规范开设"):
        assert canon(frag) in canon(ours), frag
    if _crawled(demo_out):
        # found on the replica's pages: counts per county, computed (every county misses department and
        # township sub-platforms, as in the sample)
        assert "县（市、区）政府均" in ours
        for c in expected:
            m = re.search(c + r"未开设部门子平台(\d+)个，未开设乡镇（街道）子平台(\d+)个", ours)
            assert m, c
            n_dept = sum(1 for f in fs if f["unit"] == c and f["code"] == "GK2.1" and f["params"].get("type") == "部门")
            n_town = sum(1 for f in fs if f["unit"] == c and f["code"] == "GK2.1" and f["params"].get("type") == "乡镇街道")
            assert (int(m.group(1)), int(m.group(2))) == (n_dept, n_town) and n_dept > 0 and n_town > 0
        # and none of them reaches 附件1 or a score
        assert all(f["points"] == 0 for f in fs if f["code"].startswith("GK"))
    else:
        assert canon(ours) == ref  # transcribed: the sample's own words, from its six county findings


def test_platform_attachment_lists_every_body(demo_out):
    wb = openpyxl.load_workbook(demo_out / ATT3)
    ws = wb.worksheets[0]
    ref_ws = openpyxl.load_workbook(demo_out / ATT1).worksheets[0]
    # laid out like the others: title row, header row, the same page setup
    assert ws.page_setup.orientation == ref_ws.page_setup.orientation
    assert ws.page_setup.paperSize == ref_ws.page_setup.paperSize
    rows = _sheet_rows(demo_out / ATT3, "县（市、区）")
    assert rows
    if not _crawled(demo_out):
        return
    import csv

    with (DEMO_DIR / "bodies.csv").open(encoding="utf-8-sig") as f:
        bodies = [(r["区域"], r["单位名称"]) for r in csv.DictReader(f)]
    listed = [(r[0], r[1]) for r in rows if r[2] in ("部门", "乡镇街道")]
    assert sorted(listed) == sorted(bodies)
    by_name = {r[1]: r for r in rows}
    missing = by_name["嘉鱼县财政局"]
    assert missing[3] == "未开设" and "未开设嘉鱼县财政局信息公开子平台" in missing[4]
    assert "bodies.csv第" in missing[5] and "存档 " in missing[5] and "部门信息公开平台" in missing[5]
    opened = by_name["嘉鱼县教育局"]  # the replica's county platforms carry 县发改局 and 县教育局
    assert "部门信息公开平台>县教育局" in opened[3] and "http://127.0.0.1:" in opened[3]
    assert "“政府信息公开指南”栏目未设置" in opened[4]
