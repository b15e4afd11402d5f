"""The notice (通报) as a Word file laid out per GB/T 9704-2012 《党政机关公文格式》.

Only layout happens here: every sentence, number and table row comes from the NoticeDoc. The
GB/T 9704 measures live in `Layout` (one place, each with the clause it comes from) so a region
with a house style can pass its own. python-docx ignores a font name for CJK text unless the
run's w:eastAsia attribute is set, so every run written here goes through `_set_run_font`.
"""
from __future__ import annotations

import copy
import math
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from docx import Document
from lxml import etree
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor, Twips

from govcheck.report.doc import Attachment, NoticeDoc, Table

PT_PER_MM = 72 / 25.4


@dataclass(frozen=True)
class Layout:
    """GB/T 9704-2012 measures (clause numbers in comments)."""

    page_width_mm: float = 210.0  # 5.2.1 A4
    page_height_mm: float = 297.0
    margin_top_mm: float = 37.0  # 5.2.2 天头 37 mm
    margin_bottom_mm: float = 35.0  # 版心 156 x 225 mm
    margin_left_mm: float = 28.0  # 订口 28 mm
    margin_right_mm: float = 26.0
    lines_per_page: int = 22  # 5.2.3 一般每面排22行
    chars_per_line: int = 28  # 每行排28个字
    body_font: str = "仿宋_GB2312"  # 5.2.3 3号仿宋体字
    body_size_pt: float = 16.0  # 3号
    title_font: str = "方正小标宋简体"  # 7.2.4 2号小标宋体字
    title_size_pt: float = 22.0  # 2号
    title_line_pt: float = 35.0  # exact leading of a (possibly two-line) title
    heading1_font: str = "黑体"  # 7.3.3 第一层用黑体字
    heading2_font: str = "楷体_GB2312"  # 第二层用楷体字
    attachment_label_font: str = "黑体"  # 8 附件 "附件"二字及顺序号用3号黑体字
    page_number_font: str = "宋体"  # 7.5 4号半角宋体阿拉伯数字
    page_number_size_pt: float = 14.0  # 4号
    page_number_dash: str = "—"  # 数字左右各放一条一字线
    page_number_gap_mm: float = 7.0  # 一字线上距版心下边缘7 mm
    page_number_side_chars: float = 1.0  # 单页码居右空一字，双页码居左空一字
    first_line_indent_chars: float = 2.0  # 7.3.3 每个自然段左空二字
    date_right_chars: float = 4.0  # 7.3.5.1 成文日期一般右空四字
    signature_gap_lines: int = 2  # blank body lines above the 落款 (room for the seal)
    table_font: str = "仿宋_GB2312"
    table_header_font: str = "黑体"
    table_size_pt: float = 12.0  # 小四
    table_line_pt: float = 18.0  # exact leading inside table cells
    table_cell_margin_mm: float = 1.2
    table_keep_row_lines: int = 6  # rows up to this many lines are kept on one page
    table_slack_chars: float = 0.5  # a short column gets this much more than its longest cell (font metrics)
    # 7.2 版头
    masthead_font: str = "方正小标宋简体"  # 7.2.3 发文机关标志 推荐使用小标宋体字，颜色为红色
    masthead_size_pt: float = 36.0  # 小初; a long name is condensed to the line (character scale)
    masthead_top_mm: float = 35.0  # 上边缘至版心上边缘为35mm
    masthead_min_scale: int = 50  # never condense a mark below this percentage
    masthead_gap_lines: int = 2  # 发文字号编排在发文机关标志下空二行位置
    masthead_rule_gap_mm: float = 4.0  # 7.2.5 发文字号之下4mm处印一条与版心等宽的红色分隔线
    masthead_rule_eighths: int = 8  # its weight (1 pt)
    title_gap_lines: int = 2  # 7.3.1 标题编排于红色分隔线下空二行位置
    # 7.4 版记
    colophon_font: str = "仿宋_GB2312"  # 7.4.2 一般用4号仿宋体字
    colophon_size_pt: float = 14.0
    colophon_thick_eighths: int = 8  # 7.4.1 首条和末条分隔线用粗线（推荐高度为0.35mm）
    colophon_thin_eighths: int = 6  # 中间的分隔线用细线（推荐高度为0.25mm）
    colophon_side_chars: float = 1.0  # 左右各空一字
    # a draft's header mark (征求意见稿…), on every page
    draft_font: str = "黑体"
    draft_size_pt: float = 14.0
    # Font table fallbacks (w:altName): Word uses them on a machine without the GB2312-era faces,
    # e.g. Windows 10 has 仿宋 and 楷体 but not 仿宋_GB2312 or 楷体_GB2312.
    font_alt_names: tuple[tuple[str, str], ...] = (
        ("仿宋_GB2312", "仿宋"), ("楷体_GB2312", "楷体"), ("方正小标宋简体", "宋体"),
        ("黑体", "SimHei"), ("宋体", "SimSun"),
    )

    @property
    def text_width_mm(self) -> float:
        return self.page_width_mm - self.margin_left_mm - self.margin_right_mm

    @property
    def text_height_mm(self) -> float:
        return self.page_height_mm - self.margin_top_mm - self.margin_bottom_mm

    @property
    def line_pitch_twips(self) -> int:
        """Grid line pitch, rounded down so that lines_per_page whole lines fit the type area."""
        return math.floor(self.text_height_mm * PT_PER_MM * 20 / self.lines_per_page)

    @property
    def char_pitch_pt(self) -> float:
        return self.text_width_mm * PT_PER_MM / self.chars_per_line

    @property
    def char_space(self) -> int:
        """w:docGrid/@w:charSpace: (pitch - body size) in 1/4096 pt, as Word stores it."""
        return math.floor((self.char_pitch_pt - self.body_size_pt) * 4096)

    def chars_twips(self, chars: float) -> int:
        return round(chars * self.char_pitch_pt * 20)


