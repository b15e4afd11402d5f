"""Layout of the notice: the docx per GB/T 9704-2012, the attachment workbooks, the file names."""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from openpyxl import load_workbook

from govcheck.report.doc import Attachment, NoticeDoc, Paragraph, Table
from govcheck.report.docx import balance_title, build_docx, display_width
from govcheck.report.render import render_notice, safe_file_name

FIXTURE = Path(__file__).parent / "fixtures" / "report" / "notice.json"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
MM_PER_TWIP = 25.4 / 1440


def load_notice(path: Path = FIXTURE) -> NoticeDoc:
    d = json.loads(path.read_text(encoding="utf-8"))
    return NoticeDoc(
        title=d["title"],
        recipients=d["recipients"],
        body=[Paragraph(**p) for p in d["body"]],
        attachments=[
            Attachment(label=a["label"], title=a["title"], tables=[Table(**t) for t in a["tables"]])
            for a in d["attachments"]
        ],
        issuer=d["issuer"],
        date=d["date"],
        doc_number=d.get("doc_number"),
    )


def w(attr: str) -> str:
    return f"{{{W}}}{attr}"


@pytest.fixture(scope="module")
def notice() -> NoticeDoc:
    return load_notice()


@pytest.fixture(scope="module")
def rendered(notice, tmp_path_factory):
    out = tmp_path_factory.mktemp("notice")
    return out, render_notice(notice, out)


@pytest.fixture(scope="module")
def parts(rendered):
    """document.xml, settings.xml and every footer part of the written docx, parsed."""
    _, paths = rendered
    docx = [p for p in paths if p.suffix == ".docx"][0]
    with zipfile.ZipFile(docx) as z:
        names = z.namelist()
        return {n: etree.fromstring(z.read(n)) for n in names if n.endswith(".xml") and n.startswith("word/")}


@pytest.fixture(scope="module")
def body(parts):
    return parts["word/document.xml"].find("w:body", NS)


def ptext(p) -> str:
    return "".join(t.text or "" for t in p.iterfind(".//w:t", NS))


def run_fonts(r) -> tuple[str | None, float | None]:
    rf = r.find("w:rPr/w:rFonts", NS)
    sz = r.find("w:rPr/w:sz", NS)
    return (rf.get(w("eastAsia")) if rf is not None else None,
            int(sz.get(w("val"))) / 2 if sz is not None else None)


def top_paragraphs(body):
    return [p for p in body.iterfind("w:p", NS)]


def find_para(body, startswith: str):
    for p in top_paragraphs(body):
        if ptext(p).startswith(startswith):
            return p
    raise AssertionError(f"no paragraph starts with {startswith!r}")


# ------------------------------------------------------------------------------------------ files


def test_file_names_and_order(rendered, notice):
    out, paths = rendered
    assert [p.name for p in paths] == [
        "附件1 2022年咸宁市政府网站第二季度抽查监测情况表.xlsx",
        "附件2 2022年咸宁市政务新媒体第二季度抽查监测情况表.xlsx",
        "通报 关于2022年第二季度全市政府网站和政务新媒体抽查情况的通报.docx",
    ]
    assert all(p.parent == out and p.stat().st_size > 0 for p in paths)


def test_unsafe_characters_in_a_title_do_not_escape_the_folder(tmp_path, notice):
    n = load_notice()
    n.title = "关于A/B类网站的通报"
    n.attachments = n.attachments[:1]
    n.attachments[0].title = "情况表:第1/2部分"
    paths = render_notice(n, tmp_path / "out")
    assert all(p.parent == tmp_path / "out" for p in paths)
    assert paths[0].name == "附件1 情况表_第1_2部分.xlsx"
    assert safe_file_name("a/b", ".docx") == "a_b.docx"
    with pytest.raises(ValueError):
        safe_file_name("  ", ".docx")


# ------------------------------------------------------------------------------------------ docx page


def test_page_is_a4_with_gbt9704_margins(body):
    sect = body.find("w:sectPr", NS)
    pg, mar = sect.find("w:pgSz", NS), sect.find("w:pgMar", NS)
    mm = lambda el, a: int(el.get(w(a))) * MM_PER_TWIP  # noqa: E731
    assert mm(pg, "w") == pytest.approx(210, abs=0.1)
    assert mm(pg, "h") == pytest.approx(297, abs=0.1)
    assert mm(mar, "top") == pytest.approx(37, abs=0.1)
    assert mm(mar, "bottom") == pytest.approx(35, abs=0.1)
    assert mm(mar, "left") == pytest.approx(28, abs=0.1)
    assert mm(mar, "right") == pytest.approx(26, abs=0.1)


