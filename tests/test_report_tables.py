"""The round's tables fit to send: 整改情况对比表 laid out and printed like the attachments, with the same unit
names as 附件2; every sheet of every workbook has its print set-up."""
from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from govcheck.cli import app

ATT2 = "附件2 2022年咸宁市政务新媒体第二季度抽查监测情况表.xlsx"


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("tables") / "r"
    r = CliRunner().invoke(app, ["demo", "--from-notice", "--out", str(out)])
    assert r.exit_code == 0, r.output
    return out


def _rows(ws, first_header: str) -> tuple[int, list[list]]:
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    head = next(i for i, r in enumerate(rows) if r[0] == first_header)
    return head + 1, rows[head + 1:]


def test_comparison_table_like_the_attachments(demo):
    ws = openpyxl.load_workbook(demo / "整改情况对比表.xlsx").active
    assert ws.cell(2, 1).value == "2022年3月份通报问题整改情况对比表"
    assert ws.cell(2, 1).font.bold and any(str(r).startswith("A2:") for r in ws.merged_cells.ranges)
    head, rows = _rows(ws, "市直/县（市、区）")
    assert [c.value for c in ws[head]][:6] == ["市直/县（市、区）", "新媒体名称", "主办单位", "新媒体类型", "整改情况",
                                               "本期不合格原因"]
    assert ws.cell(head + 1, 1).border.left.style == "thin"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.print_title_rows.replace("$", "") == f"{head}:{head}"
    states = {r[4] for r in rows}
    assert states == {"仍未整改", "已整改", "新发现"}
    still = [r for r in rows if r[4] == "仍未整改"]
    assert [r[1] for r in still] == ["咸宁禁毒宣传"] and "3月份通报未整改" in still[0][5]
    # the 主办单位 of each failing account is the one 附件2 prints for it (the sample lists 健康咸宁 under two
    # names, one per platform; the table follows the roster, as 附件2 does, instead of merging them)
    ws2 = openpyxl.load_workbook(demo / ATT2).active
    _, acc_rows = _rows(ws2, "市直/县（市、区）")
    att2 = {(r[1], r[3]): r[2] for r in acc_rows if r[1] and r[3] and r[1] != "新媒体名称"}
    for r in rows:
        if r[4] != "已整改":
            assert att2[(r[1], r[3])] == r[2], r


def test_every_sheet_has_its_print_setup(demo):
    books = sorted(demo.glob("*.xlsx"))
    assert len(books) >= 3
    for book in books:
        for ws in openpyxl.load_workbook(book).worksheets:
            assert int(ws.page_setup.paperSize) == 9, (book.name, ws.title)
            assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1, book.name
            assert ws.print_title_rows, (book.name, ws.title)
            assert "&P" in (ws.oddFooter.center.text or ""), book.name