GB9704 = Layout()

# A heading printed run-in with its paragraph ("（一）网站抽查情况。市政务公开……"): only the part up to
# the first 。 takes the heading face; the sentence after it is body text.
_RUN_IN = re.compile(r"^(?P<head>[^。]{1,60}?。)(?P<rest>.+)$", re.S)


def display_width(text: str) -> float:
    """Width in full-width character cells (half-width Latin and digits count one half)."""
    w = 0.0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        w += 1.0 if unicodedata.east_asian_width(ch) in ("W", "F", "A") else 0.5
    return w


def wrapped_lines(text: str, width_chars: float) -> int:
    """Lines a cell of `width_chars` full-width characters wraps `text` to (newlines kept)."""
    width_chars = max(width_chars, 1.0)
    return sum(max(1, math.ceil(display_width(line) / width_chars)) for line in text.split("\n"))


# ---------------------------------------------------------------------------------------- XML helpers

# ECMA-376 element order inside w:pPr, w:rPr and w:tblPr. Word rejects a file ("unreadable content")
# whose children are out of this order, even where LibreOffice does not care.
PPR_ORDER = ["pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
             "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
             "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
             "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
             "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr",
             "sectPr", "pPrChange"]
RPR_ORDER = ["rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline",
             "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing",
             "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText",
             "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath"]
TBLPR_ORDER = ["tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize",
               "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook",
               "tblCaption", "tblDescription", "tblPrChange"]


_RANKS: dict[int, dict[str, int]] = {}


def _sort_children(el, order: list[str]) -> None:
    rank = _RANKS.get(id(order))
    if rank is None:
        rank = _RANKS[id(order)] = {qn(f"w:{name}"): i for i, name in enumerate(order)}
    children = list(el)
    if len(children) < 2:
        return
    ordered = sorted(children, key=lambda c: rank.get(c.tag, len(order)))
    if ordered != children:
        for c in children:
            el.remove(c)
        el.extend(ordered)


def normalise_order(root) -> None:
    """Put the children of every pPr, rPr and tblPr into schema order (see PPR_ORDER)."""
    for tag, order in (("w:pPr", PPR_ORDER), ("w:rPr", RPR_ORDER), ("w:tblPr", TBLPR_ORDER)):
        for el in root.iter(qn(tag)):
            _sort_children(el, order)


def _set_rfonts(rpr, font: str, ascii_font: str | None = None) -> None:
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in list(rfonts.attrib):
        if attr.endswith("Theme"):
            del rfonts.attrib[attr]
    latin = ascii_font or font
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:eastAsia"), font)
    rfonts.set(qn("w:cs"), latin)


def _set_run_font(run, font: str, size_pt: float, bold: bool = False, ascii_font: str | None = None) -> None:
    run.font.name = ascii_font or font
    run.font.size = Pt(size_pt)
    run.font.bold = bold
    _set_rfonts(run._r.get_or_add_rPr(), font, ascii_font)


def _set_snap_to_grid(paragraph, snap: bool) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    el = ppr.find(qn("w:snapToGrid"))
    if el is None:
        el = OxmlElement("w:snapToGrid")
        ppr.append(el)
    el.set(qn("w:val"), "1" if snap else "0")


def _set_char_indent(paragraph, layout: Layout, *, left: float = 0, right: float = 0,
                     first_line: float = 0, hanging: float = 0) -> None:
    """Indents in character units (w:*Chars, which Word honours) and twips (which LibreOffice reads)."""
    ppr = paragraph._p.get_or_add_pPr()
    ind = ppr.find(qn("w:ind"))
    if ind is None:
        ind = OxmlElement("w:ind")
        ppr.append(ind)
    ind.set(qn("w:left"), str(layout.chars_twips(left)))
    ind.set(qn("w:leftChars"), str(round(left * 100)))
    ind.set(qn("w:right"), str(layout.chars_twips(right)))
    ind.set(qn("w:rightChars"), str(round(right * 100)))
    if hanging:
        ind.set(qn("w:hanging"), str(layout.chars_twips(hanging)))
        ind.set(qn("w:hangingChars"), str(round(hanging * 100)))
    else:
        ind.set(qn("w:firstLine"), str(layout.chars_twips(first_line)))
        ind.set(qn("w:firstLineChars"), str(round(first_line * 100)))


def _exact_spacing(paragraph, line_pt: float) -> None:
    pf = paragraph.paragraph_format
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(line_pt)


def _body_line_pt(layout: Layout) -> float:
    return layout.line_pitch_twips / 20


