"""The gate before publishing: drafts while anything is open, `report --final` refuses, the manual worklist
goes out as 人工核查清单.xlsx and comes back through `govcheck findings import`."""
from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from docx import Document
from typer.testing import CliRunner

from govcheck.cli import app
from govcheck.publish import PublishRefused, publish, round_status
from govcheck.report.worklist import FILE_NAME, HEADER
from govcheck.store import Store

runner = CliRunner()
ATT1 = "附件1 2022年咸宁市政府网站第二季度抽查监测情况表.xlsx"


@pytest.fixture(scope="module")
def demo_round(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("gate") / "r"
    r = runner.invoke(app, ["demo", "--transcribed", "--out", str(out)])
    assert r.exit_code == 0, r.output
    return out


@pytest.fixture()
def open_round(demo_round, tmp_path) -> Path:
    """The demo round with two findings put back to 待复核 and three 需人工核查 items, as inspect leaves them."""
    dst = tmp_path / "r"
    shutil.copytree(demo_round, dst)
    store = Store.for_dir(dst)
    info = store.round()
    fs = store.findings(info.id)
    for f in fs[:2]:
        store.review(f.id, "reopen", "测试", "重新复核")
    sites = store.sites(info.id)
    store.sync_manual(info.id, [
        {"unit": sites[0].unit, "target": sites[0].url, "target_type": "site", "code": "V1.1",
         "what": "通读首页及重点栏目文字，核对是否存在严重表述错误", "urls": [sites[0].url]},
        {"unit": sites[1].unit, "target": sites[1].url, "target_type": "site", "code": "D19.1",
         "what": "模拟用户咨询，5个工作日内是否答复", "urls": [sites[1].url]},
        {"unit": sites[2].unit, "target": sites[2].url, "target_type": "site", "code": "*",
         "what": "网站无法抓取，请人工核查", "urls": [sites[2].url]},
    ])
    r = runner.invoke(app, ["report", str(dst)])
    assert r.exit_code == 0, r.output
    return dst


def _docx(d: Path) -> Path:
    return next(d.glob("通报 *.docx"))


def _header_text(d: Path) -> str:
    doc = Document(str(_docx(d)))
    sec = doc.sections[0]
    return "".join(p.text for h in (sec.header, sec.even_page_header) for p in h.paragraphs)


def test_open_round_is_a_draft_with_counts_everywhere(open_round):
    mark = "征求意见稿（尚有待复核问题2条、需人工核查事项3项）"
    assert mark in _header_text(open_round)
    for xlsx in open_round.glob("附件*.xlsx"):
        ws = openpyxl.load_workbook(xlsx).active
        assert mark in [c.value for c in ws[1]], xlsx.name
        assert mark in ws.oddHeader.right.text
    info = json.loads((open_round / "round.json").read_text(encoding="utf-8"))
    assert info["status"] == "draft" and info["open"]["pending_findings"] == 2 and info["open"]["open_manual"] == 3
    # the sample's tables and numbers are still what the draft prints
    ws = openpyxl.load_workbook(open_round / ATT1).active
    assert any(r[0] == "市教育局" and r[2] == 88.5 for r in ws.iter_rows(values_only=True))


def test_final_is_refused_listing_what_is_open(open_round):
    before = _docx(open_round).read_bytes()
    r = runner.invoke(app, ["report", str(open_round), "--final", "--by", "张三"])
    assert r.exit_code == 3, r.output
    assert "不能定稿发布" in r.output and "待复核问题 2 条" in r.output and "需人工核查事项 3 项" in r.output
    assert "V1.1" in r.output and "--allow-open" in r.output
    assert _docx(open_round).read_bytes() == before  # nothing rewritten
    assert Store.for_dir(open_round).publications(Store.for_dir(open_round).round().id) == []
    with pytest.raises(PublishRefused) as e:
        publish(open_round, by="张三")
    assert e.value.status.is_open and len(e.value.status.manual_open) == 3
    r = runner.invoke(app, ["report", str(open_round), "--final"])
    assert r.exit_code == 2 and "--by" in r.output


def test_allow_open_publishes_and_records_the_reason(open_round):
    r = runner.invoke(app, ["report", str(open_round), "--final", "--allow-open", "领导要求先行印发", "--by", "张三"])
    assert r.exit_code == 0, r.output
    assert "征求意见稿" not in _header_text(open_round)
    for xlsx in open_round.glob("附件*.xlsx"):
        assert "征求意见稿" not in str([c.value for c in openpyxl.load_workbook(xlsx).active[1]])
    info = json.loads((open_round / "round.json").read_text(encoding="utf-8"))
    assert info["status"] == "final"
    assert info["publication"]["allow_open_reason"] == "领导要求先行印发" and info["publication"]["by"] == "张三"
    store = Store.for_dir(open_round)
    pubs = store.publications(store.round().id)
    assert len(pubs) == 1 and pubs[0]["allow_open_reason"] == "领导要求先行印发"
    assert pubs[0]["pending_findings"] == 2 and pubs[0]["open_manual"] == 3 and pubs[0]["by"] == "张三"
    # the published version is kept as it went out; a later review makes a new draft beside it
    kept = [open_round / f for f in pubs[0]["files"]]
    assert kept and all(f.is_file() and f.parent.parent.name == "已发布" for f in kept)
    published_docx = next(f for f in kept if f.suffix == ".docx").read_bytes()
    f0 = store.findings(store.round().id)[0]
    r = runner.invoke(app, ["review", "dismiss", f0.id, "--by", "张三", "--reason", "复核撤销", "--round", str(open_round)])
    assert r.exit_code == 0, r.output
    assert "征求意见稿" in _header_text(open_round)
    assert next(f for f in kept if f.suffix == ".docx").read_bytes() == published_docx


def _fill(path: Path, results: dict[str, dict[str, str]]) -> None:
    """Fill the worklist as an inspector would: by the item's rule code."""
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    head = next(r for r in range(1, 10) if ws.cell(r, 1).value == "编号")
    col = {ws.cell(head, c).value: c for c in range(1, ws.max_column + 1)}
    for r in range(head + 1, ws.max_row + 1):
        code = ws.cell(r, col["规则"]).value
        for k, v in results.get(code, {}).items():
            ws.cell(r, col[k]).value = v
    wb.save(path)


def test_worklist_goes_out_and_comes_back(open_round, tmp_path):
    path = open_round / FILE_NAME
    ws = openpyxl.load_workbook(path).active
    head = next(r for r in range(1, 10) if ws.cell(r, 1).value == "编号")
    assert [ws.cell(head, c).value for c in range(1, len(HEADER) + 1)] == HEADER
    rows = [[ws.cell(r, c).value for c in range(1, len(HEADER) + 1)] for r in range(head + 1, ws.max_row + 1)]
    assert len(rows) == 3 and {r[3] for r in rows} == {"V1.1", "D19.1", "*"}
    assert all(r[HEADER.index("核查结果")] in (None, "") for r in rows)  # blank for the inspector
    assert ws.cell(head + 1, HEADER.index("相关链接") + 1).hyperlink is not None
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows

    filled = tmp_path / "清单.xlsx"
    shutil.copy(path, filled)
    # 有问题 without a description or a URL: refused, naming row and column, nothing recorded
    _fill(filled, {"V1.1": {"核查结果": "有问题", "核查人": "李四"}})
    r = runner.invoke(app, ["findings", "import", str(filled), "--round", str(open_round)])
    assert r.exit_code == 2 and "列“问题说明”" in r.output and "第" in r.output
    store = Store.for_dir(open_round)
    info = store.round()
    assert all(m.is_open for m in store.manual_items(info.id))

    n_before = len(store.findings(info.id))
    _fill(filled, {
        "V1.1": {"核查结果": "无问题", "核查人": "李四"},
        "D19.1": {"核查结果": "有问题", "问题说明": "5个工作日内未收到答复", "问题网址": "http://x.example/ask/1",
                  "核查日期": "2022-05-12"},
        "*": {"核查结果": "无问题"},
    })
    r = runner.invoke(app, ["findings", "import", str(filled), "--round", str(open_round), "--by", "王五"])
    assert r.exit_code == 0, r.output
    assert "无问题 2 项" in r.output and "新增问题 1 条" in r.output
    items = {m.code: m for m in store.manual_items(info.id)}
    assert items["V1.1"].status == "clear" and items["V1.1"].result_by == "李四"
    assert items["*"].result_by == "王五"
    assert items["D19.1"].status == "finding" and items["D19.1"].finding_id
    fs = store.findings(info.id)
    assert len(fs) == n_before + 1
    new = next(f for f in fs if f.id == items["D19.1"].finding_id)
    assert new.code == "D19.1" and new.review == "confirmed" and new.source == "manual"
    assert new.evidence[0].note == "5个工作日内未收到答复" and new.evidence[0].url == "http://x.example/ask/1"
    assert store.review_trail(new.id)[0]["by"] == "王五"
    assert len(store.manual_trail(items["V1.1"].id)) == 1
    scores = {s["unit"]: s for s in json.loads((open_round / "scores.json").read_text(encoding="utf-8"))}
    assert scores[new.unit]["score"] is not None
    # the same file again adds nothing
    r = runner.invoke(app, ["findings", "import", str(filled), "--round", str(open_round), "--by", "王五"])
    assert r.exit_code == 0 and "此前已导入" in r.output
    assert len(store.findings(info.id)) == n_before + 1
    # the worklist now shows the results; the draft mark counts only the reopened findings
    ws = openpyxl.load_workbook(open_round / FILE_NAME).active
    results = [ws.cell(r, HEADER.index("核查结果") + 1).value for r in range(head + 1, ws.max_row + 1)]
    assert sorted(results) == ["无问题", "无问题", "有问题"]
    assert "征求意见稿（尚有待复核问题2条）" in _header_text(open_round)
    assert round_status(open_round).to_dict()["open_manual"] == 0

    # review the last two, then --final goes through without a reason
    for f in [f for f in store.findings(info.id) if f.review == "pending"]:
        store.review(f.id, "confirm", "赵六", "核实无误")
    r = runner.invoke(app, ["report", str(open_round), "--final", "--by", "赵六"])
    assert r.exit_code == 0, r.output
    assert "征求意见稿" not in _header_text(open_round)
    pubs = store.publications(info.id)
    assert pubs[-1]["allow_open_reason"] is None and pubs[-1]["pending_findings"] == 0
    with zipfile.ZipFile(_docx(open_round)) as z:
        core = z.read("docProps/core.xml").decode("utf-8")
        app_xml = z.read("docProps/app.xml").decode("utf-8")
    assert "2013" not in core and "Macintosh" not in app_xml and "govcheck" in app_xml