def test_doc_grid_fits_22_lines_of_28_characters(body, parts):
    sect = body.find("w:sectPr", NS)
    grid = sect.find("w:docGrid", NS)
    assert grid.get(w("type")) == "linesAndChars"
    pg, mar = sect.find("w:pgSz", NS), sect.find("w:pgMar", NS)
    text_h_pt = (int(pg.get(w("h"))) - int(mar.get(w("top"))) - int(mar.get(w("bottom")))) / 20
    text_w_pt = (int(pg.get(w("w"))) - int(mar.get(w("left"))) - int(mar.get(w("right")))) / 20
    line_pt = int(grid.get(w("linePitch"))) / 20
    assert 22 * line_pt <= text_h_pt < 23 * line_pt
    # Word's character pitch = default font size + charSpace/4096 pt.
    styles = parts["word/styles.xml"]
    default_sz = int(styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:sz", NS).get(w("val"))) / 2
    assert default_sz == 16  # 3号
    pitch = default_sz + int(grid.get(w("charSpace"))) / 4096
    assert 28 * pitch <= text_w_pt < 29 * pitch


def test_every_run_sets_east_asian_font(parts):
    runs = 0
    for name, root in parts.items():
        if name.startswith("word/document") or name.startswith("word/footer"):
            for r in root.iter(w("r")):
                runs += 1
                rf = r.find("w:rPr/w:rFonts", NS)
                assert rf is not None and rf.get(w("eastAsia")), f"{name}: run {ptext(r)!r} lacks w:eastAsia"
    assert runs > 200


def test_title_recipients_and_body_styles(body, notice):
    paras = top_paragraphs(body)
    title = paras[0]
    assert ptext(title) == notice.title  # balanced across lines by a break, not by changing text
    assert title.find("w:pPr/w:jc", NS).get(w("val")) == "center"
    assert len(title.findall(".//w:br", NS)) == 1
    for r in title.iterfind("w:r", NS):
        assert run_fonts(r) == ("方正小标宋简体", 22)

    recip = find_para(body, notice.recipients)
    ind = recip.find("w:pPr/w:ind", NS)
    assert ind.get(w("firstLineChars")) == "0" and ind.get(w("leftChars")) == "0"  # 居左顶格
    assert run_fonts(recip.find("w:r", NS)) == ("仿宋_GB2312", 16)

    first_body = find_para(body, "按照国务院办公厅")
    assert first_body.find("w:pPr/w:ind", NS).get(w("firstLineChars")) == "200"
    assert {run_fonts(r) for r in first_body.iterfind("w:r", NS)} == {("仿宋_GB2312", 16)}
    spacing = first_body.find("w:pPr/w:spacing", NS)
    assert spacing.get(w("lineRule")) == "exact"


def test_headings_use_hei_and_kai(body):
    h1 = find_para(body, "一、总体情况")
    assert {run_fonts(r) for r in h1.iterfind("w:r", NS)} == {("黑体", 16)}
    # A second-level heading standing alone is all 楷体.
    h2 = find_para(body, "（一）调查征集不规范")
    assert {run_fonts(r) for r in h2.iterfind("w:r", NS)} == {("楷体_GB2312", 16)}
    # A run-in heading: the heading up to its 。 in 楷体, the sentence after it in 仿宋.
    runin = find_para(body, "（一）网站抽查情况。")
    runs = runin.findall("w:r", NS)
    assert ptext(runs[0]) == "（一）网站抽查情况。"
    assert run_fonts(runs[0])[0] == "楷体_GB2312"
    assert run_fonts(runs[1])[0] == "仿宋_GB2312"
    assert ptext(runs[1]).startswith("市政务公开领导小组办公室于5月中旬")


def test_attachment_list_hangs_under_the_first_name(body):
    first = find_para(body, "附件：1.")
    second = find_para(body, "2.2022年")
    i1, i2 = first.find("w:pPr/w:ind", NS), second.find("w:pPr/w:ind", NS)
    # Both wrap to the same left edge (the first character of the names) ...
    assert i1.get(w("left")) == i2.get(w("left"))
    left_chars = int(i1.get(w("leftChars"))) / 100
    # ... which is 左空二字 + "附件：" + "1." ...
    assert left_chars == pytest.approx(2 + display_width("附件：") + display_width("1."))
    # ... and each first line starts further left: at 二字 for "附件：", under "1." for "2.".
    assert left_chars - int(i1.get(w("hangingChars"))) / 100 == pytest.approx(2)
    assert left_chars - int(i2.get(w("hangingChars"))) / 100 == pytest.approx(2 + display_width("附件："))
    # 正文下空一行 before the attachment list.
    paras = top_paragraphs(body)
    assert ptext(paras[paras.index(first) - 1]) == ""


def test_signature_centred_over_date_which_sits_four_characters_from_the_right(body, notice):
    paras = top_paragraphs(body)
    texts = [ptext(p) for p in paras]
    si, di = texts.index(notice.issuer), texts.index(notice.date)
    assert di == si + 1
    assert texts.count(notice.issuer) == 1  # issuer printed once
    sig, date = paras[si], paras[di]
    for p in (sig, date):
        assert p.find("w:pPr/w:jc", NS).get(w("val")) in ("right", "end")
    date_right = int(date.find("w:pPr/w:ind", NS).get(w("rightChars"))) / 100
    sig_right = int(sig.find("w:pPr/w:ind", NS).get(w("rightChars"))) / 100
    assert date_right == 4
    # Centres coincide: right edge + half width equal for both lines.
    assert sig_right + display_width(notice.issuer) / 2 == pytest.approx(
        date_right + display_width(notice.date) / 2, abs=0.01)


def test_signature_from_body_paragraphs_is_not_duplicated(tmp_path):
    n = load_notice()
    n.body.append(Paragraph("某某市人民政府办公室", "signature"))
    n.body.append(Paragraph("2023年1月5日", "date"))
    doc = build_docx(n)
    texts = [p.text for p in doc.paragraphs]
    assert "某某市人民政府办公室" in texts and "2023年1月5日" in texts
    assert n.issuer not in texts and n.date not in texts


def test_unknown_paragraph_style_is_a_clear_error():
    n = load_notice()
    n.body.append(Paragraph("奇怪的段落", "heading9"))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="heading9"):
        build_docx(n)