def _setup_document(layout: Layout):
    doc = Document()
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width = Mm(layout.page_width_mm)
    sec.page_height = Mm(layout.page_height_mm)
    sec.top_margin = Mm(layout.margin_top_mm)
    sec.bottom_margin = Mm(layout.margin_bottom_mm)
    sec.left_margin = Mm(layout.margin_left_mm)
    sec.right_margin = Mm(layout.margin_right_mm)
    sec.header_distance = Mm(15)
    # Page number's dash line sits page_number_gap_mm under the type area; the footer distance
    # is measured from the page edge to the bottom of the footer line.
    footer_line_mm = layout.page_number_size_pt / PT_PER_MM
    sec.footer_distance = Mm(layout.margin_bottom_mm - layout.page_number_gap_mm - footer_line_mm)

    sectpr = sec._sectPr
    grid = sectpr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sectpr.append(grid)
    for attr in list(grid.attrib):
        del grid.attrib[attr]
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(layout.line_pitch_twips))
    grid.set(qn("w:charSpace"), str(layout.char_space))

    # Document defaults: body face and size (docGrid's char pitch is relative to this size),
    # no paragraph spacing, and CJK line-breaking rules.
    styles_el = doc.styles.element
    rpr_default = styles_el.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_rfonts(rpr_default, layout.body_font)
    for tag in ("w:sz", "w:szCs"):
        el = rpr_default.find(qn(tag))
        if el is None:
            el = OxmlElement(tag)
            rpr_default.append(el)
        el.set(qn("w:val"), str(round(layout.body_size_pt * 2)))
    lang = rpr_default.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr_default.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")
    normal = doc.styles["Normal"]
    normal.font.name = layout.body_font
    normal.font.size = Pt(layout.body_size_pt)
    _set_rfonts(normal.element.get_or_add_rPr(), layout.body_font)
    pf = normal.paragraph_format
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(_body_line_pt(layout))
    pf.widow_control = False
    for name in ("Footer", "Header"):
        st = doc.styles[name]
        st.font.name = layout.page_number_font
        _set_rfonts(st.element.get_or_add_rPr(), layout.page_number_font)
    # Odd and even pages carry their page number on opposite sides (7.5).
    doc.settings.odd_and_even_pages_header_footer = True
    return doc


def _add_page_number(footer, layout: Layout, align) -> None:
    footer.is_linked_to_previous = False
    p = footer.paragraphs[0]
    for r in list(p.runs):
        r._r.getparent().remove(r._r)
    p.alignment = align
    _set_snap_to_grid(p, False)
    pf = p.paragraph_format
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)
    pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    side = layout.page_number_side_chars * layout.page_number_size_pt * 20
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        pf.right_indent = Twips(side)
    elif align == WD_ALIGN_PARAGRAPH.LEFT:
        pf.left_indent = Twips(side)

    def run(text: str | None = None):
        r = p.add_run(text or "")
        _set_run_font(r, layout.page_number_font, layout.page_number_size_pt)
        return r

    run(layout.page_number_dash + " ")
    for kind in ("begin", None, "separate", "1", "end"):
        r = run()
        if kind in ("begin", "separate", "end"):
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            r._r.append(fld)
        elif kind is None:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = " PAGE "
            r._r.append(instr)
        else:
            r.text = kind
    run(" " + layout.page_number_dash)


# ---------------------------------------------------------------------------------------- paragraphs


def _body_paragraph(doc, layout: Layout, text: str = "", font: str | None = None):
    p = doc.add_paragraph()
    _exact_spacing(p, _body_line_pt(layout))
    p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    if text:
        r = p.add_run(text)
        _set_run_font(r, font or layout.body_font, layout.body_size_pt)
    return p


def _blank_lines(doc, layout: Layout, n: int) -> None:
    for _ in range(n):
        p = _body_paragraph(doc, layout)
        # An empty paragraph still takes the body face on its mark, so its line keeps the grid.
        _set_rfonts(_para_mark_rpr(p), layout.body_font)


def _para_mark_rpr(p):
    ppr = p._p.get_or_add_pPr()
    rpr = ppr.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        ppr.append(rpr)
    return rpr


def _heading(doc, layout: Layout, text: str, font: str) -> None:
    p = _body_paragraph(doc, layout)
    _set_char_indent(p, layout, first_line=layout.first_line_indent_chars)
    m = _RUN_IN.match(text)
    if m and m.group("rest").strip():
        _set_run_font(p.add_run(m.group("head")), font, layout.body_size_pt)
        _set_run_font(p.add_run(m.group("rest")), layout.body_font, layout.body_size_pt)
    else:
        _set_run_font(p.add_run(text), font, layout.body_size_pt)


def _attachment_item(doc, layout: Layout, text: str) -> None:
    """附件说明 (7.3.4): 左空二字 "附件：1.…"; later items and wrapped lines align with the first name."""
    p = _body_paragraph(doc, layout, text)
    head = re.match(r"^(附件[：:])?\s*(\d+[.．、])?", text)
    label_w = display_width(head.group(1)) if head and head.group(1) else 0.0
    label_w = label_w or display_width("附件：")
    number_w = display_width(head.group(2)) if head and head.group(2) else 0.0
    left = layout.first_line_indent_chars + label_w + number_w
    hanging = (label_w if head and head.group(1) else 0.0) + number_w
    _set_char_indent(p, layout, left=left, hanging=hanging)


def _signature_with_gap(doc, layout: Layout, issuers: list[str], date: str | None) -> None:
    """The gap for the seal, then the 落款, kept on one page with the last lines of text above it
    (7.3.5.4: a page must not hold the 落款 alone)."""
    if doc.paragraphs:
        doc.paragraphs[-1].paragraph_format.keep_with_next = True
    start = len(doc.paragraphs)
    _blank_lines(doc, layout, layout.signature_gap_lines)
    _signature_block(doc, layout, issuers, date)
    for p in doc.paragraphs[start:-1]:
        p.paragraph_format.keep_with_next = True


