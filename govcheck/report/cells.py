"""Every cell the project writes into a workbook goes through here: text stays text.

openpyxl stores any string that begins with "=" as a formula, and spreadsheet programs also evaluate cells
beginning with "+", "-", "@", a tab or a carriage return. A unit name, a page title or an archived URL comes
from a roster or a hostile page; written as a formula it would run (`=HYPERLINK(…)`, DDE) in the office's
Excel. Such a cell is written as a string with Excel's quote prefix, so it stays text even after editing.
"""
from __future__ import annotations

from typing import Any, Iterable

from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def needs_guard(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def set_text_safe(cell: Cell, value: Any) -> Cell:
    """Assign `value`; a string that a spreadsheet could read as a formula is stored as plain text."""
    cell.value = value
    if needs_guard(value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def put(ws: Worksheet, row: int, column: int, value: Any) -> Cell:
    """ws.cell(row, column, value) that never writes a formula."""
    return set_text_safe(ws.cell(row=row, column=column), value)


def append(ws: Worksheet, values: Iterable[Any]) -> int:
    """ws.append(values) that never writes a formula; returns the row written."""
    row = ws.max_row + 1 if ws.max_row > 1 or any(c.value is not None for c in ws[1]) else 1
    for c, v in enumerate(values, start=1):
        put(ws, row, c, v)
    return row
