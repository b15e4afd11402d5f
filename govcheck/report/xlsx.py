"""Workbooks laid out to print on A4 like the notice's attachments: one per attachment (附件1 …xlsx), and the
round's other tables (整改情况对比表, 人工核查清单) in the same style.

A sheet reads like the printed attachment: "附件N" top left (a draft mark top right while the round is
open), the title across the table, then the tables with borders. An attachment with several tables
(附件2: the district table, then the failing-account list) keeps them on ONE sheet, one below the
other with a blank row between. The header row of the last table (the long one) repeats on every
printed page. Numbers are stored as numbers (a score, a count; a rate as a percentage with its display
format).

Row heights: LibreOffice does not fit rows to their content when it opens a file, so each row's height
is set from the lines its cells wrap to. That estimate counts a CJK character as two width units, which
holds when the workbook's default font is a CJK face with half-width digits (宋体), as set here: the
width unit is that font's digit width in Excel, WPS and LibreOffice alike (with the Latin default,
LibreOffice fits half again as many characters to a line and the rows came out half empty).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins

from govcheck.report.cells import put
from govcheck.report.doc import Attachment, Table
from govcheck.report.docx import column_widths, display_width, wrapped_lines


@dataclass(frozen=True)
class SheetStyle:
    default_font: str = "宋体"  # the workbook's Normal style: sets the column width unit
    label_font: str = "黑体"
    label_size: float = 12
    title_font: str = "宋体"
    title_size: float = 16
    header_font: str = "宋体"
    header_size: float = 11
    body_font: str = "仿宋_GB2312"
    body_size: float = 11
    draft_color: str = "FF0000"
    printable_width_chars: float = 100.0  # sum of column widths (Excel char units) on A4 portrait
    landscape_width_chars: float = 145.0  # … on A4 landscape
    min_col_chars: float = 6.0
    line_height_pt: float = 15.0  # one wrapped line at body_size (title row only; data rows size themselves)
    margin_inch: float = 0.5
    footer: str = "第 &P 页，共 &N 页"  # Excel header/footer codes: &P page, &N pages


SHEET = SheetStyle()
_ILLEGAL_SHEET = re.compile(r"[\[\]:*?/\\]")
_ATTACHMENT_LABEL = re.compile(r"^附件\s*\d+$")
_thin = Side(style="thin", color="000000")
_BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)


@dataclass
class SheetSpec:
    """One sheet: a title, its tables, and how it prints."""

    title: str
    tables: list[Table]
    label: str | None = None  # 附件1 (printed top left); None for a table that is not an attachment
    name: str | None = None  # sheet tab name (default: label or title)
    landscape: bool = False
    draft: str | None = None  # 征求意见稿（…）, printed top right and in the page header
    centred_cols: set[int] | None = None  # columns to centre (default: short ones)
    note: str | None = None  # a line under the title (e.g. how to fill the sheet in)
    widths: list[float] | None = None  # column widths in Excel units (default: from the contents)
    extra: dict[str, Any] = field(default_factory=dict)


def _wrapped_lines(text: str, width_units: float) -> int:
    """Lines a cell wraps to: Excel's width unit is about one half-width character."""
    return wrapped_lines(str(text), (width_units - 1.0) / 2)


def _column_widths(tables: list[Table], total: float, style: SheetStyle) -> list[float]:
    ncols = max(len(t.header) for t in tables)
    widths = [style.min_col_chars] * ncols
    for t in tables:
        # Excel's width unit is about one half-width character: a CJK character is 2 units.
        for c, w in enumerate(column_widths(t, total, char=2.0, pad=2.0)):
            widths[c] = max(widths[c], w)
    # Several tables may each claim the page width in different columns; scale back to fit.
    s = sum(widths)
    if s > total:
        widths = [max(style.min_col_chars, w * total / s) for w in widths]
    return widths


def sheet_name(label: str) -> str:
    name = _ILLEGAL_SHEET.sub("_", label).strip() or "Sheet1"
    return name[:31]