def _signature_block(doc, layout: Layout, issuers: list[str], date: str | None) -> None:
    """落款 centred over the 成文日期, which sits 右空四字 (7.3.5.1)."""
    date_w = display_width(date) if date else 0.0
    for issuer in issuers:
        p = _body_paragraph(doc, layout, issuer)
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        right = layout.date_right_chars + (date_w - display_width(issuer)) / 2 if date else layout.date_right_chars
        _set_char_indent(p, layout, right=max(0.0, right))
    if date:
        p = _body_paragraph(doc, layout, date)
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _set_char_indent(p, layout, right=layout.date_right_chars)


# Preferred places to break a long title: after a conjunction or the structural particle, so each
# line keeps its words whole (7.3.2 标题回行时，要做到词意完整，排列对称).
_TITLE_BREAK_AFTER = set("的和与及、，")


def balance_title(text: str, line_chars: float) -> list[str]:
    """Split a title wider than one line into lines of near-equal width (centred titles look symmetric)."""
    if "\n" in text or display_width(text) <= line_chars:
        return text.split("\n")
    nlines = math.ceil(display_width(text) / line_chars)
    lines: list[str] = []
    rest = text
    for k in range(nlines, 1, -1):
        target = display_width(rest) / k
        best, best_cost = None, None
        acc = 0.0
        for i, ch in enumerate(rest[:-1]):
            acc += display_width(ch)
            if acc > line_chars:
                break
            nxt = rest[i + 1]
            if ch.isascii() and ch.isalnum() and nxt.isascii() and nxt.isalnum():
                continue  # never split a number or a Latin word
            if nxt in "，。、；：）》”":
                continue  # no line starts with closing punctuation
            cost = abs(acc - target) - (2.5 if ch in _TITLE_BREAK_AFTER else 0.0)
            if best_cost is None or cost < best_cost:
                best, best_cost = i + 1, cost
        if best is None:
            break
        lines.append(rest[:best])
        rest = rest[best:]
    lines.append(rest)
    return lines


def _title(doc, layout: Layout, text: str) -> None:
    p = doc.add_paragraph()
    _exact_spacing(p, layout.title_line_pt)
    _set_snap_to_grid(p, False)
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    line_chars = layout.text_width_mm * PT_PER_MM / layout.title_size_pt
    lines = balance_title(text, line_chars)
    for i, line in enumerate(lines):
        r = p.add_run(line)
        _set_run_font(r, layout.title_font, layout.title_size_pt)
        if i < len(lines) - 1:
            r.add_break()


# ---------------------------------------------------------------------------------------- tables


def _longest_line(texts) -> float:
    return max((display_width(line) for t in texts for line in str(t).split("\n")), default=0.0)


def natural_widths(table: Table) -> list[float]:
    """Each column's longest line (header included), in full-width character cells."""
    return [max(_longest_line([h]), _longest_line(_column(table, c))) for c, h in enumerate(table.header)]


def _column(table: Table, c: int) -> list[str]:
    return ["" if c >= len(row) or row[c] is None else str(row[c]) for row in table.rows]


@lru_cache(maxsize=1)
def _break_data() -> dict:
    with (Path(__file__).resolve().parent / "data" / "layout.toml").open("rb") as f:
        return tomllib.load(f)


@lru_cache(maxsize=4096)
def _word_bounds(text: str) -> frozenset[int]:
    """Positions between the words of `text` by jieba's dictionary (no guessing model), so an unknown
    name still breaks between words; empty when jieba is not installed."""
    try:
        import logging

        import jieba
    except ImportError:
        return frozenset()
    jieba.setLogLevel(logging.WARNING)
    out, i = set(), 0
    for w in jieba.lcut(text, HMM=False):
        i += len(w)
        out.add(i)
    return frozenset(out)


def _split_cost(text: str, i: int, target: float) -> float:
    d = _break_data()
    head, tail = text[:i], text[i:]
    cost = abs(display_width(head) - target)
    bounds = _word_bounds(text)
    if bounds and i not in bounds:
        cost += 40.0  # inside a dictionary word
    for w in d["words"]:
        j = text.find(w)
        while j != -1:
            if j < i < j + len(w):
                cost += 100.0  # never inside a word
            j = text.find(w, j + 1)
    if head[-1].isascii() and head[-1].isalnum() and tail[0].isascii() and tail[0].isalnum():
        cost += 100.0  # never inside a number or a Latin word
    if tail[0] in "，。、；：）》”’）)":
        cost += 100.0  # no line starts with closing punctuation
    if head[-1] in "（《“‘(":
        cost += 100.0
    if any(tail.startswith(w) for w in d["break_before"]):
        cost -= 6.0
    if any(head.endswith(w) for w in d["break_after"]):
        cost -= 5.0
    return cost


def break_name(text: str, width: float) -> str:
    """A short text (a unit or account name) that does not fit `width` full-width cells, with line breaks
    at the most sensible points: before the organ's kind (…/委员会), after 和/、, never inside a word or a
    number, no line of one character, lines as even as the rest allows. Text that fits is unchanged."""
    if "\n" in text or display_width(text) <= width or len(text) < 4:
        return text
    lines: list[str] = []
    rest = text
    while display_width(rest) > width:
        n = math.ceil(display_width(rest) / width)
        target = display_width(rest) / n
        best, best_cost = None, None
        for i in range(2, len(rest) - 1):
            if display_width(rest[:i]) > width:
                break
            c = _split_cost(rest, i, target)
            if best_cost is None or c < best_cost:
                best, best_cost = i, c
        if best is None:
            break
        lines.append(rest[:best])
        rest = rest[best:]
    lines.append(rest)
    return "\n".join(lines)