def test_page_numbers_in_footers_odd_right_even_left(parts):
    settings = parts["word/settings.xml"]
    assert settings.find("w:evenAndOddHeaders", NS) is not None
    doc = parts["word/document.xml"]
    sect = doc.find("w:body/w:sectPr", NS)
    refs = {ref.get(w("type")): ref.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
            for ref in sect.iterfind("w:footerReference", NS)}
    assert {"default", "even"} <= set(refs)
    footers = {n: r for n, r in parts.items() if n.startswith("word/footer")}
    seen_align = set()
    for root in footers.values():
        p = root.find("w:p", NS)
        instr = "".join(t.text for t in root.iter(w("instrText")))
        assert instr.strip() == "PAGE"
        assert [f.get(w("fldCharType")) for f in root.iter(w("fldChar"))] == ["begin", "separate", "end"]
        text = ptext(p)
        assert text.startswith("— ") and text.endswith(" —")
        for r in p.iterfind("w:r", NS):
            assert run_fonts(r) == ("宋体", 14)
        seen_align.add(p.find("w:pPr/w:jc", NS).get(w("val")))
    assert seen_align == {"left", "right"}


def test_attachments_start_new_pages_with_label_title_and_tables(body, notice):
    paras = top_paragraphs(body)
    for att in notice.attachments:
        label = [p for p in paras if ptext(p) == att.label]
        assert len(label) == 1
        ppr = label[0].find("w:pPr", NS)
        assert ppr.find("w:pageBreakBefore", NS) is not None
        assert ppr.find("w:jc", NS).get(w("val")) == "left"
        assert {run_fonts(r) for r in label[0].iterfind("w:r", NS)} == {("黑体", 16)}
        # The title sits on the third line: label, one blank line, title.
        i = paras.index(label[0])
        assert ptext(paras[i + 1]) == ""
        assert ptext(paras[i + 2]) == att.title
        assert {run_fonts(r)[0] for r in paras[i + 2].iterfind("w:r", NS)} == {"方正小标宋简体"}
    assert len(body.findall("w:tbl", NS)) == sum(len(a.tables) for a in notice.attachments)


