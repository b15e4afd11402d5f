"""`govcheck selfcheck` on a replica site with planted defects: a 自查报告 (docx + xlsx) whose problem lines are
word for word what the office's round prints for that unit in 附件1."""
from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from docx import Document
from typer.testing import CliRunner

from govcheck.sim.testing import running_region
from monitor_support import china_today, write_scenario

UNIT = "示范市审计局"


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    from govcheck.inspect.run import run_inspect

    tmp = tmp_path_factory.mktemp("self")
    today = china_today()
    scen = write_scenario(tmp / "scenario", today, {"self-a": (UNIT, [
        {"plant": "stale", "path": "首页>新闻动态>工作动态", "last": (today - dt.timedelta(days=40)).isoformat()},
        {"plant": "footer_missing", "elements": ["icp"]},
    ])}, name="self-test")
    with running_region(scen) as reg:
        url = reg.sites[0]["url"]
        from govcheck.cli import app

        out = tmp / "self"
        args = ["selfcheck", "--site", url, "--unit", UNIT, "--name", "示范市审计局网站", "--out", str(out),
                "--at", today.isoformat(), "--delay", "0", "--no-progress"]
        for a in reg.allow:
            args += ["--allow", a]
        r = CliRunner().invoke(app, args)
        assert r.exit_code == 0, r.output
        # the office's round over the same site (its own roster, its own folder)
        office = run_inspect(reg.write_roster(tmp / "sites.csv"), tmp / "office", at=today, delay=0.0,
                             progress=False, allow=reg.allow)
    return {"out": out, "office": office, "output": r.output, "url": url}


def test_report_lines_are_the_notices(checked):
    out = checked["out"]
    docx = next(out.glob("自查报告*.docx")) if list(out.glob("自查报告*.docx")) else next(out.glob("*自查报告.docx"))
    text = [p.text for p in Document(str(docx)).paragraphs]
    # 附件1 of the office's round: the unit's cell, one printed line per rule (evidence lines follow)
    wb = openpyxl.load_workbook(next((checked["office"].out).glob("附件1*.xlsx")))
    cell = next(r[1] for r in wb.active.iter_rows(values_only=True) if r and r[0] == UNIT)
    office_lines = {f.text for f in checked["office"].view.findings if f.unit == UNIT}
    assert any("动态要闻" in t for t in office_lines) and any("ICP" in t or "备案" in t for t in office_lines)
    for line in office_lines:
        head = line.split("共扣")[0].rstrip("。")
        assert head in cell  # the office prints it …
        assert any(head in t for t in text), head  # … and so does the self-check report
    assert text[0].endswith("自查报告") or any(t.endswith("自查报告") for t in text[:3])
    assert any(t.startswith("三、需人工核查的事项") for t in text)
    # what the program could not decide is listed apart from the indicators a person always checks
    i, j = text.index("三、需人工核查的事项"), text.index("四、需人工检查的指标")
    assert any("V2" in t for t in text[i:j]) and not any("V1.2" in t for t in text[i:j])
    assert any("V1.2" in t for t in text[j:])


def test_xlsx_lists_each_problem_with_its_evidence(checked):
    out = checked["out"]
    xlsx = next(out.glob("*自查报告*.xlsx"))
    rows = [r for ws in openpyxl.load_workbook(xlsx).worksheets for r in ws.iter_rows(values_only=True)]
    codes = {r[1] for r in rows if r and r[1]}
    assert "D04.2" in codes
    d042 = next(r for r in rows if r and r[1] == "D04.2")
    assert "工作动态" in (d042[4] or "") and str(d042[3]) == "5"
    assert "自查完成" in checked["output"]


def test_bad_site_is_a_message(tmp_path):
    from govcheck.cli import app

    r = CliRunner().invoke(app, ["selfcheck", "--site", "ftp:/x", "--out", str(tmp_path / "o")])
    assert r.exit_code == 2 and "--site" in r.output