WORD_JOINER = "\u2060"


def keep_whole(text: str, whole_lines: bool = False) -> str:
    """`text` with word joiners inside each keep_whole term (data/layout.toml), or inside every line when
    `whole_lines`, so Word and LibreOffice break a line only where we did."""
    if not text:
        return text
    if whole_lines:
        return "\n".join(WORD_JOINER.join(line) for line in text.split("\n"))
    for term in _break_data().get("keep_whole", []):
        if term in text:
            text = text.replace(term, WORD_JOINER.join(term))
    return text


def column_widths(table: Table, total: float, char: float, pad: float, short_chars: float = 10.0,
                  slack: float = 0.0) -> list[float]:
    """Column widths summing to `total` (any unit; one character is `char`, cell padding `pad`).

    widths_mm, when given, are relative widths and win. Otherwise each column asks for an ideal
    width: a column of short cells (a name, a count, a score; or capped by max_chars) the width of
    its longest cell, so it never wraps (a long header may wrap onto two lines rather than widen
    it); a column of prose its typical (90th percentile) cell length. When the ideals do not fit,
    the widest columns give way first, down to a common width (water-filling), so short columns
    stay whole; when they fit, the prose columns share what is left.
    """
    n = len(table.header)
    if table.widths_mm and len(table.widths_mm) == n and all(w > 0 for w in table.widths_mm):
        s = sum(table.widths_mm)
        return [total * w / s for w in table.widths_mm]
    caps = list(table.max_chars or []) + [None] * n
    data = [_longest_line(_column(table, c)) for c in range(n)]
    head = [_longest_line([h]) for h in table.header]
    capped = {c for c in range(n) if caps[c] and data[c] > caps[c]}
    data = [min(data[c], caps[c]) if c in capped else data[c] for c in range(n)]
    need = [max(data[c], head[c] if head[c] <= 4 else math.ceil(head[c] / 2), 2.0) for c in range(n)]
    short = {c for c in range(n) if data[c] <= short_chars or c in capped}
    ideal = []
    for c in range(n):
        if c in short:
            ideal.append(need[c] + slack)
        else:
            lens = sorted(display_width(x) for x in _column(table, c))
            typical = lens[int(len(lens) * 0.9)] if lens else 0.0
            ideal.append(max(min(typical, 60.0), short_chars, need[c] if need[c] <= short_chars else 0.0))
    chars_total = (total - n * pad) / char
    if sum(ideal) <= chars_total:
        prose = [c for c in range(n) if c not in short] or list(range(n))
        extra = chars_total - sum(ideal)
        weight = sum(ideal[c] for c in prose)
        chars = [ideal[c] + (extra * ideal[c] / weight if c in prose else 0.0) for c in range(n)]
    else:
        lo, hi = 0.0, max(ideal)
        for _ in range(60):  # the common width the widest columns are cut to
            mid = (lo + hi) / 2
            if sum(min(w, mid) for w in ideal) > chars_total:
                hi = mid
            else:
                lo = mid
        chars = [min(w, lo) for w in ideal]
        chars[max(range(n), key=lambda c: chars[c])] += chars_total - sum(chars)
    return [w * char + pad for w in chars]


def _el(tag: str, **attrs: str):
    el = OxmlElement(tag)
    for k, v in attrs.items():
        el.set(qn(f"w:{k}"), v)
    return el


_TEMPLATES: dict[tuple, tuple] = {}


def _cell_paragraph(line: str, layout: Layout, font: str, jc: str, bold: bool = False):
    """One w:p of a table cell, built as XML: python-docx's object layer is O(rows) per cell access."""
    key = (layout, font, jc, bold)
    tpl = _TEMPLATES.get(key)
    if tpl is None:
        size = str(round(layout.table_size_pt * 2))
        rpr = _el("w:rPr")
        rpr.append(_el("w:rFonts", ascii=font, hAnsi=font, eastAsia=font, cs=font))
        if bold:
            rpr.append(_el("w:b"))
        rpr.append(_el("w:sz", val=size))
        rpr.append(_el("w:szCs", val=size))
        p = _el("w:p")
        ppr = _el("w:pPr")
        ppr.append(_el("w:snapToGrid", val="0"))
        ppr.append(_el("w:spacing", before="0", after="0", line=str(round(layout.table_line_pt * 20)),
                       lineRule="exact"))
        ppr.append(_el("w:jc", val=jc))
        ppr.append(copy.deepcopy(rpr))
        p.append(ppr)
        r = _el("w:r")
        r.append(rpr)
        t = _el("w:t")
        t.set(qn("xml:space"), "preserve")
        r.append(t)
        tpl = _TEMPLATES[key] = (p, r)
    p = copy.deepcopy(tpl[0])
    if line:
        r = copy.deepcopy(tpl[1])
        r[-1].text = line
        p.append(r)
    return p


def _cell(text: str, width_twips: int, layout: Layout, font: str, jc: str):
    tc = _el("w:tc")
    tcpr = _el("w:tcPr")
    tcpr.append(_el("w:tcW", w=str(width_twips), type="dxa"))
    tcpr.append(_el("w:vAlign", val="center"))
    tc.append(tcpr)
    for line in str(text).split("\n"):
        tc.append(_cell_paragraph(line, layout, font, jc))
    return tc