def test_tables_hold_every_cell_with_repeated_header_and_borders(body, notice):
    tables = body.findall("w:tbl", NS)
    expected = [t for a in notice.attachments for t in a.tables]
    for tbl, t in zip(tables, expected):
        rows = tbl.findall("w:tr", NS)
        assert len(rows) == 1 + len(t.rows)
        assert rows[0].find("w:trPr/w:tblHeader", NS) is not None
        assert all(r.find("w:trPr/w:tblHeader", NS) is None for r in rows[1:])
        # (U+2060 word joiners keep names and 一票否决 whole; they are not text)
        got = [["\n".join(ptext(p).replace("\u2060", "") for p in tc.iterfind("w:p", NS))
                for tc in tr.iterfind("w:tc", NS)] for tr in rows]
        assert got[0] == t.header
        # every cell's text, in order; a name too wide for its column may be split over lines
        assert [[c.replace("\n", "") for c in r] for r in got[1:]] == \
            [[str(c).replace("\n", "") for c in row] for row in t.rows]
        for r, row in zip(got[1:], t.rows):
            for c, orig in zip(r, row):
                if "\n" in c and "\n" not in str(orig):
                    assert all(len(line) >= 2 for line in c.split("\n")), c  # never one character alone
        borders = tbl.find("w:tblPr/w:tblBorders", NS)
        assert {etree.QName(b).localname for b in borders} >= {"top", "left", "bottom", "right", "insideH", "insideV"}
        assert all(b.get(w("val")) == "single" for b in borders)
        for r in tbl.iter(w("r")):
            font, size = run_fonts(r)
            assert font in ("仿宋_GB2312", "黑体") and 10.5 <= size <= 12
        # Column widths fill the type area (156 mm) within a millimetre.
        cols = [int(g.get(w("w"))) for g in tbl.find("w:tblGrid", NS)]
        assert sum(cols) * MM_PER_TWIP == pytest.approx(156, abs=1)


def test_short_columns_are_wide_enough_not_to_wrap(body, notice):
    # 附件2's account list gives no widths: names, units and types must fit on one line.
    tbl = body.findall("w:tbl", NS)[2]
    cols_mm = [int(g.get(w("w"))) * MM_PER_TWIP for g in tbl.find("w:tblGrid", NS)]
    t = notice.attachments[1].tables[1]
    char_mm = 12 * 25.4 / 72
    longest_region = max(display_width(r[0]) for r in t.rows)
    longest_type = max(display_width(r[3]) for r in t.rows)
    assert cols_mm[0] >= longest_region * char_mm
    assert cols_mm[3] >= longest_type * char_mm


def test_balanced_title_lines():
    lines = balance_title("关于2022年第二季度全市政府网站和政务新媒体抽查情况的通报", 20)
    assert "".join(lines) == "关于2022年第二季度全市政府网站和政务新媒体抽查情况的通报"
    assert len(lines) == 2 and all(display_width(x) <= 20 for x in lines)
    assert abs(display_width(lines[0]) - display_width(lines[1])) <= 5
    assert balance_title("短标题", 20) == ["短标题"]
    # A number is never split, and no line starts with closing punctuation.
    for line in balance_title("关于2022年度1234567890号文件执行情况、整改落实和后续工作安排的通知", 12):
        assert line[0] not in "，。、；：）》”"
    assert any("1234567890" in x for x in balance_title("关于2022年度1234567890号文件执行情况、整改落实和后续工作安排的通知", 12))


# ------------------------------------------------------------------------------------------ xlsx


def _xlsx(rendered, label):
    _, paths = rendered
    path = [p for p in paths if p.name.startswith(label + " ")][0]
    return load_workbook(path)


def _cell_str(v):
    return "" if v is None else str(v)


def test_xlsx_attachment1_contents_title_and_print_setup(rendered, notice):
    wb = _xlsx(rendered, "附件1")
    assert len(wb.worksheets) == 1
    ws = wb.active
    att = notice.attachments[0]
    t = att.tables[0]
    assert ws.cell(1, 1).value == "附件1" and ws.cell(1, 1).font.name == "黑体"  # the attachment's label
    assert ws.cell(2, 1).value == att.title
    assert any(str(r) == "A2:C2" for r in ws.merged_cells.ranges)
    assert [ws.cell(3, c).value for c in range(1, 4)] == t.header
    for i, row in enumerate(t.rows):
        assert [_cell_str(ws.cell(4 + i, c).value) for c in range(1, 4)] == row
    assert ws.max_row == 3 + len(t.rows)
    multi = ws.cell(4 + 2, 2)  # 嘉鱼县: a multi-line cell
    assert "\n" in multi.value and multi.alignment.wrap_text
    # rows sized to their content (LibreOffice does not fit them on opening), in units of the CJK default font
    assert ws.row_dimensions[6].height > ws.row_dimensions[4].height  # taller for more lines
    assert wb._named_styles["Normal"].font.name == "宋体"
    assert ws.cell(4, 1).border.left.style == "thin" and ws.cell(3, 3).border.bottom.style == "thin"
    assert ws.cell(3, 1).font.name == "宋体" and ws.cell(4, 2).font.name == "仿宋_GB2312"
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows.replace("$", "") == "3:3"
    assert "&P" in ws.oddFooter.center.text
    widths = [ws.column_dimensions[c].width for c in "ABC"]
    assert widths[1] > widths[0] > 0 and widths[1] > widths[2]


