"""The rendered notice, read back from the PDF's text boxes (poppler's pdftotext -bbox-layout): on the demo
round and on a made-up 400-unit round, no table cell breaks inside 一票否决 or inside a unit's short name
(a name too wide for its column may break only between its words), no text runs past the margins, and the
page of the 落款 holds more than the 落款. The pages are also rendered to PNG (pdftoppm) for a person.

Where a name may break comes from this test's own word lists (synthetic_round's words, DEMO_WORDS below),
not from the renderer's data.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree

from govcheck.notice import build_notice
from govcheck.report.pdf import find_soffice
from govcheck.report.render import render_notice

sys.path.insert(0, str(Path(__file__).parent))
from synthetic_round import synthetic_round  # noqa: E402

pytestmark = pytest.mark.skipif(
    find_soffice() is None or not shutil.which("pdftotext") or not shutil.which("pdftoppm"),
    reason="LibreOffice/poppler not installed (scripts/install-system-deps.sh installs them; .ci/run does)")

PT_PER_MM = 72 / 25.4
LEFT_MM, RIGHT_MM, TOP_MM, BOTTOM_MM = 28.0, 26.0, 37.0, 35.0  # GB/T 9704 5.2.2
TOLERANCE_PT = 1.0
CELL_GAP_PT = 6.0  # wider than a space inside a cell's text, narrower than two cell margins and a rule
VETO = "一票否决"

# the demo's 附件1 unit names as words (where a person would allow a line break)
DEMO_WORDS = [
    ("市", "政府"), ("咸安", "区"), ("嘉鱼", "县"), ("赤壁", "市"), ("通城", "县"), ("崇阳", "县"), ("通山", "县"),
    ("市", "发展和改革", "委员会"), ("市", "教育局"), ("市", "科技局"), ("市", "经信局"), ("市", "公安局"), ("市", "民政局"),
    ("市", "司法局"), ("市", "财政局"), ("市", "人力资源", "和", "社会保障局"), ("市", "自然资源", "和", "规划局"),
    ("市", "生态环境局"), ("市", "住房", "和", "城乡建设局"), ("市", "交通运输局"), ("市", "水利", "和", "湖泊局"),
    ("市", "农业农村局"), ("市", "商务局"), ("市", "文化", "和", "旅游局"), ("市", "卫生健康", "委员会"),
    ("市", "退役军人", "事务局"), ("市", "应急管理局"), ("市", "审计局"), ("市", "国资委"), ("市", "市场监督", "管理局"),
    ("市", "医疗保障局"), ("市", "乡村振兴局"), ("市", "地方金融", "工作局"), ("市", "政务服务", "和", "大数据", "管理局"),
    ("市", "林业局"), ("市", "城市管理", "执法", "委员会"), ("市", "招商", "和", "投资促进局"), ("市", "公积金", "管理中心"),
    ("市", "供销社"), ("咸宁", "高新区"),
]


@dataclass
class Line:
    page: int
    text: str
    x0: float
    x1: float
    y0: float
    y1: float


@dataclass
class Pdf:
    path: Path
    width: float
    height: float
    pages: list[list[Line]]


def read_boxes(pdf: Path) -> Pdf:
    html = pdf.with_suffix(".bbox.html")
    subprocess.run(["pdftotext", "-bbox-layout", str(pdf), str(html)], check=True, timeout=120)
    root = etree.parse(str(html))
    x = "{http://www.w3.org/1999/xhtml}"
    pages: list[list[Line]] = []
    width = height = 0.0
    for k, page in enumerate(root.iter(f"{x}page")):
        width, height = float(page.get("width")), float(page.get("height"))
        lines = []
        for ln in page.iter(f"{x}line"):
            # poppler may join neighbouring table cells on one baseline into a line: split where the gap
            # between two words is wider than the space inside a cell's text (cell margins and a rule)
            groups: list[list] = []
            for w in ln.iter(f"{x}word"):
                box = (float(w.get("xMin")), float(w.get("xMax")), float(w.get("yMin")), float(w.get("yMax")))
                if groups and box[0] - groups[-1][-1][1][1] <= CELL_GAP_PT:
                    groups[-1].append((w.text or "", box))
                else:
                    groups.append([(w.text or "", box)])
            for g in groups:
                text = re.sub(r"\s+", "", "".join(t for t, _ in g).replace("\u2060", ""))
                lines.append(Line(k + 1, text, g[0][1][0], g[-1][1][1], min(b[2] for _, b in g),
                                  max(b[3] for _, b in g)))
        pages.append(lines)
    return Pdf(pdf, width, height, pages)


def _below(lines: list[Line], a: Line) -> Line | None:
    """The next line under `a` in the same column (overlapping it horizontally)."""
    cands = [b for b in lines if b.y0 > a.y0 + 1 and min(a.x1, b.x1) - max(a.x0, b.x0) > 2
             and b.y0 - a.y1 < (a.y1 - a.y0) * 1.2]
    return min(cands, key=lambda b: b.y0) if cands else None


def _boundaries(words: tuple[str, ...]) -> set[int]:
    out, i = set(), 0
    for w in words[:-1]:
        i += len(w)
        out.add(i)
    return out


def check_layout(pdf: Pdf, names: list[tuple[str, ...]], date_text: str, n_vetoed: int) -> list[str]:
    problems: list[str] = []
    left, right = LEFT_MM * PT_PER_MM, pdf.width - RIGHT_MM * PT_PER_MM
    for lines in pdf.pages:
        for ln in lines:
            if ln.x0 < left - TOLERANCE_PT or ln.x1 > right + TOLERANCE_PT:
                problems.append(f"p{ln.page}: past the margin ({ln.x0:.1f}–{ln.x1:.1f} of {left:.1f}–{right:.1f}): {ln.text}")
    first_att = next(i for i, lines in enumerate(pdf.pages) if any(ln.text == "附件1" for ln in lines))
    att_pages = pdf.pages[first_att:]
    # 一票否决 never broken; as many whole ones as vetoed units (the score column) at least
    whole = 0
    for lines in att_pages:
        for ln in lines:
            whole += ln.text.count(VETO)
            for k in range(1, len(VETO)):
                if ln.text.endswith(VETO[:k]):
                    nxt = _below(lines, ln)
                    if nxt is not None and nxt.text.startswith(VETO[k:]):
                        problems.append(f"p{ln.page}: 一票否决 broken: {ln.text} / {nxt.text}")
    if whole < n_vetoed:
        problems.append(f"only {whole} whole 一票否决 in the attachments, {n_vetoed} units vetoed")
    # each unit name whole on a line, or split only between its words into lines of two characters or more
    for words in names:
        name = "".join(words)
        found = False
        for lines in att_pages:
            for ln in lines:
                if ln.text == name:
                    found = True
                    continue
                if not (name.startswith(ln.text) and 0 < len(ln.text) < len(name)):
                    continue
                parts, cur = [ln.text], ln
                while len("".join(parts)) < len(name):
                    cur = _below(lines, cur)
                    if cur is None or not name[len("".join(parts)):].startswith(cur.text) or not cur.text:
                        break
                    parts.append(cur.text)
                if "".join(parts) != name:
                    continue
                found = True
                cuts, i = set(), 0
                for p in parts[:-1]:
                    i += len(p)
                    cuts.add(i)
                if not cuts <= _boundaries(words) or min(len(p) for p in parts) < 2:
                    problems.append(f"p{ln.page}: {name} broken inside a word: {' / '.join(parts)}")
        if not found:
            problems.append(f"{name}: not found whole, nor broken into lines, in the attachments")
    # the 落款's page holds more than the 落款 (and the whole 附件说明)
    sig_page = next((lines for lines in pdf.pages[:first_att] if any(ln.text == date_text for ln in lines)), None)
    if sig_page is None:
        problems.append(f"the 成文日期 {date_text} is not on a page of its own line")
    else:
        top, bottom = TOP_MM * PT_PER_MM, pdf.height - BOTTOM_MM * PT_PER_MM
        body = [ln for ln in sig_page if top - 2 < ln.y0 and ln.y1 < bottom + 2]
        date_line = next(ln for ln in body if ln.text == date_text)
        above = [ln for ln in body if ln.y1 < date_line.y0 - 1]
        text_above = [ln for ln in above if not ln.text.startswith("附件") and not re.match(r"^\d+[.．]", ln.text)]
        if len(text_above) < 2:  # the 落款 line itself and at least one line of text
            problems.append(f"p{date_line.page}: the 落款 stands (almost) alone: {[ln.text for ln in body]}")
        if not any(ln.text.startswith("附件：") for ln in body):
            problems.append(f"p{date_line.page}: the 附件说明 is not on the 落款's page")
    return problems


def _png(pdf: Path, out: Path) -> list[Path]:
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(out / "page")], check=True, timeout=300)
    return sorted(out.glob("page*.png"))


@pytest.fixture(scope="module")
def demo_pdf(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo-pdf")
    r = subprocess.run([sys.executable, "-m", "govcheck.cli", "demo", "--from-notice", "--pdf", "--out", str(out)],
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    return next(out.glob("通报 *.pdf"))


def test_demo_round_layout(demo_pdf, tmp_path):
    pdf = read_boxes(demo_pdf)
    problems = check_layout(pdf, DEMO_WORDS, "2022年6月22日", n_vetoed=2)
    assert not problems, "\n".join(problems)
    pngs = _png(demo_pdf, tmp_path)
    assert len(pngs) == len(pdf.pages) and all(p.stat().st_size > 3000 for p in pngs)


def test_400_unit_round_layout(tmp_path):
    view, names = synthetic_round(400)
    doc = build_notice(view, draft="征求意见稿（尚有待复核问题1条）")
    paths = render_notice(doc, tmp_path, pdf=True, pdf_timeout=900)
    pdf = read_boxes(paths[-1])
    assert len(pdf.pages) > 40
    n_vetoed = sum(1 for s in view.scores if s.target_type == "site" and s.verdict == VETO)
    assert n_vetoed > 0
    problems = check_layout(pdf, names, "2022年6月22日", n_vetoed=n_vetoed)
    assert not problems, "\n".join(problems[:40])
    # 版头 and 版记 from round.toml's [notice.masthead] / [notice.colophon]
    first = [ln.text for ln in pdf.pages[0]]
    assert "某省政务公开领导小组办公室文件" in first and "某政务公开办〔2022〕5号" in first
    last = [ln.text for ln in pdf.pages[-1]]
    assert any(t.startswith("抄送：省委办公厅") for t in last) and any(t.endswith("2022年6月23日印发") for t in last)
    # the 版记's last rule lies on the type area's lower edge: its text is in the page's lowest band
    printed = next(ln for ln in pdf.pages[-1] if ln.text.endswith("印发"))
    assert pdf.height - BOTTOM_MM * PT_PER_MM - printed.y1 < 12