def _set_borders(tbl) -> None:
    tblpr = tbl._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        b = OxmlElement(f"w:{side}")
        b.set(qn("w:val"), "single")
        b.set(qn("w:sz"), "4")
        b.set(qn("w:space"), "0")
        b.set(qn("w:color"), "000000")
        borders.append(b)
    tblpr.append(borders)


def _set_cell_margins(tbl, layout: Layout) -> None:
    tblpr = tbl._tbl.tblPr
    mar = OxmlElement("w:tblCellMar")
    tw = str(round(layout.table_cell_margin_mm * PT_PER_MM * 20))
    for side in ("top", "left", "bottom", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), tw if side in ("left", "right") else "40")
        el.set(qn("w:type"), "dxa")
        mar.append(el)
    tblpr.append(mar)


def _add_table(doc, layout: Layout, table: Table) -> None:
    n = len(table.header)
    char_mm = layout.table_size_pt / PT_PER_MM
    pad_mm = 2 * layout.table_cell_margin_mm + 0.5
    widths = [Mm(w) for w in column_widths(table, layout.text_width_mm, char_mm, pad_mm,
                                           slack=layout.table_slack_chars)]
    # Short columns (scores, counts, region names) are centred; prose columns justified left.
    centred = []
    for c in range(n):
        longest = max((display_width(str(row[c] if c < len(row) else "")) for row in table.rows), default=0)
        centred.append(longest <= 12)
    # Names that do not fit their column break where the words allow (a column of single-line cells no
    # more than twice its width: names, types, short reasons; prose columns wrap as the renderer likes).
    room = [(w.mm - pad_mm) / char_mm for w in widths]
    name_like = [all("\n" not in str(row[c] if c < len(row) else "") for row in table.rows)
                 and max((display_width(str(row[c] if c < len(row) else "")) for row in table.rows), default=0)
                 <= 2 * room[c] for c in range(n)]
    rows = [[break_name(str(row[c] or ""), room[c]) if (c < len(row) and name_like[c]) else
             ("" if c >= len(row) or row[c] is None else str(row[c])) for c in range(n)] for row in table.rows]
    shown = [[keep_whole(cell, whole_lines=name_like[c]) for c, cell in enumerate(row)] for row in rows]

    tbl = doc.add_table(rows=0, cols=n)
    tbl.alignment = WD_TABLE_ALIGNMENT.CENTER
    tbl.autofit = False
    _set_borders(tbl)
    _set_cell_margins(tbl, layout)
    tbl._tbl.tblPr.append(_el("w:tblLayout", type="fixed"))
    tw = [w.twips for w in widths]
    for c, gc in enumerate(tbl._tbl.tblGrid.findall(qn("w:gridCol"))):
        gc.set(qn("w:w"), str(tw[c]))

    tr = _el("w:tr")
    trpr = _el("w:trPr")
    trpr.append(_el("w:tblHeader", val="1"))  # repeated at the top of every page
    tr.append(trpr)
    for c, text in enumerate(table.header):
        tr.append(_cell(text, tw[c], layout, layout.table_header_font, "center"))
    tbl._tbl.append(tr)
    for row, shown_row in zip(rows, shown):
        tr = _el("w:tr")
        # A short row never breaks across pages; a long finding list may, or it would leave a gap.
        est_lines = max((wrapped_lines(str(row[c] or ""), room[c]) for c in range(n)), default=1)
        if est_lines <= layout.table_keep_row_lines:
            trpr = _el("w:trPr")
            trpr.append(_el("w:cantSplit", val="1"))
            tr.append(trpr)
        for c in range(n):
            jc = "center" if centred[c] else "left"  # "both" opens gaps around long Latin tokens
            tr.append(_cell(shown_row[c], tw[c], layout, layout.table_font, jc))
        tbl._tbl.append(tr)


def _attachment(doc, layout: Layout, att: Attachment) -> None:
    """8 附件: new page, "附件N" top-left in 黑体, title centred on the third line, then its tables."""
    label = _body_paragraph(doc, layout, att.label, font=layout.attachment_label_font)
    label.alignment = WD_ALIGN_PARAGRAPH.LEFT
    label.paragraph_format.page_break_before = True
    _blank_lines(doc, layout, 1)
    _title(doc, layout, att.title)
    _blank_lines(doc, layout, 1)
    for i, table in enumerate(att.tables):
        if i:
            _blank_lines(doc, layout, 1)
        _add_table(doc, layout, table)


# ---------------------------------------------------------------------------------------- 版头, 版记, draft


def _masthead(doc, layout: Layout, mh) -> None:
    """7.2 版头: 发文机关标志 in red, centred, its top 35 mm under the type area's top; 发文字号 two lines
    below it, centred; a red rule as wide as the type area 4 mm under the 发文字号."""
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _set_snap_to_grid(p, False)
    pf = p.paragraph_format
    pf.space_before = Pt(layout.masthead_top_mm * PT_PER_MM)
    pf.space_after = Pt(0)
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(layout.masthead_size_pt * 1.25)
    r = p.add_run(mh.mark)
    _set_run_font(r, layout.masthead_font, layout.masthead_size_pt)
    r.font.color.rgb = RGBColor.from_string(mh.color.upper())
    natural_pt = display_width(mh.mark) * layout.masthead_size_pt
    room_pt = layout.text_width_mm * PT_PER_MM
    if natural_pt > room_pt:
        # 以醒目、美观、庄重为原则: a long name is set condensed rather than smaller or on two lines
        scale = max(layout.masthead_min_scale, math.floor(100 * room_pt / natural_pt))
        r._r.get_or_add_rPr().append(_el("w:w", val=str(scale)))
    _blank_lines(doc, layout, layout.masthead_gap_lines)
    num = _body_paragraph(doc, layout, mh.doc_number or "")
    num.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if not mh.doc_number:
        _set_rfonts(_para_mark_rpr(num), layout.body_font)
    ppr = num._p.get_or_add_pPr()
    bdr = _el("w:pBdr")
    bdr.append(_el("w:bottom", val="single", sz=str(layout.masthead_rule_eighths),
                   space=str(round(layout.masthead_rule_gap_mm * PT_PER_MM)), color=mh.color.upper()))
    ppr.append(bdr)
    _blank_lines(doc, layout, layout.title_gap_lines)