def test_xlsx_attachment2_stacks_two_tables_with_a_blank_row(rendered, notice):
    ws = _xlsx(rendered, "附件2").active
    att = notice.attachments[1]
    t1, t2 = att.tables
    assert ws.cell(1, 1).value == "附件2"
    assert ws.cell(2, 1).value == att.title
    assert any(str(r) == "A2:E2" for r in ws.merged_cells.ranges)  # across the widest table
    assert [ws.cell(3, c).value for c in range(1, 5)] == t1.header
    for i, row in enumerate(t1.rows):
        assert [_shown(ws.cell(4 + i, c)) for c in range(1, 5)] == row
    blank = 4 + len(t1.rows)
    assert all(ws.cell(blank, c).value is None for c in range(1, 6))
    assert [ws.cell(blank + 1, c).value for c in range(1, 6)] == t2.header
    for i, row in enumerate(t2.rows):
        assert [_cell_str(ws.cell(blank + 2 + i, c).value) for c in range(1, 6)] == row
    # the long table's header repeats on every printed page (the short one prints first, on page one)
    assert ws.print_title_rows.replace("$", "") == f"{blank + 1}:{blank + 1}"


def _shown(cell) -> str:
    """A cell as a spreadsheet shows it (a rate stored as 0.746 with format 0.0% shows 74.6%)."""
    v = cell.value
    if isinstance(v, (int, float)) and cell.number_format.endswith("%"):
        decimals = len(cell.number_format.split(".")[1]) - 1 if "." in cell.number_format else 0
        return f"{v * 100:.{decimals}f}%"
    return _cell_str(v)


def test_xlsx_numbers_stay_numbers_and_text_stays_text(rendered):
    ws = _xlsx(rendered, "附件1").active
    scores = {ws.cell(r, 1).value: ws.cell(r, 3).value for r in range(4, ws.max_row + 1)}
    assert scores["市政府"] == 100 and isinstance(scores["市政府"], int)
    assert scores["市教育局"] == 88.5
    assert scores["市民政局"] == "一票否决"
    ws2 = _xlsx(rendered, "附件2").active
    rate = ws2.cell(4, 4)
    assert rate.value == pytest.approx(0.746) and rate.number_format == "0.0%" and _shown(rate) == "74.6%"
    whole = next(ws2.cell(r, 4) for r in range(4, 12) if ws2.cell(r, 4).value == 1)
    assert whole.number_format == "0%" and _shown(whole) == "100%"


def test_xlsx_text_that_looks_like_a_formula_stays_text(tmp_path):
    n = load_notice()
    n.attachments[0].tables[0].rows[0][0] = '=HYPERLINK("http://x","y")'
    paths = render_notice(n, tmp_path)
    ws = load_workbook(paths[0]).active
    assert ws.cell(4, 1).data_type == "s" and ws.cell(4, 1).value.startswith("=HYPERLINK")


def test_draft_mark_on_every_output(tmp_path):
    n = load_notice()
    n.draft = "征求意见稿（尚有待复核问题3条）"
    paths = render_notice(n, tmp_path)
    ws = load_workbook(paths[0]).active
    assert ws.cell(1, 2).value == n.draft and ws.cell(1, 2).font.color.rgb.endswith("FF0000")
    assert n.draft in ws.oddHeader.right.text
    doc = build_docx(n)
    assert n.draft in "".join(p.text for p in doc.sections[0].header.paragraphs)
    assert n.draft in "".join(p.text for p in doc.sections[0].even_page_header.paragraphs)
    assert doc.core_properties.keywords == "征求意见稿"


# ------------------------------------------------------------------------------------------ bad input


