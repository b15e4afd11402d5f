"""The one reader of the tables an office hands us: sites / accounts / registry rosters and findings sheets.

CSV (UTF-8, UTF-8 with BOM, else GB18030; tab-separated for .tsv) or the first sheet of an XLSX, as rows of
stripped strings. Every failure is a TableError naming the file, and the row and column where there is one.

XLSX formula cells are read as the value Excel saved with them. A formula without a saved value (a file
written by a program, never opened in Excel) is refused by name and cell — read as empty it would turn into
"不能为空" or, worse, a silently dropped field.
"""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

XLSX_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv", ".txt", ".tsv")
MAX_CELL_CHARS = 100_000  # a roster cell longer than this is not a name or an address
MAX_ROWS = 1_000_000


def located(path: Path | str, row: int | None, column: str | None, message: str) -> str:
    """A message a clerk can act on: file 第N行 列“X”：what is wrong."""
    where = f"{path}"
    if row is not None:
        where += f" 第{row}行"
    if column:
        where += f" 列“{column}”"
    return f"{where}：{message}"


class TableError(ValueError):
    def __init__(self, path: Path | str, row: int | None, column: str | None, message: str):
        self.path, self.row, self.column, self.message = str(path), row, column, message
        super().__init__(located(path, row, column, message))


def col_letter(i: int) -> str:
    """0 → A, 26 → AA: the column as a spreadsheet labels it."""
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def read_text(path: Path, max_bytes: int) -> str:
    """A UTF-8 text file (a BOM is dropped), refused by name when unreadable, too large or not text; the
    message has no file name, the caller's error adds it."""
    try:
        if path.stat().st_size > max_bytes:
            raise TableError(path, None, None, f"文件过大（{path.stat().st_size} 字节）")
        raw = path.read_bytes()
    except OSError as e:
        raise TableError(path, None, None, f"无法读取：{e.strerror or e}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TableError(path, None, None, "不是 UTF-8 文本") from None


def cell_text(v: Any) -> str:
    """A cell as text: dates as YYYY-MM-DD (with the time when it has one), whole floats without .0."""
    if v is None:
        return ""
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d") if (v.hour, v.minute, v.second) == (0, 0, 0) else v.strftime("%Y-%m-%d %H:%M")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, time):
        return v.strftime("%H:%M")
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def read_table(path: str | Path) -> list[list[str]]:
    """All rows of the file as stripped strings (see the module docstring)."""
    p = Path(path)
    if not p.exists():
        raise TableError(p, None, None, "文件不存在")
    if not p.is_file():
        raise TableError(p, None, None, "不是文件")
    suffix = p.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        rows = _xlsx_rows(p)
    elif suffix in CSV_SUFFIXES:
        rows = _csv_rows(p, "\t" if suffix == ".tsv" else ",")
    else:
        raise TableError(p, None, None, f"不支持的文件类型“{p.suffix}”（应为 .csv 或 .xlsx）")
    for rn, row in enumerate(rows, start=1):
        for ci, c in enumerate(row):
            if len(c) > MAX_CELL_CHARS:
                raise TableError(p, rn, col_letter(ci), f"单元格内容过长（{len(c)} 字）")
            if "\x00" in c:
                raise TableError(p, rn, col_letter(ci), "单元格含有空字符（\\0），文件可能已损坏")
    return rows


def _csv_rows(p: Path, delim: str) -> list[list[str]]:
    try:
        raw = p.read_bytes()
    except OSError as e:
        raise TableError(p, None, None, f"无法读取文件：{e.strerror or e}") from None
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise TableError(p, None, None, "文件编码无法识别（应为 UTF-8 或 GBK）")
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise TableError(p, line, None, "含有空字符（\\0）：不是文本表格，或文件已损坏")
    reader = csv.reader(io.StringIO(text), delimiter=delim)
    rows: list[list[str]] = []
    try:
        for r in reader:
            rows.append([c.strip() for c in r])
            if len(rows) > MAX_ROWS:
                raise TableError(p, reader.line_num, None, f"超过 {MAX_ROWS} 行")
    except csv.Error as e:
        raise TableError(p, reader.line_num, None, f"CSV 格式错误：{e}") from None
    return rows


def _xlsx_rows(p: Path) -> list[list[str]]:
    import openpyxl

    try:
        values = openpyxl.load_workbook(p, read_only=True, data_only=True)
        formulas = openpyxl.load_workbook(p, read_only=True, data_only=False)
    except Exception as e:  # noqa: BLE001 - openpyxl raises many kinds for a broken file
        raise TableError(p, None, None, f"无法打开表格：{type(e).__name__}: {e}") from None
    try:
        if not values.worksheets:
            raise TableError(p, None, None, "表格中没有工作表")
        rows: list[list[str]] = []
        vs = values.worksheets[0].iter_rows(values_only=True)
        fs = formulas.worksheets[0].iter_rows(values_only=True)
        for rn, (vrow, frow) in enumerate(zip(vs, fs), start=1):
            out = []
            for ci, (v, f) in enumerate(zip(vrow, frow)):
                if v is None and isinstance(f, str) and f.startswith("="):
                    raise TableError(p, rn, col_letter(ci),
                                     f"单元格是公式（{f[:40]}），文件中没有保存计算结果；请用 Excel 打开并保存，"
                                     "或把公式改为数值")
                out.append(cell_text(v))
            rows.append(out)
            if rn > MAX_ROWS:
                raise TableError(p, rn, None, f"超过 {MAX_ROWS} 行")
        return rows
    except TableError:
        raise
    except Exception as e:  # noqa: BLE001 - a damaged sheet fails while it is read
        raise TableError(p, None, None, f"读取表格时出错：{type(e).__name__}: {e}") from None
    finally:
        values.close()
        formulas.close()