def _draft_header(header, layout: Layout, text: str) -> None:
    """A draft's mark (征求意见稿 and what is still open) at the top right of every page."""
    header.is_linked_to_previous = False
    p = header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _set_snap_to_grid(p, False)
    r = p.add_run(text)
    _set_run_font(r, layout.draft_font, layout.draft_size_pt)


def _colophon(doc, layout: Layout, cp) -> None:
    """7.4 版记 at the foot of the last page: 抄送 above 印发机关 (左空一字) and 印发日期 (右空一字), a heavy
    rule above and below, a thin rule between (7.4.1), the last rule on the type area's lower edge.

    Each line is a frame (w:framePr) placed at an exact height from the top of the type area, stacked
    upwards from its foot; Word and LibreOffice both keep a frame whole and in place. (LibreOffice drops
    a frame whose paragraphs carry different borders, and floats no table, hence one frame per line.)"""
    width = round(layout.text_width_mm * PT_PER_MM * 20)
    height = round(layout.text_height_mm * PT_PER_MM * 20)
    side = round(layout.colophon_side_chars * layout.colophon_size_pt * 20)
    line = round(layout.colophon_size_pt * 1.5 * 20)
    pad = 80  # twips above and below the text inside each rule
    char_w = layout.colophon_size_pt * 20
    blocks: list[tuple[str, str, int]] = []  # (kind, text, lines)
    if cp.cc:
        label = display_width("抄送：")
        room = (width - 2 * side) / char_w - label
        n = math.ceil(max(display_width(cp.cc), 1) / max(room, 1.0))
        blocks.append(("cc", f"抄送：{cp.cc}", n))
    if cp.printer or cp.print_date:
        blocks.append(("printed", f"{cp.printer or ''}\t{cp.print_date + '印发' if cp.print_date else ''}", 1))
    bottom = height
    placed = []
    for kind, text, n in reversed(blocks):
        h = n * line + 2 * pad
        bottom -= h
        placed.append((kind, text, bottom, h))
    placed.reverse()
    for i, (kind, text, y, h) in enumerate(placed):
        p = doc.add_paragraph()
        ppr = p._p.get_or_add_pPr()
        ppr.append(_el("w:framePr", w=str(width), h=str(h), hRule="exact", wrap="notBeside", vAnchor="margin",
                       hAnchor="margin", xAlign="center", y=str(y)))
        bdr = _el("w:pBdr")
        if i == 0:
            bdr.append(_el("w:top", val="single", sz=str(layout.colophon_thick_eighths), space="0", color="000000"))
        last = i == len(placed) - 1
        bdr.append(_el("w:bottom", val="single", space="0", color="000000",
                       sz=str(layout.colophon_thick_eighths if last else layout.colophon_thin_eighths)))
        ppr.append(bdr)
        _set_snap_to_grid(p, False)
        pf = p.paragraph_format
        pf.space_before = Twips(pad)
        pf.space_after = Twips(pad)
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Twips(line)
        if kind == "cc":
            label = round(display_width("抄送：") * char_w)
            ppr.append(_el("w:ind", left=str(side + label), right=str(side), hanging=str(label)))
            p.alignment = WD_ALIGN_PARAGRAPH.LEFT
        else:
            tabs = _el("w:tabs")
            tabs.append(_el("w:tab", val="right", pos=str(width - side)))
            ppr.append(tabs)
            ppr.append(_el("w:ind", left=str(side), right=str(side)))
        for k, part in enumerate(text.split("\t")):
            if k:
                p.add_run().add_tab()
            if part:
                _set_run_font(p.add_run(part), layout.colophon_font, layout.colophon_size_pt)
    tail = doc.add_paragraph()  # a frame needs a paragraph after it to anchor to (LibreOffice drops it else)
    _exact_spacing(tail, 1)
    _set_snap_to_grid(tail, False)


def _document_properties(doc, notice: NoticeDoc) -> None:
    """Core and application properties that say what the file is: not python-docx's template (a 2013 file
    by "Microsoft Macintosh Word" with its thumbnail)."""
    from datetime import datetime, timezone

    props = doc.core_properties
    props.title = notice.title
    props.author = notice.issuer
    props.last_modified_by = notice.issuer
    props.comments = ""
    props.subject = notice.doc_number or ""
    props.keywords = "征求意见稿" if notice.draft else ""
    props.category = "通报"
    props.revision = 1
    stamp = datetime.now(timezone.utc).replace(microsecond=0)
    props.created = stamp
    props.modified = stamp
    pkg = doc.part.package
    for rid, rel in list(pkg.rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            del pkg.rels[rid]
        elif rel.reltype.endswith("/extended-properties"):
            rel.target_part._blob = _APP_XML.format(company=_xml_text(notice.issuer)).encode("utf-8")


_APP_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    "<Template>Normal.dotm</Template><Application>govcheck</Application><DocSecurity>0</DocSecurity>"
    "<Company>{company}</Company><LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
    "<HyperlinksChanged>false</HyperlinksChanged></Properties>"
)