def test_malformed_rows_are_refused_before_anything_is_written(tmp_path):
    from govcheck.report.render import NoticeError

    n = load_notice()
    n.attachments[1].tables[1].rows[4] = ["市直", "某账号", "某单位", "微信订阅号"]  # one cell short
    with pytest.raises(NoticeError, match=r"附件2 表2 第5行：有 4 列，表头有 5 列"):
        render_notice(n, tmp_path / "out")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())

    n = load_notice()
    n.attachments[0].tables[0].widths_mm = [1, 2]
    with pytest.raises(NoticeError, match="附件1 表1：列宽"):
        render_notice(n, tmp_path / "out2")

    n = load_notice()
    n.body[3] = Paragraph("x", "heading7")  # type: ignore[arg-type]
    with pytest.raises(NoticeError, match="第4段"):
        render_notice(n, tmp_path / "out3")


def test_control_characters_and_numbers_in_cells_do_not_break_the_files(tmp_path):
    n = load_notice()
    n.body.insert(1, Paragraph("抓取的文字里有\x0b垂直制表符和\x00空字符。"))
    n.attachments[0].tables[0].rows[0] = ["市政府\x1f", "无\r\n（复核）", 100]  # type: ignore[list-item]
    paths = render_notice(n, tmp_path)
    doc = build_docx(load_notice())  # the original is untouched by the cleaning copy
    assert doc.paragraphs
    ws = load_workbook(paths[0]).active
    assert ws.cell(4, 1).value == "市政府" and ws.cell(4, 2).value == "无\n（复核）" and ws.cell(4, 3).value == 100
    with zipfile.ZipFile(paths[2]) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    assert "抓取的文字里有垂直制表符和空字符。" in xml


def test_doc_number_is_printed_centred_above_the_title():
    n = load_notice()
    n.doc_number = "咸政公办〔2022〕5号"
    doc = build_docx(n)
    paras = doc.paragraphs
    assert paras[0].text == n.doc_number and paras[0].alignment == 1  # centre
    assert paras[1].text == "" and paras[2].text.replace("\n", "") == n.title


def test_property_elements_are_in_schema_order(parts):
    """Word refuses a docx whose w:pPr / w:rPr / w:tblPr children are out of ECMA-376 order."""
    from govcheck.report.docx import PPR_ORDER, RPR_ORDER, TBLPR_ORDER

    checked = 0
    for name, root in parts.items():
        for tag, order in (("pPr", PPR_ORDER), ("rPr", RPR_ORDER), ("tblPr", TBLPR_ORDER)):
            for el in root.iter(w(tag)):
                names = [etree.QName(c).localname for c in el]
                assert all(n in order for n in names), (name, tag, names)
                idx = [order.index(n) for n in names]
                assert idx == sorted(idx), (name, tag, names)
                checked += 1
    assert checked > 500


def test_font_table_gives_fallbacks_for_the_gb2312_faces(parts):
    fonts = {f.get(w("name")): f for f in parts["word/fontTable.xml"].iter(w("font"))}
    for name, alt in (("仿宋_GB2312", "仿宋"), ("楷体_GB2312", "楷体"), ("方正小标宋简体", "宋体")):
        assert fonts[name].find("w:altName", NS).get(w("val")) == alt
        assert fonts[name].find("w:charset", NS).get(w("val")) == "86"


def test_signature_is_kept_with_the_text_above_it(body, notice):
    paras = top_paragraphs(body)
    texts = [ptext(p) for p in paras]
    si, di = texts.index(notice.issuer), texts.index(notice.date)
    last_text = max(i for i in range(si) if texts[i])  # the last line of text before the gap
    for p in paras[last_text:di]:
        assert p.find("w:pPr/w:keepNext", NS) is not None


def test_attachment_list_given_as_one_paragraph_with_newlines_is_split_into_items():
    n = load_notice()
    items = [p for p in n.body if p.style == "attachment_list"]
    n.body = [p for p in n.body if p.style != "attachment_list"]
    n.body.append(Paragraph("\n".join(p.text for p in items), "attachment_list"))
    doc = build_docx(n)
    paras = {p.text: p for p in doc.paragraphs}
    first, second = paras[items[0].text], paras[items[1].text]
    ind = lambda p, a: p._p.pPr.find(f"{{{W}}}ind").get(w(a))  # noqa: E731
    assert ind(first, "left") == ind(second, "left")
    assert int(ind(first, "hangingChars")) > int(ind(second, "hangingChars"))
