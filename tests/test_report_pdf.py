"""The notice through LibreOffice: Chinese text in Fandol/Noto faces, GB/T 9704 line counts, a PNG."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from govcheck.report.doc import Attachment, NoticeDoc, Paragraph, Table
from govcheck.report.docx import write_docx
from govcheck.report.pdf import PdfError, docx_to_pdf, find_soffice, libreoffice_compatible_copy
from govcheck.report.render import render_notice

FIXTURE = Path(__file__).parent / "fixtures" / "report" / "notice.json"


def load_notice() -> NoticeDoc:
    d = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return NoticeDoc(
        title=d["title"], recipients=d["recipients"], body=[Paragraph(**p) for p in d["body"]],
        attachments=[Attachment(a["label"], a["title"], [Table(**t) for t in a["tables"]]) for a in d["attachments"]],
        issuer=d["issuer"], date=d["date"],
    )

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}

needs_tools = pytest.mark.skipif(
    find_soffice() is None or not all(shutil.which(t) for t in ("pdffonts", "pdftotext", "pdftoppm", "pdfinfo")),
    reason="LibreOffice/poppler not installed (scripts/install-system-deps.sh installs them; .ci/run does)",
)


def _run(*cmd: str) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, timeout=60).stdout.decode("utf-8", "replace")


@pytest.fixture(scope="module")
def pdf(tmp_path_factory):
    if find_soffice() is None:
        pytest.skip("LibreOffice not installed")
    out = tmp_path_factory.mktemp("pdf")
    paths = render_notice(load_notice(), out, pdf=True, pdf_timeout=120)
    assert paths[-1].suffix == ".pdf"
    return paths[-1]


def test_compat_copy_trades_the_character_grid_for_condensed_runs(tmp_path):
    docx = write_docx(load_notice(), tmp_path / "a.docx")
    copy = libreoffice_compatible_copy(docx, tmp_path / "b.docx")
    with zipfile.ZipFile(copy) as z:
        root = etree.fromstring(z.read("word/document.xml"))
    grid = root.find(".//w:sectPr/w:docGrid", NS)
    assert grid.get(f"{{{W}}}type") == "lines" and grid.get(f"{{{W}}}charSpace") is None
    body = root.find("w:body", NS)
    para = [p for p in body.iterfind("w:p", NS) if "".join(p.itertext()).startswith("按照")][0]
    spacing = {r.find("w:rPr/w:spacing", NS).get(f"{{{W}}}val") for r in para.iterfind("w:r", NS)}
    assert spacing == {"-5"}  # 16 pt glyphs on a 15.79 pt pitch: condense by 0.25 pt
    # Table cells and the title are off the grid and keep their natural spacing.
    assert all(r.find("w:rPr/w:spacing", NS) is None for r in body.find("w:tbl", NS).iter(f"{{{W}}}r"))
    assert all(r.find("w:rPr/w:spacing", NS) is None for r in body.find("w:p", NS).iterfind("w:r", NS))
    # The user's docx is untouched.
    with zipfile.ZipFile(docx) as z:
        assert b'w:type="linesAndChars"' in z.read("word/document.xml")


def test_missing_soffice_is_a_clear_error(tmp_path, monkeypatch):
    docx = write_docx(load_notice(), tmp_path / "a.docx")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(PdfError, match="LibreOffice"):
        docx_to_pdf(docx)
    with pytest.raises(PdfError, match="找不到"):
        docx_to_pdf(tmp_path / "missing.docx")


@needs_tools
def test_pdf_fonts_are_embedded_fandol_or_noto(pdf):
    rows = _run("pdffonts", str(pdf)).splitlines()[2:]
    assert rows
    names = [r.split()[0] for r in rows]
    assert all(re.search(r"Fandol|NotoS(erif|ans)CJK", n) for n in names), names
    assert all(" yes " in r for r in rows)  # embedded
    assert any("FandolFang" in n for n in names)  # 仿宋 body
    assert any("FandolHei" in n for n in names)  # 黑体 headings
    assert any("FandolKai" in n for n in names)  # 楷体 headings
    # 小标宋 title substitute: the Simplified Chinese face of Noto Serif CJK SemiBold, embedded under its
    # own name (a face taken from the font collection would be named after the Japanese face)
    assert any("NotoSerifCJKsc-SemiBold" in n for n in names), names
    assert not any("CJKjp" in n for n in names), names


@needs_tools
def test_pdf_reads_as_a_notice_with_28_characters_a_line(pdf):
    notice = load_notice()
    info = _run("pdfinfo", str(pdf))
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert 6 <= pages <= 14
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+", info)  # A4
    page1 = _run("pdftotext", "-layout", "-f", "1", "-l", "1", str(pdf), "-")
    flat = re.sub(r"\s+", "", page1)
    assert notice.title in flat
    assert notice.recipients in flat
    assert "—1—" in flat
    lines = [re.sub(r"\s+", "", ln) for ln in page1.splitlines()]
    i = next(k for k, ln in enumerate(lines) if ln.startswith("按照国务院办公厅"))
    # First line of a paragraph: 2-character indent + 26; a full continuation line: 28.
    assert len(lines[i]) == 26 and len(lines[i + 1]) == 28
    # 22 lines a page: the body lines on page 1 plus the title's share stay within the grid.
    body_lines = [ln for ln in lines if ln and ln != "—1—"]
    assert 17 <= len(body_lines) <= 22
    # Page 2 is even: its number is printed at the left.
    page2 = _run("pdftotext", "-layout", "-f", "2", "-l", "2", str(pdf), "-")
    num_line = [ln for ln in page2.splitlines() if re.search(r"—\s*2\s*—", ln)][0]
    assert len(num_line) - len(num_line.lstrip()) < 10
    # Attachments: each on its own page, label first.
    text = _run("pdftotext", "-layout", str(pdf), "-")
    page_texts = [re.sub(r"\s+", "", p) for p in text.split("\f")]
    assert len([p for p in page_texts if p]) == pages
    for att in notice.attachments:
        starts = [p for p in page_texts if p.startswith(att.label)]
        assert len(starts) == 1, att.label
        assert starts[0].startswith(att.label + att.title)
        assert re.sub(r"\s+", "", att.tables[0].header[0]) in starts[0]


@needs_tools
def test_first_page_renders_to_png(pdf, tmp_path):
    _run("pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page"))
    pngs = list(tmp_path.glob("page*.png"))
    assert len(pngs) == 1
    data = pngs[0].read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000  # not a blank page