def _xml_text(text: str) -> str:
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# ---------------------------------------------------------------------------------------- the notice


def build_docx(notice: NoticeDoc, layout: Layout = GB9704):
    """The notice as a python-docx Document (not saved), so tests can inspect it too."""
    doc = _setup_document(layout)
    sec = doc.sections[0]
    _add_page_number(sec.footer, layout, WD_ALIGN_PARAGRAPH.RIGHT)
    _add_page_number(sec.even_page_footer, layout, WD_ALIGN_PARAGRAPH.LEFT)
    if notice.draft:
        _draft_header(sec.header, layout, notice.draft)
        _draft_header(sec.even_page_header, layout, notice.draft)

    if notice.masthead:
        _masthead(doc, layout, notice.masthead)
    elif notice.doc_number:
        p = _body_paragraph(doc, layout, notice.doc_number)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _blank_lines(doc, layout, 1)
    _title(doc, layout, notice.title)
    _blank_lines(doc, layout, 1)
    if notice.recipients:
        p = _body_paragraph(doc, layout, notice.recipients)  # 主送机关: 居左顶格
        _set_char_indent(p, layout)

    body = list(notice.body)
    has_signature = any(par.style == "signature" for par in body)
    has_date = any(par.style == "date" for par in body)
    prev_style = None
    pending_signature: list[str] = []
    pending_date: str | None = None
    for par in body:
        text = par.text
        if par.style in ("signature", "date"):
            if par.style == "signature":
                pending_signature.append(text)
            else:
                pending_date = text
            continue
        if pending_signature or pending_date:
            _signature_with_gap(doc, layout, pending_signature, pending_date)
            pending_signature, pending_date = [], None
        if par.style == "attachment_list" and prev_style != "attachment_list":
            # 正文下空一行编排附件说明; the 附件说明 stays on one page with the last lines of the text above
            # it and the 落款 below it (7.3.5.4: the 落款 never stands alone on a page)
            if doc.paragraphs:
                doc.paragraphs[-1].paragraph_format.keep_with_next = True
            _blank_lines(doc, layout, 1)
            doc.paragraphs[-1].paragraph_format.keep_with_next = True
        if par.style == "heading1":
            _heading(doc, layout, text, layout.heading1_font)
        elif par.style == "heading2":
            _heading(doc, layout, text, layout.heading2_font)
        elif par.style == "attachment_list":
            for item in (x for x in text.split("\n") if x.strip()):  # one item per line
                _attachment_item(doc, layout, item)
                pf = doc.paragraphs[-1].paragraph_format
                pf.keep_with_next = True
                pf.keep_together = True
        elif par.style == "body":
            p = _body_paragraph(doc, layout, text)
            _set_char_indent(p, layout, first_line=layout.first_line_indent_chars)
        else:
            raise ValueError(f"通报正文段落样式未知：{par.style!r}（段落：{text[:20]}…）")
        prev_style = par.style
    if not has_signature and notice.issuer:
        pending_signature.append(notice.issuer)
    if not has_date and notice.date:
        pending_date = notice.date
    if pending_signature or pending_date:
        _signature_with_gap(doc, layout, pending_signature, pending_date)

    for att in notice.attachments:
        _attachment(doc, layout, att)
    if notice.colophon and (notice.colophon.cc or notice.colophon.printer or notice.colophon.print_date):
        _colophon(doc, layout, notice.colophon)
    _no_hanging_punctuation(doc.element.body)
    _declare_fonts(doc, layout)
    _document_properties(doc, notice)
    normalise_order(doc.element)
    for part in (sec.footer, sec.even_page_footer) + ((sec.header, sec.even_page_header) if notice.draft else ()):
        normalise_order(part._element)
    normalise_order(doc.styles.element)
    return doc


def _no_hanging_punctuation(body) -> None:
    """Every paragraph keeps its punctuation inside the type area: Word and LibreOffice both let a line-final
    。 or ， hang one character past the right margin unless the paragraph says w:overflowPunct="0"."""
    for p in body.iter(qn("w:p")):
        ppr = p.find(qn("w:pPr"))
        if ppr is None:
            ppr = OxmlElement("w:pPr")
            p.insert(0, ppr)
        if ppr.find(qn("w:overflowPunct")) is None:
            ppr.append(_el("w:overflowPunct", val="0"))


def _declare_fonts(doc, layout: Layout) -> None:
    """List the CJK faces in word/fontTable.xml with a fallback name and the GB2312 charset."""
    part = next((r.target_part for r in doc.part.rels.values() if r.reltype.endswith("/fontTable")), None)
    if part is None:
        return
    root = etree.fromstring(part.blob)
    present = {f.get(qn("w:name")) for f in root.iter(qn("w:font"))}
    for name, alt in layout.font_alt_names:
        if name in present:
            continue
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        for tag, val in (("altName", alt), ("charset", "86"), ("family", "auto"), ("pitch", "variable")):
            etree.SubElement(font, qn(f"w:{tag}")).set(qn("w:val"), val)
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def write_docx(notice: NoticeDoc, path: Path, layout: Layout = GB9704) -> Path:
    doc = build_docx(notice, layout)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path
