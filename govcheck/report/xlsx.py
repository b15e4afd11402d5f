"""One workbook per attachment (附件1 …xlsx), laid out to print on A4 like the notice's attachment.

An attachment with several tables (附件2: the district table, then the failing-account list) keeps
them on ONE sheet, one below the other with a blank row between, so the sheet reads exactly like
the printed attachment. The header row is repeated on every printed page only when the sheet holds
a single table (a repeated header of the first table would be wrong above the second one).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins

from govcheck.report.cells import put
from govcheck.report.doc import Attachment, Table
from govcheck.report.docx import column_widths, display_width, wrapped_lines


@dataclass(frozen=True)
class SheetStyle:
    title_font: str = "宋体"
    title_size: float = 16
    header_font: str = "宋体"
    header_size: float = 11
    body_font: str = "仿宋_GB2312"
    body_size: float = 11
    printable_width_chars: float = 100.0  # sum of column widths (Excel char units) on A4 portrait
    min_col_chars: float = 6.0
    line_height_pt: float = 15.0  # one wrapped line at body_size
    margin_inch: float = 0.5
    footer: str = "第 &P 页，共 &N 页"  # Excel header/footer codes: &P page, &N pages


SHEET = SheetStyle()
_ILLEGAL_SHEET = re.compile(r"[\[\]:*?/\\]")
_thin = Side(style="thin", color="000000")
_BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)


def _wrapped_lines(text: str, width_units: float) -> int:
    """Lines a cell wraps to: Excel's width unit is about one half-width character."""
    return wrapped_lines(str(text), (width_units - 1.0) / 2)


def _column_widths(tables: list[Table], style: SheetStyle) -> list[float]:
    ncols = max(len(t.header) for t in tables)
    widths = [style.min_col_chars] * ncols
    for t in tables:
        # Excel's width unit is about one half-width character: a CJK character is 2 units.
        for c, w in enumerate(column_widths(t, style.printable_width_chars, char=2.0, pad=2.0)):
            widths[c] = max(widths[c], w)
    # Several tables may each claim the page width in different columns; scale back to fit.
    s = sum(widths)
    if s > style.printable_width_chars:
        widths = [max(style.min_col_chars, w * style.printable_width_chars / s) for w in widths]
    return widths


def sheet_name(label: str) -> str:
    name = _ILLEGAL_SHEET.sub("_", label).strip() or "Sheet1"
    return name[:31]


def build_workbook(att: Attachment, style: SheetStyle = SHEET) -> Workbook:
    wb = Workbook()
    wb.properties.title = att.file_stem
    ws = wb.active
    ws.title = sheet_name(att.label)
    tables = att.tables or [Table(header=[""], rows=[])]
    ncols = max(len(t.header) for t in tables)
    widths = _column_widths(tables, style)
    for c, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = round(w, 1)

    title_font = Font(name=style.title_font, size=style.title_size, bold=True)
    header_font = Font(name=style.header_font, size=style.header_size, bold=True)
    body_font = Font(name=style.body_font, size=style.body_size)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    left = Alignment(horizontal="left", vertical="center", wrap_text=True)

    put(ws, 1, 1, att.title).font = title_font
    ws.cell(row=1, column=1).alignment = centre
    if ncols > 1:
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
    title_lines = _wrapped_lines(att.title, sum(widths) * style.body_size / style.title_size)
    ws.row_dimensions[1].height = style.title_size * 1.6 * title_lines

    row = 2
    header_rows: list[int] = []
    for i, t in enumerate(tables):
        if i:
            row += 1  # blank row between tables
        header_rows.append(row)
        centred = [
            max((display_width(str(r[c] if c < len(r) else "")) for r in t.rows), default=0) <= 12
            for c in range(len(t.header))
        ]
        for c, text in enumerate(t.header, start=1):
            cell = put(ws, row, c, text)
            cell.font, cell.alignment, cell.border = header_font, centre, _BORDER
        ws.row_dimensions[row].height = style.line_height_pt * max(
            _wrapped_lines(h, widths[c]) for c, h in enumerate(t.header)) + 4
        row += 1
        for r in t.rows:
            lines = 1
            for c in range(len(t.header)):
                value = r[c] if c < len(r) else ""
                value = "" if value is None else str(value)
                cell = put(ws, row, c + 1, _typed(value))
                cell.font, cell.border = body_font, _BORDER
                cell.alignment = centre if centred[c] else left
                lines = max(lines, _wrapped_lines(value, widths[c]))
            ws.row_dimensions[row].height = style.line_height_pt * lines + 4
            row += 1

    ps = ws.page_setup
    ps.paperSize = ws.PAPERSIZE_A4
    ps.orientation = "portrait"
    ps.fitToWidth = 1
    ps.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    m = style.margin_inch
    ws.page_margins = PageMargins(left=m, right=m, top=m + 0.25, bottom=m + 0.25, header=0.3, footer=0.3)
    ws.oddFooter.center.text = style.footer
    ws.oddFooter.center.font = style.header_font
    if len(tables) == 1:
        ws.print_title_rows = f"{header_rows[0]}:{header_rows[0]}"
    ws.freeze_panes = None
    return wb


def _typed(value: str):
    """Plain numbers become numbers (so a score sorts); everything else, e.g. 一票否决 or 94%, stays text."""
    if re.fullmatch(r"-?(0|[1-9]\d*)", value):
        return int(value)
    if re.fullmatch(r"-?(0|[1-9]\d*)\.\d+", value):
        return float(value)
    return value


def write_xlsx(att: Attachment, path: Path, style: SheetStyle = SHEET) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    build_workbook(att, style).save(str(path))
    return path