def add_sheet(wb: Workbook, spec: SheetSpec, style: SheetStyle = SHEET, *, first: bool = False):
    ws = wb.active if first else wb.create_sheet()
    ws.title = sheet_name(spec.name or spec.label or spec.title)
    tables = spec.tables or [Table(header=[""], rows=[])]
    ncols = max(len(t.header) for t in tables)
    total = style.landscape_width_chars if spec.landscape else style.printable_width_chars
    widths = spec.widths or _column_widths(tables, total, style)
    for c, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = round(w, 1)

    label_font = Font(name=style.label_font, size=style.label_size)
    title_font = Font(name=style.title_font, size=style.title_size, bold=True)
    header_font = Font(name=style.header_font, size=style.header_size, bold=True)
    body_font = Font(name=style.body_font, size=style.body_size)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    left = Alignment(horizontal="left", vertical="center", wrap_text=True)

    row = 1
    if spec.label or spec.draft:
        if spec.label:
            put(ws, row, 1, spec.label).font = label_font
            ws.cell(row=row, column=1).alignment = Alignment(horizontal="left", vertical="center")
        if spec.draft:
            # the draft mark sits top right, over the columns the label leaves free
            first_col = 2 if (spec.label and ncols > 1) else 1
            cell = put(ws, row, first_col, spec.draft)
            cell.font = Font(name=style.label_font, size=style.label_size, color=style.draft_color)
            cell.alignment = Alignment(horizontal="right", vertical="center")
            if ncols > first_col:
                ws.merge_cells(start_row=row, start_column=first_col, end_row=row, end_column=ncols)
        row += 1
    title_row = row
    put(ws, row, 1, spec.title).font = title_font
    ws.cell(row=row, column=1).alignment = centre
    if ncols > 1:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
    title_lines = _wrapped_lines(spec.title, sum(widths) * style.body_size / style.title_size)
    ws.row_dimensions[row].height = style.title_size * 1.6 * title_lines  # merged: no automatic height
    row += 1
    if spec.note:
        cell = put(ws, row, 1, spec.note)
        cell.font = Font(name=style.body_font, size=style.body_size)
        cell.alignment = left
        if ncols > 1:
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
        ws.row_dimensions[row].height = style.line_height_pt * _wrapped_lines(spec.note, sum(widths)) + 4
        row += 1

    header_rows: list[int] = []
    for i, t in enumerate(tables):
        if i:
            row += 1  # blank row between tables
        header_rows.append(row)
        centred = spec.centred_cols if spec.centred_cols is not None else {
            c for c in range(len(t.header))
            if max((display_width(str(r[c] if c < len(r) else "")) for r in t.rows), default=0) <= 12}
        for c, text in enumerate(t.header, start=1):
            cell = put(ws, row, c, text)
            cell.font, cell.alignment, cell.border = header_font, centre, _BORDER
        ws.row_dimensions[row].height = style.line_height_pt * max(
            _wrapped_lines(h, widths[c]) for c, h in enumerate(t.header)) + 4
        row += 1
        for r in t.rows:
            lines = 1
            for c in range(len(t.header)):
                text = "" if (c >= len(r) or r[c] is None) else str(r[c])
                lines = max(lines, _wrapped_lines(text, widths[c]))
            ws.row_dimensions[row].height = style.line_height_pt * lines + 4
            for c in range(len(t.header)):
                value = r[c] if c < len(r) else ""
                typed, fmt = typed_value("" if value is None else value)
                cell = put(ws, row, c + 1, typed)  # text, never a formula
                if fmt:
                    cell.number_format = fmt
                cell.font, cell.border = body_font, _BORDER
                cell.alignment = centre if c in centred else left
            row += 1

    ps = ws.page_setup
    ps.paperSize = ws.PAPERSIZE_A4
    ps.orientation = "landscape" if spec.landscape else "portrait"
    ps.fitToWidth = 1
    ps.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    m = style.margin_inch
    ws.page_margins = PageMargins(left=m, right=m, top=m + 0.25, bottom=m + 0.25, header=0.3, footer=0.3)
    ws.oddFooter.center.text = style.footer
    ws.oddFooter.center.font = style.header_font
    if spec.draft:
        ws.oddHeader.right.text = spec.draft
        ws.oddHeader.right.font = style.label_font
        ws.oddHeader.right.color = style.draft_color
    # The header of the last (the long) table repeats on every printed page; a sheet of several
    # tables prints the earlier ones first, before the repeated rows are reached.
    ws.print_title_rows = f"{header_rows[-1]}:{header_rows[-1]}"
    ws.print_area = f"A1:{get_column_letter(ncols)}{max(row - 1, title_row)}"
    ws.freeze_panes = None
    spec.extra["header_rows"] = header_rows
    return ws


def new_workbook(style: SheetStyle = SHEET) -> Workbook:
    """A workbook whose default font is the CJK face (see the module's note on row heights)."""
    wb = Workbook()
    normal = wb._named_styles["Normal"]
    normal.font = Font(name=style.default_font, size=style.body_size)
    return wb


def attachment_spec(att: Attachment, draft: str | None = None) -> SheetSpec:
    label = att.label if _ATTACHMENT_LABEL.match(att.label or "") else None
    return SheetSpec(title=att.title, tables=att.tables, label=label, name=att.label, draft=draft)


def build_workbook(att: Attachment, style: SheetStyle = SHEET, draft: str | None = None) -> Workbook:
    wb = new_workbook(style)
    wb.properties.title = att.file_stem
    add_sheet(wb, attachment_spec(att, draft), style, first=True)
    return wb


_INT = re.compile(r"-?(0|[1-9]\d*)")
_DEC = re.compile(r"-?(0|[1-9]\d*)\.\d+")
_PCT = re.compile(r"(-?(?:0|[1-9]\d*)(?:\.(\d+))?)%")


def typed_value(value: Any) -> tuple[Any, str | None]:
    """A cell's value and number format: plain numbers become numbers (so a score sorts), a rate like
    94.4% a fraction shown with as many decimals as printed; everything else, e.g. 一票否决, stays text.
    Text that a spreadsheet would run as a formula (=, +, -, @ first) stays text too."""
    if not isinstance(value, str):
        return value, None
    if _INT.fullmatch(value):
        return int(value), None
    if _DEC.fullmatch(value):
        return float(value), None
    m = _PCT.fullmatch(value)
    if m:
        decimals = len(m.group(2) or "")
        return round(float(m.group(1)) / 100, decimals + 2), "0" + ("." + "0" * decimals if decimals else "") + "%"
    return value, None


def write_xlsx(att: Attachment, path: Path, style: SheetStyle = SHEET, draft: str | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    save_workbook(build_workbook(att, style, draft), path)
    return path


def save_workbook(wb: Workbook, path: Path) -> Path:
    """Save via a temporary file in the same folder, so a killed run never leaves half a workbook."""
    import os

    tmp = path.with_name(f".{path.name}.tmp")
    wb.save(str(tmp))
    os.replace(tmp, path)
    return path
